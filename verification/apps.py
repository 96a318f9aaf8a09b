from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "verification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from intake.apps import own_fields

        from . import checks  # noqa: F401
        from .models import EligibilityCheck, VerificationRequest

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
