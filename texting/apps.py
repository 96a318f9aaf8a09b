from django.apps import AppConfig


class TextingConfig(AppConfig):
    name = "texting"
    verbose_name = "Texting with visitors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once apps are loaded.
        from auditlog.registry import auditlog

        from intake.apps import own_fields, phi_fields
        from intake.extensions import register

        # Imported for what they connect: the settings checks, seed_demo's texts, the first text
        # to the front door.
        from . import checks, demo, receivers  # noqa: F401
        from .lead_part import Conversation
        from .models import IncomingText, OutgoingText

        # Every text both ways is logged with its changes (status, reports), its words masked.
        for model in (IncomingText, OutgoingText):
            auditlog.register(model, mask_fields=[*phi_fields(model), "phone_hash"], include_fields=own_fields(model))
        register(Conversation())
