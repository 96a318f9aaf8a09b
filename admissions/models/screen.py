"""The structured phone screen a worker fills during the call: every answer is PHI, kept as one
encrypted JSON document, versioned per lead (a new screen after "more information needed" leaves
the earlier one readable)."""

import json

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from intake.crypto import EncryptedCharField, EncryptedTextField
from intake.models import Lead, LeadStatus, Notification, WorkflowError, clinicians

from .. import screening

# Where a lead may be screened again from its completed screen: back before clinical review.
RESCREENABLE = {LeadStatus.REACHED, LeadStatus.ASSESSMENT_SCHEDULED, LeadStatus.MORE_INFO}


class ScreenQuerySet(models.QuerySet):
    def latest_for(self, lead: Lead) -> "PhoneScreen | None":
        # By creation, not version: a merge brings the other lead's screens, whose versions count
        # from 1 on their own lead.
        return self.filter(lead=lead).order_by("-pk").first()

    def completed(self):
        return self.filter(status=PhoneScreen.Status.COMPLETE)


class PhoneScreen(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETE = "complete", "Complete"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="phone_screens")
    # 1, 2, ... on one lead; not unique: a merge brings the other lead's screens with their numbers.
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # PHI: the whole screen. One encrypted document so that adding a question needs no migration
    # and no answer is ever stored in the clear.
    answers_json = EncryptedTextField(blank=True)
    # Which red flags the clinicians were already alerted to (rule codes, encrypted too: a code
    # such as "pregnancy_opioids" says something about the person).
    alerted_flags = EncryptedCharField(max_length=500, blank=True)
    # What the worker added after a clinician asked for more information (PHI).
    information_added = EncryptedTextField(blank=True)
    information_added_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ScreenQuerySet.as_manager()

    class Meta:
        ordering = ["lead", "pk"]

    def __str__(self) -> str:
        # No PHI: this is what the audit log shows.
        return f"Phone screen {self.version} of lead #{self.lead_id}"

    @property
    def answers(self) -> dict:
        return json.loads(self.answers_json) if self.answers_json.startswith("{") else {}

    @answers.setter
    def answers(self, value: dict) -> None:
        self.answers_json = json.dumps(value, sort_keys=True, default=str)

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE

    @property
    def clinicians_alerted_to_suicide_risk(self) -> bool:
        """Whether a save of this screen has alerted the clinicians to the ASQ (the crisis protocol
        says so only then)."""
        return bool({"asq_acute", "asq_positive"} & set(self.alerted_flags.split(",")))

    def flags(self) -> list[screening.Flag]:
        return screening.red_flags(self.answers)

    def suggestion(self) -> screening.Suggestion:
        return screening.suggest_level(self.answers)

    def asq(self) -> str:
        return screening.asq_result(self.answers)

    def save_answers(self, answers: dict, *, by: User) -> list[screening.Flag]:
        """Keep the answers (a draft, or before completing) and alert the clinicians to any red flag
        they have not heard of yet. Returns the red flags now present."""
        if self.is_complete:
            raise WorkflowError("This screen is complete; start a new one to change it.")
        with transaction.atomic():
            self.answers = answers
            self.created_by = self.created_by or by
            self.save()
            return self.alert_new_flags()

    def alert_new_flags(self) -> list[screening.Flag]:
        """Alert once per set of flags: a draft saved again with the same flags alerts nobody; a new
        flag (a second red flag found later in the call) alerts again."""
        flags = self.flags()
        codes = {flag.code for flag in flags}
        known = set(filter(None, self.alerted_flags.split(",")))
        if codes - known:
            self.alerted_flags = ",".join(sorted(codes | known))
            self.save(update_fields=["alerted_flags", "updated_at"])
            # A red flag may mean someone at risk now: every channel each clinician has, not only the
            # ones they chose for routine work.
            Notification.objects.queue(
                self.lead, kind=Notification.Kind.RED_FLAG, recipients=clinicians(), urgent=True, every_channel=True
            )
        return flags

    def complete(self, answers: dict, *, by: User) -> None:
        """Finish the screen and send the lead to clinical review. The caller has checked the
        required answers (screening.missing_for_completion); WorkflowError when the lead cannot
        go to review now (nothing saved)."""
        with transaction.atomic():
            self.save_answers(answers, by=by)
            self.status, self.completed_by, self.completed_at = self.Status.COMPLETE, by, timezone.now()
            self.save(update_fields=["status", "completed_by", "completed_at", "updated_at"])
            self.lead.advance(LeadStatus.AWAITING_REVIEW, by=by, screen=self.pk)
            self._ask_for_review()

    def add_information(self, text: str, *, by: User) -> None:
        """What the clinician asked for, added on this completed screen: back to review."""
        with transaction.atomic():
            self.information_added = f"{self.information_added}\n\n{text}".strip()
            self.information_added_at = timezone.now()
            self.save(update_fields=["information_added", "information_added_at", "updated_at"])
            self.lead.advance(LeadStatus.AWAITING_REVIEW, by=by, screen=self.pk, information_added=True)
            self._ask_for_review()

    def _ask_for_review(self) -> None:
        urgent = bool(self.flags())
        Notification.objects.queue(
            self.lead, kind=Notification.Kind.REVIEW_NEEDED, recipients=clinicians(), urgent=urgent
        )

    @property
    def can_start_next_version(self) -> bool:
        """A completed screen is screened again when the lead is back before review: the clinician
        asked for more information, or the lead was reopened or taken back to "reached"."""
        return self.is_complete and self.lead.status in RESCREENABLE

    def next_version(self, *, by: User) -> "PhoneScreen":
        """A new draft starting from these answers. It knows the red flags already alerted, so only
        a new flag alerts the clinicians again."""
        if not self.can_start_next_version:
            raise WorkflowError(
                "A new screen is started from a completed one, once the lead is back before clinical review."
            )
        version = (self.lead.phone_screens.aggregate(models.Max("version"))["version__max"] or 0) + 1
        return PhoneScreen.objects.create(
            lead=self.lead,
            version=version,
            answers_json=self.answers_json,
            alerted_flags=self.alerted_flags,
            created_by=by,
        )
