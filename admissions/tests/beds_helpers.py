"""Accepted leads and programmes for the beds tests."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from admissions.models import Programme
from intake.models import Facility, Lead, LeadStatus, LevelOfCare


def programme(level=LevelOfCare.DETOX, capacity=1, facility=None) -> Programme:
    if facility is None:
        facility = Facility.objects.default() or Facility.objects.create(name="Maple House", is_default=True)
        if facility.name != "Maple House":  # the default facility, named as in the demo
            Facility.objects.filter(pk=facility.pk).update(name="Maple House")
            facility.refresh_from_db()
    return Programme.objects.create(
        facility=facility, level=level, capacity=capacity, typical_length_days=7, daily_price=Decimal("900")
    )


def accepted_lead(worker, clinician, prog: Programme, n: int = 0, **extra) -> Lead:
    """A lead a worker reached and a clinician accepted for `prog` (the contract of common.md)."""
    lead = Lead.objects.create(
        name=f"Jordan Whitlock{n}",
        phone=f"+1415555{2600 + n:04d}",
        email=f"jordan{n}@example.com",
        status=LeadStatus.REACHED,
        assigned_to=worker,
        created_at=timezone.now() - dt.timedelta(days=2),
        **extra,
    )
    lead.advance(LeadStatus.AWAITING_REVIEW, by=worker)
    lead.advance(LeadStatus.ACCEPTED, by=clinician, programme=prog.pk)
    return lead


def tomorrow(hours: int = 24) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)
