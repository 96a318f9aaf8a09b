"""The insurances on a verification request: the card the visitor gave first and, for a person with
two plans (a young adult on a parent's plan and their own employer's), a second one.

`Plan` reads either one the same way, so a check, the coordination of benefits and the hand-off to
the clinical record do not care which columns a plan lives in. Which plan pays first is never
assumed from the order the visitor gave them: the payers' answers say (see `coordination`).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.crypto import EncryptedCharField, EncryptedDateField

from .eligibility import DEFAULT_SERVICE_TYPES
from .payers import Payer


class Which(models.TextChoices):
    FIRST = "first", "First insurance"
    SECOND = "second", "Second insurance"


class SecondInsurance(models.Model):
    """A second plan the visitor gave with their request; checked beside the first."""

    verification = models.OneToOneField(
        "verification.VerificationRequest", on_delete=models.CASCADE, related_name="second_insurance"
    )
    payer = models.ForeignKey(Payer, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payer_other = EncryptedCharField(max_length=100, blank=True)
    member_id = EncryptedCharField(max_length=40)
    group_number = EncryptedCharField(max_length=40, blank=True)
    relationship = models.CharField(max_length=10, default="self")
    subscriber_first_name = EncryptedCharField(max_length=60, blank=True)
    subscriber_last_name = EncryptedCharField(max_length=60, blank=True)
    subscriber_date_of_birth = EncryptedDateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Second insurance of verification #{self.verification_id}"

    def get_additional_data(self) -> dict:
        return {"verification_id": self.verification_id}


@dataclass
class Plan:
    """One insurance of a request, whichever model holds it."""

    which: str
    payer: Payer | None
    payer_other: str
    member_id: str
    group_number: str
    relationship: str
    subscriber_first_name: str
    subscriber_last_name: str
    subscriber_date_of_birth: object

    @classmethod
    def of(cls, source, which: str) -> "Plan":
        return cls(
            which=which,
            payer=source.payer,
            payer_other=source.payer_other,
            member_id=source.member_id,
            group_number=source.group_number,
            relationship=source.relationship,
            subscriber_first_name=source.subscriber_first_name,
            subscriber_last_name=source.subscriber_last_name,
            subscriber_date_of_birth=source.subscriber_date_of_birth,
        )

    @property
    def payer_name(self) -> str:
        return self.payer.name if self.payer else self.payer_other

    @property
    def electronic(self) -> bool:
        return self.payer is not None and self.payer.electronic

    @property
    def relationship_label(self) -> str:
        """The patient's relationship to this plan's policy holder, in the form's words."""
        from .models import Relationship  # models imports this module

        return str(dict(Relationship.choices).get(self.relationship, self.relationship))

    @property
    def label(self) -> str:
        return str(_("First insurance") if self.which == Which.FIRST else _("Second insurance"))

    def service_type_requests(self) -> list[list[str]]:
        """The service types of each request one check of this plan sends: all of them in one
        request ([[]]: the default list) for a payer known to accept several, else one request per
        service type (clearinghouses' advice; a payer that takes only one may answer the rest with
        plan-level benefits, silently)."""
        if self.payer is None or self.payer.multiple_service_types:
            return [[]]
        return [[code] for code in DEFAULT_SERVICE_TYPES]

    def __repr__(self) -> str:
        return f"Plan(which={self.which!r}, payer_id={self.payer.payer_id if self.payer else ''!r})"
