"""A clinician's decision on a screened lead: accept for a programme, ask for more information, or
recommend a referral out. The decision moves the lead (Lead.advance) and alerts its worker."""

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from intake.crypto import EncryptedTextField
from intake.models import Lead, LeadStatus, LevelOfCare, Notification

from .programme import Programme
from .screen import PhoneScreen
from .waitlist import workers_of


class ClinicalDecision(models.Model):
    class Kind(models.TextChoices):
        ACCEPT = "accept", "Accept for a programme"
        MORE_INFO = "more_info", "Ask for more information"
        REFER_OUT = "refer_out", "Recommend referral out"

    # Where each decision sends the lead.
    MOVES = {
        Kind.ACCEPT: LeadStatus.ACCEPTED,
        Kind.MORE_INFO: LeadStatus.MORE_INFO,
        Kind.REFER_OUT: LeadStatus.REFER_OUT,
    }

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="clinical_decisions")
    screen = models.ForeignKey(PhoneScreen, null=True, on_delete=models.SET_NULL, related_name="decisions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # For a referral out: the level of care the person needs elsewhere.
    level_needed = models.CharField(max_length=20, choices=LevelOfCare.choices, blank=True)
    note = EncryptedTextField()  # PHI: the clinician's reasoning
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lead", "decided_at"]

    def __str__(self) -> str:
        return f"Clinical decision ({self.get_kind_display().lower()}) on lead #{self.lead_id}"

    @classmethod
    def decide(
        cls, lead: Lead, *, kind: str, note: str, by: User, programme: Programme | None = None, level_needed: str = ""
    ) -> "ClinicalDecision":
        """Record the decision and move the lead; WorkflowError (nothing saved) when the lead is
        not awaiting review any more (another clinician was quicker)."""
        with transaction.atomic():
            screen = PhoneScreen.objects.completed().filter(lead=lead).order_by("-pk").first()
            decision = cls.objects.create(
                lead=lead,
                screen=screen,
                kind=kind,
                programme=programme,
                level_needed=level_needed,
                note=note,
                decided_by=by,
            )
            details = {"decision": decision.pk}
            if programme is not None:
                details["programme"] = programme.pk
            if kind == cls.Kind.REFER_OUT:
                details["level_of_care"] = level_needed  # what partner suggestions match on
            lead.advance(cls.MOVES[kind], by=by, **details)
            # An assigned worker who has left would never read it: then whoever is on duty.
            Notification.objects.queue(lead, kind=Notification.Kind.CLINICAL_DECISION, recipients=workers_of(lead))
            return decision
