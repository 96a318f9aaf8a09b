from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = "Admissions: programmes, beds and referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once apps are loaded.
        from auditlog.registry import auditlog

        from intake.apps import own_fields

        from .models import Programme

        # Capacity and prices decide who gets a bed and what a person is told it costs: every
        # change is logged with who made it.
        auditlog.register(Programme, include_fields=own_fields(Programme))

        from . import demo_facilities  # noqa: F401 - its receiver seeds the demo facilities
