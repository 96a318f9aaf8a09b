from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("verification.urls")),
    path("staff/", include("intake.staff_urls")),
    path("", include("intake.urls")),
]
