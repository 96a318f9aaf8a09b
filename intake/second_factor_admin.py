"""The admin's view of second factors: who has which, when it was added and last used.

Read-only lists and nothing else: no change, view, history or delete page exists for these
models, so no admin page can show a key or a code (the columns hold only ciphertext and
hashes anyway). Each showing of a list is written to the audit log.
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import path

from .audit import ReadOnlyAdminMixin, record_access
from .models import AuthenticatorApp, RecoveryCodes


class SecondFactorListAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display_links = None
    list_filter = ["confirmed"]
    search_fields = ["user__username", "name"]
    list_select_related = ["user"]
    ordering = ["user__username", "created_at"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_changelist"
        return [path("", self.admin_site.admin_view(self.changelist_view), name=name)]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            opts = self.model._meta
            record_access(
                request,
                self.model,
                object_pk="admin-list",
                label=f"Admin list of {opts.verbose_name_plural}",
                query=request.GET.urlencode()[:200],
            )
        return response


@admin.register(AuthenticatorApp)
class AuthenticatorAppAdmin(SecondFactorListAdmin):
    list_display = ["user", "name", "confirmed", "last_used_at", "created_at"]


@admin.register(RecoveryCodes)
class RecoveryCodesAdmin(SecondFactorListAdmin):
    list_display = ["user", "name", "confirmed", "codes_left", "last_used_at", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(unused_codes=Count("codes"))

    @admin.display(description="Codes left", ordering="unused_codes")
    def codes_left(self, device: RecoveryCodes) -> int:
        return device.unused_codes
