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

        # The phone screen and the clinical decision (issue 18): their LeadPart, their audit
        # trail (every answer masked: the whole screen is PHI), and their demo rows.
        from intake.apps import phi_fields
        from intake.extensions import register

        from . import demo_screens  # noqa: F401  (connects its seed_demo_content receiver)
        from .lead_part_screen import Screens
        from .models import ClinicalDecision, PhoneScreen

        register(Screens())
        for model in (PhoneScreen, ClinicalDecision):
            auditlog.register(model, mask_fields=phi_fields(model), include_fields=own_fields(model))
