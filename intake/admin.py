from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ActionLocation
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import User
from django.shortcuts import redirect

from .audit import has_audit_history, record_change
from .models import Notification, StaffProfile, reset_second_factor
from .models.staff import deactivate_staff
from .roster_forms import spoken_languages_field


class StaffProfileAdminForm(forms.ModelForm):
    languages = spoken_languages_field()

    class Meta:
        model = StaffProfile
        fields = "__all__"  # noqa: DJ007 -- the inline shows every roster field, as before; only this one's widget changes


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    form = StaffProfileAdminForm
    can_delete = False
    verbose_name_plural = "Admissions"
    # Which facilities the person works for (none: all); the roster page sets it too.
    filter_horizontal = ["facilities"]


KEPT_FOR_THE_LOG = (
    "{names} appear{s} in the audit log, which must go on naming who did what: deactivate "
    "instead (the account keeps its history and can no longer sign in). Nothing was deleted."
)


class StaffAccountForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_active") and not cleaned.get("email"):
            # The owner is told there when a new authenticator is added to their account: the
            # signal that someone else who knew the password enrolled first.
            self.add_error("email", "An active account needs an email address: sign-in security notices go there.")
        return cleaned


class LanternUserAdmin(UserAdmin):
    """Staff accounts are deactivated, never deleted once the audit log names them."""

    form = StaffAccountForm
    inlines = [StaffProfileInline]
    list_display = ["username", "email", "is_active", "is_staff", "on_duty", "languages"]
    actions = ["deactivate", "reset_second_factors", "delete_selected"]

    @admin.display(boolean=True, description="On duty")
    def on_duty(self, user: User) -> bool:
        return getattr(getattr(user, "staff_profile", None), "on_duty", False)

    @admin.display(description="Languages")
    def languages(self, user: User) -> str:
        names = dict(settings.LANGUAGES)
        spoken = getattr(getattr(user, "staff_profile", None), "languages", None) or []
        return ", ".join(["English", *(names[code] for code in spoken if code in names)])

    @admin.action(
        permissions=["change"],
        description="Deactivate: no more sign-ins, sign out everywhere, no alerts",
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def deactivate(self, request, queryset) -> None:
        done = []
        for user in queryset.exclude(pk=request.user.pk).filter(is_active=True):
            deactivate_staff(user)
            record_change(request, user, label=f"Account {user.get_username()} deactivated", deactivated=True)
            done.append(user.get_username())
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "Your own account stays active: ask another admin.", messages.WARNING)
        if done:
            self.message_user(request, f"Deactivated and signed out: {', '.join(done)}.", messages.SUCCESS)

    @admin.action(
        permissions=["change"],
        description="Reset second factor (lost phone): remove their authenticator and recovery codes, sign them out",
        location=[ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM],
    )
    def reset_second_factors(self, request, queryset) -> None:
        done = []
        for user in queryset.exclude(pk=request.user.pk):
            removed = reset_second_factor(user)
            record_change(request, user, label=f"Second factor of {user.get_username()} reset", removed=removed)
            done.append(user.get_username())
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "Your own second factor stays: ask another admin.", messages.WARNING)
        if done:
            self.message_user(
                request,
                f"Second factor removed and signed out: {', '.join(done)}. They set up a new authenticator at their "
                "next sign-in: give them a new password first, so nobody else who knew the old one can.",
                messages.SUCCESS,
            )

    @admin.action(permissions=["delete"], description="Delete selected users (only accounts the audit log never names)")
    def delete_selected(self, request, queryset):
        audited = [user.get_username() for user in queryset if has_audit_history(user)]
        if audited:
            self.message_user(request, _kept_message(audited), messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and has_audit_history(obj))

    def delete_view(self, request, object_id, extra_context=None):
        # Said plainly, where a bare 403 from has_delete_permission would not say why.
        user = self.get_object(request, unquote(object_id))
        if user is not None and has_audit_history(user):
            self.message_user(request, _kept_message([user.get_username()]), messages.ERROR)
            return redirect("admin:auth_user_change", user.pk)
        return super().delete_view(request, object_id, extra_context)


def _kept_message(usernames: list[str]) -> str:
    return KEPT_FOR_THE_LOG.format(names=", ".join(usernames), s="s" if len(usernames) == 1 else "")


admin.site.unregister(User)
admin.site.register(User, LanternUserAdmin)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery state only: no message content is stored, so nothing here is PHI."""

    list_display = [
        "id",
        "lead_id",
        "recipient",
        "kind",
        "urgent",
        "status",
        "attempts",
        "created_at",
        "finished_at",
        "last_error",
    ]
    list_filter = ["status", "kind", "channel"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


from . import facility_admin, second_factor_admin  # noqa: E402, F401 - registers their admins
