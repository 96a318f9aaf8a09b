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

        # Referrals out (issue 18 point 6): partners are organisations, logged like programmes;
        # referrals, their history and the consents staff record carry PHI, masked in the log.
        from intake import extensions
        from intake.apps import phi_fields

        from . import demo_partners  # noqa: F401  (connects its seed_demo_content receiver)
        from .lead_part_referrals import Referrals
        from .models import Partner, Referral, ReferralChange, ReferralConsent

        auditlog.register(Partner, include_fields=own_fields(Partner))
        for model in (Referral, ReferralChange, ReferralConsent):
            auditlog.register(model, mask_fields=phi_fields(model), include_fields=own_fields(model))
        extensions.register(Referrals())
