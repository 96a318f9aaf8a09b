"""Where the centre admits people, and who sends people to it.

A centre may run several facilities; one is the default, and a lead belongs to it until staff
move it, so a single-site centre never has to think about facilities at all (the queue, roster
and metrics show no facility choice while there is only one). Referral sources are the
organisations and people who send patients in (a hospital, a therapist, a court, alumni): staff
pick one on the lead, and the metrics count leads, admissions and speed to lead by source.
Neither holds PHI.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q


class FacilityQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def default(self) -> "Facility | None":
        """The facility a new lead belongs to: the one marked default, else the first active one."""
        return self.active().order_by("-is_default", "pk").first()

    def default_id(self) -> int | None:
        return self.active().order_by("-is_default", "pk").values_list("pk", flat=True).first()

    def several(self) -> bool:
        """Whether staff pages should offer a choice of facility at all."""
        return self.active().count() > 1


class Facility(models.Model):
    name = models.CharField(max_length=120, unique=True)
    street_address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text='Two letters, e.g. "VT".')
    postal_code = models.CharField("ZIP code", max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="The facility's admissions line.")
    npi = models.CharField(
        "NPI",
        max_length=10,
        blank=True,
        help_text="The facility's 10-digit National Provider Identifier (printed on Good Faith Estimates).",
    )
    tax_id = models.CharField("tax ID (TIN)", max_length=10, blank=True, help_text="Printed on Good Faith Estimates.")
    is_default = models.BooleanField(
        "default facility", default=False, help_text="New requests belong here until staff move them."
    )
    active = models.BooleanField(default=True)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name_plural = "facilities"
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_facility"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Marking a facility default unmarks the old one in the same transaction (the constraint
        # allows one).
        with transaction.atomic():
            if self.is_default:
                Facility.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
            super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.npi and not (self.npi.isdigit() and len(self.npi) == 10):
            raise ValidationError({"npi": "An NPI is 10 digits."})
        if self.is_default and not self.active:
            raise ValidationError({"active": "The default facility must be active."})

    @property
    def address_lines(self) -> list[str]:
        town = " ".join(part for part in [f"{self.city}," if self.city else "", self.state, self.postal_code] if part)
        return [line for line in [self.street_address, town.strip(" ,")] if line]


class ReferralSource(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "Hospital or emergency department"
        PHYSICIAN = "physician", "Physician or clinic"
        THERAPIST = "therapist", "Therapist or counsellor"
        COURT = "court", "Court or probation"
        EMPLOYER = "employer", "Employer or EAP"
        ALUMNI = "alumni", "Alumni association or group"
        COMMUNITY = "community", "Community organisation"
        OTHER = "other", "Other"

    name = models.CharField(
        max_length=160,
        unique=True,
        # A source is named on every lead it sent: a person's name here (a former patient who
        # recommended us) would be PHI in a field that is not encrypted.
        help_text="The organisation or group (a clinic, a court, an alumni association): never a patient's or "
        "former patient's name.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    contact_name = models.CharField("contact", max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive sources stay on old leads but cannot be picked.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LeadPlacement:
    """Lead methods for where a lead is worked and who sent the person. Each change is one save
    (audited by auditlog, which tracks Lead's own fields) and one LeadEvent naming the old and the
    new by name: facilities and sources are organisations, never PHI."""

    def move_to_facility(self, facility: Facility | None, *, by) -> bool:
        """Move the lead to `facility`; False when it is there already (nothing recorded)."""
        return self._place("facility", facility, by=by)

    def set_referral_source(self, source: ReferralSource | None, *, by) -> bool:
        """Record who sent the person (None: nobody / they came themselves); False when unchanged."""
        return self._place("referral_source", source, by=by)

    def set_language(self, language: str, *, by) -> bool:
        """The language the person prefers, as they said on a call (who calls them, what we send
        them); False when unchanged."""
        from .events import EventKind, LeadEvent

        if self.language == language:
            return False
        with transaction.atomic():
            before, self.language = self.language, language
            self.save(update_fields=["language", "updated_at"])
            LeadEvent.objects.record(self, EventKind.LANGUAGE, by=by, **{"from": before, "to": language})
        return True

    def _place(self, field: str, value, *, by) -> bool:
        from .events import EventKind, LeadEvent  # events import staff, which this module must not need at load

        if getattr(self, f"{field}_id") == (value.pk if value else None):
            return False
        kind = EventKind.FACILITY if field == "facility" else EventKind.REFERRAL_SOURCE
        with transaction.atomic():
            before = getattr(self, field)
            setattr(self, field, value)
            self.save(update_fields=[field, "updated_at"])
            LeadEvent.objects.record(
                self,
                kind,
                by=by,
                **{"from": str(before) if before else "", "to": str(value) if value else ""},
                from_id=before.pk if before else None,
                to_id=value.pk if value else None,
            )
        return True
