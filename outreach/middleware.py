"""Headers every response carries that Django's security middleware does not set."""

from django.conf import settings

# Features no page of ours uses, refused to every frame and script (Mozilla Observatory's yardstick).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def permissions_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


# What a page may load and run: only the site's own files, and nothing written inside the HTML itself (no
# inline <script>, on* attribute or javascript: URL; no <style> block or style attribute). The figures travel
# in <script type="application/json">, which a browser never executes. default-src 'none' rather than 'self',
# Mozilla Observatory's top mark: each kind of resource a page uses is named below, and a new kind (a frame, a
# media file, a manifest) stays refused until it is named here too.
# - style-src has no 'unsafe-inline': plotly.js would inject a <style> block, but finds its rules already
#   linked as static/outreach/plotly.css (written by bin/plotly-css, linked by dashboard.js) and leaves that
#   out. What it sets through element.style (CSSOM) is not inline style to a CSP.
# - img-src blob:: plotly.js's "Download plot as a PNG" draws the chart through an image at a blob: address
#   the page itself made. No page needs data: images.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


def content_security_policy(get_response):
    def middleware(request):
        response = get_response(request)
        # Django's own debug pages (DEBUG only, for errors) are styled and scripted inline: in development
        # they stay readable. Production never shows them, and every response there carries the policy.
        if not (settings.DEBUG and response.status_code >= 400):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return middleware
