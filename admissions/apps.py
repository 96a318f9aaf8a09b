from django.apps import AppConfig


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = "Admissions: programmes, beds and referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once apps are loaded.
        from auditlog.registry import auditlog

        from intake.apps import own_fields, phi_fields
        from intake.extensions import register

        from . import demo_beds  # noqa: F401 - connects its seed_demo_content receiver
        from .lead_part_beds import BedsPart
        from .models import Admission, Programme, VisitorReminder, WaitlistEntry

        # Capacity and prices decide who gets a bed and what a person is told it costs: every
        # change is logged with who made it.
        auditlog.register(Programme, include_fields=own_fields(Programme))
        # Who holds, fills and frees beds, and who waits for them: logged, notes masked.
        for model in (Admission, WaitlistEntry, VisitorReminder):
            auditlog.register(model, include_fields=own_fields(model), mask_fields=phi_fields(model))
        register(BedsPart())
