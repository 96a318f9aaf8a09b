from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views.static import serve

from config.sitemaps import SITEMAPS, robots_txt

handler404 = "intake.views.page_not_found"
handler403 = "intake.views.permission_denied"
handler500 = "intake.views.server_error"

# One address for both languages: the admin, the staff side, the sitemap and the webhook.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("staff/", include("intake.staff_urls")),
    path("staff/", include("admissions.urls")),
    path("staff/", include("handoff.urls")),
]

# The visitor side: English at today's addresses, Spanish under /es/ (config.language). The staff pages
# of verification and texting ride along with their app's public ones and are refused under /es/.
urlpatterns += i18n_patterns(
    path("articles/", include("articles.urls")),
    path("", include("verification.urls")),
    path("", include("texting.urls")),
    path("", include("centre.urls")),
    path("", include("intake.urls")),
    prefix_default_language=False,
)


# Article and centre images (public uploads only; card photos live elsewhere and have their own view).
# Served by Django so the compose stack needs no extra web server; a CDN or proxy may cache them.
def public_media(request: HttpRequest, path: str) -> HttpResponse:
    # MEDIA_ROOT read per request, not once at import: tests give each run a folder of its own.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns += [re_path(r"^media/(?P<path>(?:articles|centre)/.+)$", public_media, name="media")]
