from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .models import Notification, StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    verbose_name_plural = "Admissions"


class LanternUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = ["username", "email", "is_active", "is_staff", "on_duty"]

    @admin.display(boolean=True, description="On duty")
    def on_duty(self, user: User) -> bool:
        return getattr(getattr(user, "staff_profile", None), "on_duty", False)


admin.site.unregister(User)
admin.site.register(User, LanternUserAdmin)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery state only: no message content is stored, so nothing here is PHI."""

    list_display = ["id", "lead_id", "recipient", "kind", "urgent", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", "channel"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


from . import second_factor_admin  # noqa: E402, F401 - registers the second-factor lists
