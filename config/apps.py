from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig


class LanternAdminConfig(AdminConfig):
    """Django's admin, behind the same sign-in and second factor as the staff area."""

    default_site = "config.admin_site.LanternAdminSite"


class SignInLockoutsConfig(AxesConfig):
    """django-axes under a name an admin understands ("AXES" on the admin index said nothing).
    Same app, label and behaviour: only the section's name changes."""

    verbose_name = "Sign-in lockouts"
