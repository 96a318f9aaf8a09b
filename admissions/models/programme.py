"""What each facility offers: a programme is one level of care at one facility, with its capacity
(beds for residential levels, slots for day and outpatient ones), a typical length, a price for
estimates, and the ages and payers it accepts."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from intake.models import Facility, LevelOfCare
from verification.payers import Payer

# Levels where a person stays the night: their capacity is counted in beds.
RESIDENTIAL_LEVELS = {LevelOfCare.DETOX, LevelOfCare.RESIDENTIAL}


class ProgrammeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, facility__active=True)

    def at(self, facility):
        return self.filter(facility=facility) if facility else self


class Programme(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="programmes")
    level = models.CharField("level of care", max_length=20, choices=LevelOfCare.choices)
    name = models.CharField(max_length=100, blank=True, help_text="Optional; the level of care's name when empty.")
    capacity = models.PositiveIntegerField(
        help_text="Beds (detox, residential) or places (day and outpatient programmes) the programme can hold at once."
    )
    typical_length_days = models.PositiveIntegerField(
        "typical length (days)", validators=[MinValueValidator(1)], help_text="Used for estimates and the board."
    )
    daily_price = models.DecimalField(
        "price per day (self-pay)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="The centre's self-pay price for one day (or one session day) of this programme, in dollars.",
    )
    service_code = models.CharField(
        max_length=10,
        blank=True,
        help_text='The HCPCS or revenue code printed on a Good Faith Estimate, e.g. "H0018".',
    )
    min_age = models.PositiveSmallIntegerField(default=18)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: no upper limit.")
    payers = models.ManyToManyField(
        Payer, blank=True, related_name="programmes", help_text="Insurers this programme is in network with."
    )
    accepts_self_pay = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["facility__name", "level"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "level"], name="one_programme_per_level_per_facility"),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.facility}"

    def clean(self) -> None:
        if self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": "The upper age is below the lower one."})

    @property
    def title(self) -> str:
        return self.name or self.get_level_display()

    @property
    def unit(self) -> str:
        """What its capacity counts: "bed" or "place"."""
        return "bed" if self.level in RESIDENTIAL_LEVELS else "place"

    def accepts_age(self, age: int | None) -> bool:
        if age is None:
            return True
        return age >= self.min_age and (self.max_age is None or age <= self.max_age)

    def estimated_total(self) -> Decimal:
        return self.daily_price * self.typical_length_days
