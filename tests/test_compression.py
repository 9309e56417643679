"""Pages travel compressed (gzip at zlib's fastest level), padded against BREACH as Django pads them."""

import gzip

import pytest

from outreach.compression import compress_page

pytestmark = pytest.mark.django_db


def test_a_page_comes_compressed_to_a_browser_that_asks_and_whole_to_one_that_does_not(seeded, manager_client):
    compressed = manager_client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    plain = manager_client.get("/")

    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert int(compressed["Content-Length"]) == len(compressed.content) < len(plain.content) / 4
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    page = gzip.decompress(compressed.content).decode()
    assert "Feb 2024, all platforms" in page and page.count("<html") == 1


def test_the_same_page_compresses_to_lengths_that_vary():
    page = ("<p>Followers 2,670,944</p>" * 2000).encode()
    compressed = [compress_page(page, max_random_bytes=100) for _ in range(20)]

    assert {gzip.decompress(each) for each in compressed} == {page}
    assert len({len(each) for each in compressed}) > 5  # the defence against BREACH: a length tells nothing
