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

        # Each module connects its seed_demo_content receiver; the facilities' first, so that its
        # line reports them (the others build on them, seeding them if need be).
        # isort: off
        from . import demo_facilities  # noqa: F401
        from . import demo_beds, demo_partners, demo_screens  # noqa: F401

        # isort: on
        from .lead_part_beds import BedsPart
        from .lead_part_estimates import CostEstimates
        from .lead_part_referrals import Referrals
        from .lead_part_screen import Screens
        from .models import (
            Admission,
            ClinicalDecision,
            EstimateEmail,
            GoodFaithEstimate,
            Partner,
            PhoneScreen,
            Programme,
            Referral,
            ReferralChange,
            ReferralConsent,
            VisitorReminder,
            WaitlistEntry,
        )

        # Capacity and prices decide who gets a bed and what a person is told it costs; partners are
        # organisations: every change is logged with who made it.
        for model in (Programme, Partner):
            auditlog.register(model, include_fields=own_fields(model))
        # Screens, decisions, referrals, the consents staff record, who holds, fills and waits for
        # beds, and issued estimates: logged, their PHI masked.
        phi_models = (PhoneScreen, ClinicalDecision, Referral, ReferralChange, ReferralConsent)
        bed_models = (Admission, WaitlistEntry, VisitorReminder)
        for model in (*phi_models, *bed_models, GoodFaithEstimate, EstimateEmail):
            auditlog.register(model, mask_fields=phi_fields(model), include_fields=own_fields(model))

        # Intake cares for admissions' rows (the lead page, timeline, retention, merges, alerts)
        # through these parts, never by importing admissions.
        register(Screens())
        register(BedsPart())
        register(Referrals())
        register(CostEstimates())
