"""Demo facilities, programmes and referral sources for `manage.py seed_demo`.

Two facilities: Maple House (the default: detox and residential, in beds) and Riverside Day Center
(partial hospitalisation, intensive outpatient and outpatient, in places). Prices are invented
round self-pay figures per day (the same as verification's demo typical stays). Service codes are
the HCPCS Level II codes a centre prints on a Good Faith Estimate, checked against their CMS
descriptions:
  H0010  alcohol/drug services; sub-acute detoxification (residential addiction program inpatient),
         per diem: Maple House's detox is bed-based with nurses round the clock, so not H0012
         (sub-acute detox, residential program *outpatient*) and not H0011 (acute detox, the
         medically managed, hospital-level kind);
  H0018  behavioral health; short-term residential (non-hospital residential treatment), per diem;
  H0035  mental health partial hospitalization, treatment, less than 24 hours;
  H0015  alcohol/drug services; intensive outpatient (at least 3 hours a day, 3 days a week);
  H0004  behavioral health counseling and therapy, per 15 minutes (outpatient sessions).
Referral sources are invented names that are clearly not real organisations.

Idempotent: found by name; what an admin has changed is left alone.
"""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from intake.models import Facility, Lead, LevelOfCare, ReferralSource
from intake.signals import seed_demo_content
from verification.payers import Payer

from .models import Programme

MAPLE_HOUSE = "Maple House"
RIVERSIDE = "Riverside Day Center"

DEMO_FACILITIES = {
    MAPLE_HOUSE: {
        "street_address": "200 Example Road",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "phone": "+12175550100",
        "npi": "1000000004",  # invented; a real NPI comes from NPPES
        "tax_id": "00-0000001",
    },
    RIVERSIDE: {
        "street_address": "45 Example River Drive",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62702",
        "phone": "+12175550142",
        "npi": "1000000012",
        "tax_id": "00-0000001",
    },
}

# facility, level: capacity, typical length (days), self-pay price per day, HCPCS code.
DEMO_PROGRAMMES = {
    # A small detox unit: the demo fills it, so the board shows a full programme and its waitlist.
    (MAPLE_HOUSE, LevelOfCare.DETOX): (6, 7, Decimal("1500"), "H0010"),
    (MAPLE_HOUSE, LevelOfCare.RESIDENTIAL): (24, 28, Decimal("1200"), "H0018"),
    (RIVERSIDE, LevelOfCare.PHP): (20, 20, Decimal("700"), "H0035"),
    (RIVERSIDE, LevelOfCare.IOP): (30, 36, Decimal("400"), "H0015"),
    (RIVERSIDE, LevelOfCare.OUTPATIENT): (40, 84, Decimal("150"), "H0004"),
}

# The insurers the demo programmes are in network with (rows seeded by verification's migration).
DEMO_PAYERS = ["Aetna", "Blue Cross Blue Shield / Anthem", "Cigna", "UnitedHealthcare / Optum"]

DEMO_SOURCES = [
    ("Example County General Hospital (demo)", ReferralSource.Kind.HOSPITAL),
    ("Dr. Demo Family Practice (demo)", ReferralSource.Kind.PHYSICIAN),
    ("Sample Street Counselling (demo)", ReferralSource.Kind.THERAPIST),
    ("Example County Drug Court (demo)", ReferralSource.Kind.COURT),
    ("Acme Widgets EAP (demo)", ReferralSource.Kind.EMPLOYER),
    ("Lantern Alumni Group (demo)", ReferralSource.Kind.ALUMNI),
]


def _maple_house() -> Facility:
    """Maple House, the default. The facility migration 0017 made (named after the centre) is
    renamed to it when it offers nothing yet, so the demo leads it holds stay at the default."""
    found = Facility.objects.filter(name=MAPLE_HOUSE).first()
    if found:
        return found
    placeholder = Facility.objects.filter(name=settings.CENTRE_NAME, programmes__isnull=True).first()
    if placeholder:
        placeholder.name = MAPLE_HOUSE
        placeholder.is_default = True
        placeholder.save()
        return placeholder
    return Facility.objects.create(name=MAPLE_HOUSE, is_default=True)


@receiver(seed_demo_content)
@transaction.atomic
def seed_demo_facilities(sender, **kwargs) -> str | None:
    made = []
    maple = _maple_house()
    riverside, created = Facility.objects.get_or_create(name=RIVERSIDE)
    made += ["Riverside Day Center"] if created else []
    for facility in (maple, riverside):
        for field, value in DEMO_FACILITIES[facility.name].items():
            if not getattr(facility, field):  # fill the blanks, keep an admin's values
                setattr(facility, field, value)
        facility.save()
    facilities = {MAPLE_HOUSE: maple, RIVERSIDE: riverside}
    payers = list(Payer.objects.filter(name__in=DEMO_PAYERS))
    for (name, level), (capacity, length, price, code) in DEMO_PROGRAMMES.items():
        programme, created = Programme.objects.get_or_create(
            facility=facilities[name],
            level=level,
            defaults={"capacity": capacity, "typical_length_days": length, "daily_price": price, "service_code": code},
        )
        if created:
            programme.payers.set(payers)
            made.append(str(programme))
    sources = []
    for name, kind in DEMO_SOURCES:
        source, created = ReferralSource.objects.get_or_create(name=name, defaults={"kind": kind})
        sources.append(source)
        made += [name] if created else []
    placed = _place_demo_leads(maple, riverside, sources)
    if not made and not placed:
        return None
    return f"Demo facilities: created {len(made)} facilities, programmes and sources; placed {placed} leads"


def demo_programme(level: str) -> Programme:
    """A demo programme (Maple House for detox and residential, Riverside for the others), the
    facilities seeded first if they are not yet: other apps' demo content builds on these."""
    seed_demo_facilities(sender=None)
    facility = MAPLE_HOUSE if (MAPLE_HOUSE, level) in DEMO_PROGRAMMES else RIVERSIDE
    return Programme.objects.get(facility__name=facility, level=level)


def _place_demo_leads(maple: Facility, riverside: Facility, sources: list[ReferralSource]) -> int:
    """Demo leads without a source, still at the default (or at none): by their number, every third
    to Riverside and most of them a source (every fifth none, as in life), so a second run sets the
    same. Plain updates: invented history, not staff's work, so no timeline events."""
    placed = 0
    leads = Lead.objects.filter(referral_source__isnull=True).exclude(facility=riverside)
    for pk, facility_id in leads.values_list("pk", "facility_id"):
        source = None if pk % 5 == 4 else sources[pk % len(sources)]
        facility = riverside if pk % 3 == 2 else maple
        if source or facility.pk != facility_id:
            placed += Lead.objects.filter(pk=pk).update(facility=facility, referral_source=source)
    return placed
