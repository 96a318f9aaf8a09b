"""Gzip for the public pages only (issue 17): the article is 17.7 KB as HTML and 5.7 KB gzipped, a
half-second less on a 200 KB/s phone link.

Compression beside a secret and input an attacker controls leaks the secret, a byte at a time, through
the compressed length (BREACH). Staff pages hold PHI next to reflected input (the queue's search box,
a lead's notes), so they are never compressed, nor is any page shown to a signed-in person or any
answer to a POST (a form re-rendered with a visitor's own details). The public pages' one secret is
the CSRF token, which Django masks afresh in every response, cached pages included (articles/cache.py
punches in a freshly masked token), and Django's GZipMiddleware pads each response with random bytes.
SECURITY.md, "Compression", says the same for reviewers.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware


def may_compress(request: HttpRequest) -> bool:
    """A public page fetched by an anonymous visitor: nothing on it a guess could be measured against."""
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(settings.UNCOMPRESSED_PATH_PREFIXES):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class PublicGZipMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not may_compress(request):
            return response
        return super().process_response(request, response)
