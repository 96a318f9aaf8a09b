"""The site's URLs, and two that only `make bench` serves: a bare view (the baseline every page is
compared with) and an article page without the page cache (what a cache miss costs)."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path

from articles.views import ArticleDetailView
from config import urls as site

handler404, handler403, handler500 = site.handler404, site.handler403, site.handler500


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


urlpatterns = [
    path("bench/hello/", hello),
    # Spread in rather than include()d: the site's own patterns stay at the root, as in production.
    *site.urlpatterns,
]
# In both languages, as the site's own article pages are (/es/bench/uncached/articles/<slug>/).
urlpatterns += i18n_patterns(
    path("bench/uncached/articles/<slug:slug>/", ArticleDetailView.as_view(cache_pages=False)),
    prefix_default_language=False,
)
