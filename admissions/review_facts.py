"""A lead's essentials for the clinician: who, how old if known, for whom, insurance if checked."""

import datetime as dt

from django.utils import timezone

from intake.models import Lead, staff_name


def age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def essentials(lead: Lead) -> dict:
    verification = lead.verifications.select_related("payer").order_by("-created_at").first()
    facts = {"name": lead.name, "for_whom": lead.get_for_whom_display(), "age": None, "insurance": "Not checked"}
    facts["worker"] = staff_name(lead.assigned_to)
    if verification is not None:
        born = verification.date_of_birth
        if isinstance(born, dt.date):
            facts["age"] = age_on(born, timezone.localdate())
        payer = verification.payer.name if verification.payer else "insurer"
        outcome = verification.get_outcome_display() or verification.get_status_display()
        facts["insurance"] = f"{payer}: {outcome}"
    return facts
