"""Demo data for cost estimates: the programmes a Good Faith Estimate is made from, at "Maple House"
(detox then residential), created only where the facilities builder has not made them already.
Idempotent: get_or_create by the same names, and nothing an admin changed is touched."""

from decimal import Decimal

from django.dispatch import receiver

from intake.models import Facility, LevelOfCare
from intake.signals import seed_demo_content

from .models import Programme

# Invented numbers, clearly demo: a GFE printed from them must not look real.
MAPLE_HOUSE = {"street_address": "1 Demo Lane", "city": "Springfield", "state": "IL", "postal_code": "62701"}
PROGRAMMES = [
    (
        LevelOfCare.DETOX,
        {"capacity": 8, "typical_length_days": 5, "daily_price": Decimal("1200"), "service_code": "H0011"},
    ),
    (
        LevelOfCare.RESIDENTIAL,
        {"capacity": 24, "typical_length_days": 28, "daily_price": Decimal("650"), "service_code": "H0018"},
    ),
]


@receiver(seed_demo_content, dispatch_uid="admissions-demo-estimates")
def seed_estimate_programmes(sender=None, **kwargs) -> None:
    facility, _ = Facility.objects.get_or_create(name="Maple House", defaults=MAPLE_HOUSE)
    for level, defaults in PROGRAMMES:
        Programme.objects.get_or_create(facility=facility, level=level, defaults=defaults)
