from django.apps import AppConfig


def own_fields(model) -> list[str]:
    """A model's own columns. Left to itself auditlog also walks reverse relations, and reading
    a reverse one-to-one (a lead's verification) costs a query on every save."""
    return [field.name for field in model._meta.concrete_fields]


class IntakeConfig(AppConfig):
    name = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import checks, signals  # noqa: F401
        from .audit import harden_auditlog_admin, protect_audit_log

        # The audit log is evidence: view-only in the admin, and unchangeable through the ORM.
        harden_auditlog_admin()
        protect_audit_log()
        from .models import ContactAttempt, Lead, LeadNote, LeadRequest

        # PHI fields are masked in the change log: it records that they changed, not to what.
        phi = ["name", "phone", "email", "phone_hash"]
        auditlog.register(Lead, mask_fields=phi, include_fields=own_fields(Lead))
        auditlog.register(LeadRequest, mask_fields=["message"])
        auditlog.register(ContactAttempt, mask_fields=["note"])
        auditlog.register(LeadNote, mask_fields=["body"])
