"""Demo content for `make run`: typical stays, so the workspace's estimates have prices to work from.

The prices are invented round figures of the kind a centre charges before insurance; a real centre
sets its own in the admin. Prices an admin has already set are kept.
"""

from decimal import Decimal

from django.dispatch import receiver

from intake.models import LevelOfCare
from intake.signals import seed_demo_content

from .stays import StayUnit, TypicalStay

DEMO_STAYS = {
    LevelOfCare.DETOX: (7, StayUnit.DAY, Decimal("1500")),
    LevelOfCare.RESIDENTIAL: (28, StayUnit.DAY, Decimal("1200")),
    LevelOfCare.PHP: (20, StayUnit.DAY, Decimal("700")),
    LevelOfCare.IOP: (36, StayUnit.DAY, Decimal("400")),
    LevelOfCare.OUTPATIENT: (12, StayUnit.SESSION, Decimal("150")),
}


@receiver(seed_demo_content)
def seed_demo_stays(sender, **kwargs) -> str | None:
    created = 0
    for level, (length, unit, price) in DEMO_STAYS.items():
        defaults = {"length": length, "unit": unit, "price": price}
        _, made = TypicalStay.objects.get_or_create(level=level, defaults=defaults)
        created += made
    return f"Created {created} demo typical stays (prices for the benefits estimate)" if created else None
