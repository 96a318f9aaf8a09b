from django.contrib.admin.apps import AdminConfig


class LanternAdminConfig(AdminConfig):
    """Django's admin, behind the same sign-in and second factor as the staff area."""

    default_site = "config.admin_site.LanternAdminSite"
