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

        # Cost estimates: each issued estimate and each email of it is logged, its PHI masked.
        from intake.apps import phi_fields
        from intake.extensions import register

        from . import demo_estimates  # noqa: F401 - connects its seed_demo_content receiver
        from .lead_part_estimates import CostEstimates
        from .models import EstimateEmail, GoodFaithEstimate

        auditlog.register(
            GoodFaithEstimate, include_fields=own_fields(GoodFaithEstimate), mask_fields=phi_fields(GoodFaithEstimate)
        )
        auditlog.register(
            EstimateEmail, include_fields=own_fields(EstimateEmail), mask_fields=phi_fields(EstimateEmail)
        )
        register(CostEstimates())
