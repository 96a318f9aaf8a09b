"""The partner directory: organisations the centre refers people to when it is not the right place,
with what each offers (levels of care and other services), whom it takes (payers, ages) and how to
reach its intake. No PHI: these are organisations, managed by admins in /admin/."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models

from intake.models import LevelOfCare
from verification.payers import Payer


class PartnerService(models.TextChoices):
    """What a partner offers: the centre's own levels of care (same codes, so a clinician's
    REFER_OUT level matches directly) and the services the centre itself does not run."""

    DETOX = LevelOfCare.DETOX.value, LevelOfCare.DETOX.label
    RESIDENTIAL = LevelOfCare.RESIDENTIAL.value, LevelOfCare.RESIDENTIAL.label
    PHP = LevelOfCare.PHP.value, LevelOfCare.PHP.label
    IOP = LevelOfCare.IOP.value, LevelOfCare.IOP.label
    OUTPATIENT = LevelOfCare.OUTPATIENT.value, LevelOfCare.OUTPATIENT.label
    MOUD = "moud", "Medication for opioid use disorder"
    MENTAL_HEALTH_INPATIENT = "mh_inpatient", "Mental health inpatient"
    SOBER_LIVING = "sober_living", "Sober living"


# Short words for a match's reasons ("Takes Aetna · IOP · ages 18+").
SHORT = {"php": "PHP", "iop": "IOP", "moud": "MOUD", "mh_inpatient": "Mental health inpatient"}


class PartnerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def offering(self, service: str):
        # Services are a JSON list; matching its quoted code works on PostgreSQL and SQLite alike.
        return self.filter(services__icontains=f'"{service}"') if service else self

    def taking(self, payer):
        return self.filter(payers=payer) if payer else self


class Partner(models.Model):
    name = models.CharField(max_length=150, unique=True)
    services = models.JSONField(default=list, help_text="Levels of care and services offered (PartnerService codes).")
    payers = models.ManyToManyField(Payer, blank=True, related_name="partners", help_text="Insurers it accepts.")
    accepts_medicaid = models.BooleanField(default=False)
    accepts_self_pay = models.BooleanField(default=False)
    min_age = models.PositiveSmallIntegerField(default=18)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: no upper limit.")
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=30)
    intake_hours = models.CharField(max_length=200, blank=True, help_text='e.g. "Mon-Fri 8am-6pm; walk-ins to 2pm".')
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True, help_text="For staff: who to ask for, what to send. Never about a person.")
    active = models.BooleanField(default=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": "The upper age is below the lower one."})
        unknown = [code for code in self.services or [] if code not in PartnerService.values]
        if unknown:
            raise ValidationError({"services": f"Unknown services: {', '.join(unknown)}."})

    @property
    def service_labels(self) -> list[str]:
        return [PartnerService(code).label for code in self.services if code in PartnerService.values]

    @property
    def ages(self) -> str:
        return f"ages {self.min_age}+" if self.max_age is None else f"ages {self.min_age}-{self.max_age}"

    def offers(self, service: str) -> bool:
        return service in (self.services or [])

    def accepts_age(self, age: int | None) -> bool:
        return age is None or (age >= self.min_age and (self.max_age is None or age <= self.max_age))

    def takes(self, payer) -> bool:
        # Reads the prefetched payers when there are some (suggestions rank a whole directory).
        return payer is not None and any(p.pk == payer.pk for p in self.payers.all())


@dataclass
class Match:
    """How well one partner fits a person: `reasons` it fits, `misses` where it does not (shown,
    not hidden: a worker may know the partner takes them anyway)."""

    partner: Partner
    reasons: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return not self.misses

    @property
    def why(self) -> str:
        return " · ".join(self.reasons)


def match(partner: Partner, *, service: str = "", payer=None, self_pay: bool = False, age: int | None = None) -> Match:
    """One partner against what the person needs; each fact unknown is neither a reason nor a miss."""
    found = Match(partner)
    if payer is not None:
        if partner.takes(payer):
            found.reasons.append(f"Takes {payer.name}")
        elif partner.accepts_medicaid and "medicaid" in payer.name.lower():
            found.reasons.append("Takes Medicaid")
        else:
            found.misses.append(f"Does not list {payer.name}")
    elif self_pay:
        (found.reasons if partner.accepts_self_pay else found.misses).append(
            "Self-pay" if partner.accepts_self_pay else "No self-pay"
        )
    if service:
        words = SHORT.get(service) or PartnerService(service).label
        (found.reasons if partner.offers(service) else found.misses).append(
            words if partner.offers(service) else f"No {words}"
        )
    if partner.accepts_age(age):
        found.reasons.append(partner.ages)
    else:
        found.misses.append(f"Only {partner.ages}")
    return found


def suggest(*, service: str = "", payer=None, self_pay: bool = False, age: int | None = None) -> list[Match]:
    """Every active partner, best matches first: fewest misses, then most reasons, then name."""
    partners = Partner.objects.active().prefetch_related("payers")
    matches = [match(p, service=service, payer=payer, self_pay=self_pay, age=age) for p in partners]
    return sorted(matches, key=lambda m: (len(m.misses), -len(m.reasons), m.partner.name))
