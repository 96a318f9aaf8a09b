"""What happened on a lead, each kept whole: the requests people sent, the calls staff made, notes."""

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from ..crypto import EncryptedCharField, EncryptedEmailField, EncryptedTextField
from .choices import AttemptOutcome, BestTime, ForWhom, Language, LeadKind


class LeadRequest(models.Model):
    """One submission of a public form, kept whole: what the person said that time, including
    who they said they were and how we may reach them. Staff see every time someone asked."""

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=20, choices=LeadKind.choices, default=LeadKind.CALLBACK)
    created_at = models.DateTimeField(default=timezone.now)
    urgent = models.BooleanField(default=False)
    name = EncryptedCharField(max_length=100, blank=True)
    email = EncryptedEmailField(max_length=254, blank=True)
    for_whom = models.CharField(max_length=20, choices=ForWhom.choices, default=ForWhom.SELF)
    best_time = models.CharField(max_length=20, choices=BestTime.choices, default=BestTime.ASAP)
    ok_to_text = models.BooleanField(default=False)
    ok_to_voicemail = models.BooleanField(default=False)
    message = EncryptedTextField(max_length=1000, blank=True)
    consent_version = models.CharField(max_length=40)
    consent_at = models.DateTimeField()
    consent_page = models.CharField(max_length=200, blank=True)
    # The language of the page the visitor filled in, and so of the consent words they agreed to.
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    # The id of what the visitor sent (intake.front_door.Submission): the same whether it was stored
    # at once or from the spool (intake.spool), so it is never stored twice. Null on older requests.
    submission_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Request #{self.pk} on lead #{self.lead_id}"

    @property
    def reference(self) -> str:
        """What the visitor is given. Never the lead's reference: that would tell whoever typed
        someone else's phone number that this person had asked before, and since when."""
        return f"R-{self.pk:06d}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}


class ContactAttempt(models.Model):
    """One try at reaching the person: a call, a voicemail, a text."""

    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="attempts")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="contact_attempts")
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    note = EncryptedTextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Attempt #{self.pk} on lead #{self.lead_id}"

    def get_additional_data(self) -> dict:
        # Lets the audit log of a lead include the changes to its attempts.
        return {"lead_id": self.lead_id}


class LeadNote(models.Model):
    lead = models.ForeignKey("intake.Lead", on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="lead_notes")
    body = EncryptedTextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note #{self.pk} on lead #{self.lead_id}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}
