"""Responses compressed for the wire: Django's `GZipMiddleware`, at zlib's fastest level for whole pages.

A dashboard is about 80 KB of HTML and figures; at Django's level 6 compressing it takes 0.6 ms, a fifth of
what a kept dashboard costs the server, for 11 KB; at level 1 it takes 0.3 ms for 13 KB (nginx's default
level, `gzip_comp_level 1`, for the same reason). Streamed responses (the exports) stay Django's.
"""

import gzip
import secrets

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile

COMPRESS_LEVEL = 1
_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")


def compress_page(content: bytes, *, max_random_bytes: int) -> bytes:
    """gzip at COMPRESS_LEVEL, with Django's defence against BREACH: a file name of a random length in the
    header, so that a response's compressed length does not tell what its secrets compress to."""
    compressed = memoryview(gzip.compress(content, compresslevel=COMPRESS_LEVEL, mtime=0))
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + compressed[10:]


class FastGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if response.streaming or len(response.content) < 200 or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if not _ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = compress_page(response.content, max_random_bytes=self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
