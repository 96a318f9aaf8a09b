from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse


class LanternAdminSite(admin.AdminSite):
    site_header = "Lantern administration"
    site_title = "Lantern admin"

    def has_permission(self, request) -> bool:
        # A password alone never opens the admin: the second factor must be verified too.
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request, extra_context=None):
        # One sign-in for everybody: password, lockout, then the second factor.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('staff:login')}?{urlencode({'next': next_url})}")
