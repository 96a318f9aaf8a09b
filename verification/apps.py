from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

from intake.apps import own_fields
from intake.extensions import register


class VerificationConfig(AppConfig):
    name = "verification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Models (auditlog's registry and our modules built on models) can only be imported once
        # the app registry is ready.
        from auditlog.registry import auditlog

        from . import checks, demo  # noqa: F401
        from .insurances import SecondInsurance
        from .lead_part import Verifications
        from .models import EligibilityCheck, Payer, VerificationRequest

        # The form's list of insurers is cached (Payer.objects.listed): a saved payer shows at once.
        for signal in (post_save, post_delete):
            signal.connect(lambda **kwargs: Payer.objects.forget_listed(), sender=Payer, weak=False)

        # Intake cares for verification's rows and photos (retention, key rotation, merges, the
        # staff lead page) through this part, never by importing verification.
        register(Verifications())

        # Every view and change is logged; PHI fields are recorded as changed, never by value.
        auditlog.register(
            VerificationRequest,
            mask_fields=[
                "first_name",
                "last_name",
                "date_of_birth",
                "payer_other",
                "member_id",
                "group_number",
                "subscriber_first_name",
                "subscriber_last_name",
                "subscriber_date_of_birth",
                "staff_summary",
                "card_front",
                "card_back",
            ],
            include_fields=own_fields(VerificationRequest),
        )
        auditlog.register(EligibilityCheck, mask_fields=["summary_json", "raw_payload"])
        auditlog.register(
            SecondInsurance,
            mask_fields=[
                "payer_other",
                "member_id",
                "group_number",
                "subscriber_first_name",
                "subscriber_last_name",
                "subscriber_date_of_birth",
            ],
        )
