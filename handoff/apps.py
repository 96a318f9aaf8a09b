from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "handoff"
    verbose_name = "Hand-off to the clinical record"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once apps are loaded.
        from auditlog.registry import auditlog

        from intake.apps import own_fields, phi_fields
        from intake.extensions import register

        from . import checks, demo, receivers  # noqa: F401  (they register on import)
        from .lead_part import ClinicalRecord
        from .models import HandoffConsent, RecordExport

        # The consents staff record and every export: logged, the names on the form masked.
        for model in (HandoffConsent, RecordExport):
            auditlog.register(model, mask_fields=phi_fields(model), include_fields=own_fields(model))

        # Intake shows and cares for the hand-off's rows through this part, never by importing it.
        register(ClinicalRecord())
