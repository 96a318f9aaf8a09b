"""What a typical stay at each level of care costs here: set by admins, used by the estimate."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from intake.models import LevelOfCare
from intake.templatetags.lantern import money


class StayUnit(models.TextChoices):
    DAY = "day", "Day"
    SESSION = "session", "Session (visit)"


class TypicalStayQuerySet(models.QuerySet):
    def by_level(self) -> dict[str, "TypicalStay"]:
        return {stay.level: stay for stay in self}


class TypicalStay(models.Model):
    """The centre's typical length and price of one level of care, e.g. 28 days at $1,200 a day."""

    level = models.CharField("level of care", max_length=20, choices=LevelOfCare.choices, unique=True)
    length = models.PositiveSmallIntegerField(
        "typical length", validators=[MinValueValidator(1)], help_text="How many days or sessions a typical stay has."
    )
    unit = models.CharField(max_length=10, choices=StayUnit.choices, default=StayUnit.DAY)
    price = models.DecimalField(
        "price per day or session",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="What the centre charges for one day or session of this care, before insurance.",
    )

    objects = TypicalStayQuerySet.as_manager()

    class Meta:
        verbose_name = "typical stay"

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.describe()}"

    @property
    def units(self) -> str:
        """ "days" or "sessions", matching the length (1 day, 12 sessions)."""
        return self.unit if self.length == 1 else f"{self.unit}s"

    def describe(self) -> str:
        """ "28 days at $1,200 a day"."""
        return f"{self.length} {self.units} at {money(self.price)} a {self.unit}"
