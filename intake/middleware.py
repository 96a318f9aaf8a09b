import json
from urllib.parse import urlsplit

from django.core import signing
from django.utils.cache import add_never_cache_headers

ATTRIBUTION_COOKIE = "lantern_src"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
_SKIP_PREFIXES = ("/static/", "/staff/", "/admin/", "/healthz", "/favicon")


class StaffNoStoreMiddleware:
    """Staff and admin pages show PHI: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(("/staff/", "/admin/")):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response


class AttributionMiddleware:
    """Remember where a visitor first arrived from, so a lead can be credited to its source.

    Only the landing path, the referring site's host and UTM parameters are kept, in a
    signed cookie: never a query string or referrer path, which may carry search terms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "GET"
            and ATTRIBUTION_COOKIE not in request.COOKIES
            and not request.path.startswith(_SKIP_PREFIXES)
            and response.status_code == 200
        ):
            value = signing.dumps(first_touch(request), salt=ATTRIBUTION_COOKIE, compress=True)
            response.set_cookie(ATTRIBUTION_COOKIE, value, httponly=True, samesite="Lax", max_age=30 * 86400)
        return response


def first_touch(request) -> dict:
    referrer_host = urlsplit(request.META.get("HTTP_REFERER", "")).hostname or ""
    if referrer_host == request.get_host().split(":")[0]:
        referrer_host = ""
    touch = {"landing_page": request.path[:200], "referrer": referrer_host[:200]}
    for field in UTM_FIELDS:
        touch[field] = request.GET.get(field, "")[:100]
    return touch


def attribution_for(request) -> dict:
    """The first touch from the cookie, or this request if the visitor came straight here."""
    raw = request.COOKIES.get(ATTRIBUTION_COOKIE)
    if raw:
        try:
            stored = signing.loads(raw, salt=ATTRIBUTION_COOKIE)
        except (signing.BadSignature, json.JSONDecodeError):
            stored = None
        if isinstance(stored, dict):
            keys = ("landing_page", "referrer", *UTM_FIELDS)
            return {
                key: str(stored.get(key, ""))[: 200 if key in ("landing_page", "referrer") else 100] for key in keys
            }
    return first_touch(request)
