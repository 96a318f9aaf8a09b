from django.apps import AppConfig

from .crypto import EncryptedMixin


def own_fields(model) -> list[str]:
    """A model's own columns. Left to itself auditlog also walks reverse relations, and reading
    a reverse one-to-one (another app's row on a request) costs a query on every save."""
    return [field.name for field in model._meta.concrete_fields]


class IntakeConfig(AppConfig):
    name = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Models (auditlog's registry and our modules built on models) can only be imported once
        # the app registry is ready.
        from auditlog.registry import auditlog

        from . import checks, signals  # noqa: F401
        from .audit import harden_auditlog_admin, keep_authors, protect_audit_log

        # The audit log is evidence: view-only in the admin, unchangeable through the ORM (and in
        # the database, by a trigger), and naming who acted even if their account went.
        harden_auditlog_admin()
        protect_audit_log()
        keep_authors()
        from .models import (
            ROSTER_FIELDS,
            ConsentRevocation,
            ContactAttempt,
            Disclosure,
            Facility,
            Lead,
            LeadNote,
            LeadRequest,
            Part2Consent,
            ReferralSource,
            StaffProfile,
        )

        # PHI fields (every encrypted column, and the phone's hash) are masked in the change log:
        # it records that they changed, not to what. Found by type, so a new PHI field is masked too.
        auditlog.register(Lead, mask_fields=[*phi_fields(Lead), "phone_hash"], include_fields=own_fields(Lead))
        for model in (LeadRequest, ContactAttempt, LeadNote, Part2Consent, ConsentRevocation, Disclosure):
            auditlog.register(model, mask_fields=phi_fields(model), include_fields=own_fields(model))
        # Who is alerted, and how, decides whether an urgent request reaches anyone: every change
        # to the roster (its page or the admin) is logged, with the editor. A staff member's own
        # mobile number is masked. The facilities a person works for are logged as they are added
        # and removed.
        auditlog.register(StaffProfile, include_fields=ROSTER_FIELDS, mask_fields=["mobile"], m2m_fields={"facilities"})
        # Facilities (the default, the NPI and TIN printed on estimates) and referral sources are
        # set by admins: who changed what is kept. Neither holds PHI.
        for model in (Facility, ReferralSource):
            auditlog.register(model, include_fields=own_fields(model))


def phi_fields(model) -> list[str]:
    return [f.name for f in model._meta.local_concrete_fields if isinstance(f, EncryptedMixin)]
