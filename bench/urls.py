"""The site's URLs, and two that only `make bench` serves: a bare view (the baseline every page is
compared with) and an article page without the page cache (what a cache miss costs)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from articles.views import ArticleDetailView
from config import urls as site

handler404, handler403, handler500 = site.handler404, site.handler403, site.handler500


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [
    path("bench/hello/", hello),
    path("bench/uncached/articles/<slug:slug>/", ArticleDetailView.as_view(cache_pages=False)),
    # Spread in rather than include()d: the site's own patterns stay at the root, as in production.
    *site.urlpatterns,
]
