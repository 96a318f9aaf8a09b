"""The lead: one person asking for help, the unit the admissions team works."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ..consent import may_contact
from ..crypto import EncryptedCharField, EncryptedEmailField, keyed_hash
from .choices import (
    OPEN_STATUSES,
    AttemptOutcome,
    BestTime,
    ForWhom,
    Language,
    LeadKind,
    LeadStatus,
    WorkflowError,
)
from .events import EventKind, LeadEvent
from .facility import LeadPlacement
from .notification import Notification
from .outcomes import LeadWorkflow
from .ownership import LeadOwnership
from .queries import LeadQuerySet, waiting_for_a_call
from .records import ContactAttempt, LeadNote
from .staff import on_duty_admissions, supervisors
from .timeline import TimelineEntry, timeline_of

# Retention (intake.retention) replaces an anonymised lead's phone_hash with this marker and random
# hex: a keyed hash is 64 hex digits, so a phone_hash starting with it can only be the marker.
ANONYMISED_PREFIX = "anon:"


class Lead(LeadOwnership, LeadWorkflow, LeadPlacement, models.Model):
    """One person asking for help: the unit the admissions team works.

    Each form submission is a LeadRequest; a second request from the same phone while the
    lead is open joins it instead of creating a second lead.
    """

    kind = models.CharField(max_length=20, choices=LeadKind.choices, default=LeadKind.CALLBACK)
    status = models.CharField(max_length=30, choices=LeadStatus.choices, default=LeadStatus.NEW)
    urgent = models.BooleanField(default=False)

    # PHI: encrypted at rest. Name, email, for whom and best time are the first request's; later
    # requests keep their own (LeadRequest) and never replace them. Text and voicemail permission
    # is the most restrictive of the requests until staff record the person's own answer.
    name = EncryptedCharField(max_length=100)
    phone = EncryptedCharField(max_length=20)
    phone_hash = models.CharField(max_length=64, db_index=True, editable=False)
    email = EncryptedEmailField(max_length=254, blank=True)
    for_whom = models.CharField(max_length=20, choices=ForWhom.choices, default=ForWhom.SELF)
    best_time = models.CharField(max_length=20, choices=BestTime.choices, default=BestTime.ASAP)
    ok_to_text = models.BooleanField(default=False)
    ok_to_voicemail = models.BooleanField(default=False)
    # Set when a staff member records, on a call, what the person wants (texts, voicemail).
    contact_preferences_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contact_preferences_at = models.DateTimeField(null=True, blank=True)
    # Set on every lead of a number when that number replies STOP (or the provider reports it opted
    # out), cleared when it replies START: a carrier-level "no texts" on top of the permission above,
    # which it never changes. A new lead of the number starts with it (intake.front_door).
    texts_stopped_at = models.DateTimeField(null=True, blank=True)
    # The language the person asked in (the page's language): who should call, and the language of
    # everything Lantern sends them. A later request in another language than English changes it.
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)

    # First-touch attribution, without PHI: paths and hosts only, no query strings.
    landing_page = models.CharField(max_length=200, blank=True)
    referrer = models.CharField(max_length=200, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_requested_at = models.DateTimeField(default=timezone.now)
    request_count = models.PositiveIntegerField(default=1)
    # Speed-to-lead is measured from created_at to first_contacted_at (the first attempt).
    first_contacted_at = models.DateTimeField(null=True, blank=True)
    # When the first attempt is due: created_at + SLA, counted from opening time after hours.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The latest request that said someone is in danger: it needs a call within
    # URGENT_RESPONSE_MINUTES even if the lead was called before.
    danger_reported_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set while the lead is closed as admitted (the facts are on its closing LeadEvent).
    admitted_on = models.DateField(null=True, blank=True)

    assigned_to = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_leads"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    attempt_count = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_reminded_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged")
    # Which facility works this lead (the default one until staff move it; see models.facility),
    # and who sent the person, when staff learn it on the call.
    facility = models.ForeignKey(
        "intake.Facility", null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    referral_source = models.ForeignKey(
        "intake.ReferralSource", null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "urgent", "created_at"]),
            # The queue's own order (see LeadQuerySet.queue_order), over open leads only, so the
            # first page of a long backlog is read from the index instead of sorting every row.
            models.Index(
                waiting_for_a_call(),
                F("urgent").desc(),
                F("sla_due_at").asc(),
                F("created_at").asc(),
                name="lead_queue_by_target",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            # The queue's closed views, newest closed first (LeadQuerySet.newest_closed_first).
            # Plain DESC: SQLite's CREATE INDEX has no NULLS LAST, and a closed lead has a closed_at.
            models.Index(
                F("closed_at").desc(),
                F("id").desc(),
                name="lead_closed_newest_first",
                condition=~Q(status__in=OPEN_STATUSES),
            ),
            # The live refresh's count of leads asked for since the worker's last look.
            models.Index(fields=["last_requested_at"], name="lead_last_requested"),
        ]

    def __str__(self) -> str:
        # Shown in audit logs and admin lists: never PHI.
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        self.phone_hash = keyed_hash(self.phone)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("staff:lead", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"L-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymised(self) -> bool:
        return self.phone_hash.startswith(ANONYMISED_PREFIX)

    # --- Working the lead (claiming it: LeadOwnership; its status: LeadWorkflow) -----------

    def allowed_outcomes(self) -> list[str]:
        """Voicemail and text only where the visitor allowed them."""
        outcomes = [AttemptOutcome.REACHED, AttemptOutcome.NO_ANSWER, AttemptOutcome.WRONG_NUMBER]
        if may_contact(self, "voicemail"):
            outcomes.insert(1, AttemptOutcome.VOICEMAIL)
        if may_contact(self, "text"):
            outcomes.append(AttemptOutcome.TEXT_SENT)
        return outcomes

    def log_attempt(self, *, by: User, outcome: str, note: str = "") -> "ContactAttempt":
        with self.worked_by(by):
            return self._log_attempt(by=by, outcome=outcome, note=note)

    def _log_attempt(self, *, by: User, outcome: str, note: str) -> "ContactAttempt":
        if not self.is_open:
            raise WorkflowError("This lead is closed; reopen it before logging a call.")
        if outcome not in self.allowed_outcomes():
            raise WorkflowError(
                "The visitor did not allow voicemail."
                if outcome == AttemptOutcome.VOICEMAIL
                else "The visitor did not allow texts."
                if outcome == AttemptOutcome.TEXT_SENT
                else "Choose an outcome."
            )
        now = timezone.now()
        attempt = ContactAttempt.objects.create(lead=self, staff=by, outcome=outcome, note=note, created_at=now)
        self.attempt_count = F("attempt_count") + 1
        self.last_attempt_at = now
        self.last_attempt_outcome = outcome
        self.first_contacted_at = self.first_contacted_at or now
        previous = self.status
        if outcome == AttemptOutcome.REACHED and self.status in (LeadStatus.NEW, LeadStatus.CONTACTING):
            self.status = LeadStatus.REACHED
        elif self.status == LeadStatus.NEW:
            self.status = LeadStatus.CONTACTING
        if self.assigned_to_id is None:
            self.assigned_to, self.assigned_at = by, now
            LeadEvent.objects.record(self, EventKind.CLAIMED, by=by, at=now, by_call=True)
        if self.status != previous:
            details = {"from": previous, "to": self.status, "after_call": True}
            LeadEvent.objects.record(self, EventKind.STATUS, by=by, at=now, **details)
        self.save()
        self.refresh_from_db(fields=["attempt_count"])
        return attempt

    def schedule_follow_up(self, when: dt.datetime | None, by: User) -> None:
        with self.worked_by(by):
            self.follow_up_at = when
            self.save(update_fields=["follow_up_at", "updated_at"])
            if when:
                LeadEvent.objects.record(self, EventKind.FOLLOW_UP_SET, by=by, follow_up_at=when.isoformat())
            else:
                LeadEvent.objects.record(self, EventKind.FOLLOW_UP_CLEARED, by=by)

    def add_note(self, body: str, by: User) -> "LeadNote":
        with self.worked_by(by):
            return LeadNote.objects.create(lead=self, author=by, body=body, created_at=timezone.now())

    def timeline(self) -> list[TimelineEntry]:
        """Everything that happened to this lead, newest first (intake.models.timeline)."""
        return timeline_of(self)

    def merge_into(self, target: "Lead", by: User, reason: str = ""):
        """Fold this lead into `target` (the same person); see intake.models.merge."""
        return self.merges_out.model.objects.record_merge(self, target, by=by, reason=reason)

    def merge_history(self) -> list:
        """Every merge this lead took part in, either side, newest first."""
        merges = self.merges_out.model.objects.involving(self)
        return list(merges.select_related("source", "target", "merged_by", "undone_by"))

    def escalate(self, now: dt.datetime | None = None) -> bool:
        """Tell the supervisors that nobody has called this lead in time. Once per lead: the
        conditional UPDATE lets only one beat run (or one of several schedulers) win."""
        now = now or timezone.now()
        with transaction.atomic():
            won = Lead.objects.overdue_for_escalation(now).filter(pk=self.pk).update(escalated_at=now)
            if won:
                self.escalated_at = now
                Notification.objects.queue(
                    self, kind=Notification.Kind.ESCALATION, recipients=supervisors(), every_channel=self.urgent
                )
        return bool(won)

    def remind_follow_up(self) -> bool:
        """Remind the assignee (or, unassigned, the on-duty staff) that a follow-up is due.
        Once per follow-up time: rescheduling it arms a new reminder."""
        with transaction.atomic():
            won = (
                Lead.objects.filter(pk=self.pk, follow_up_at=self.follow_up_at)
                .filter(Q(follow_up_reminded_at__isnull=True) | Q(follow_up_reminded_at__lt=F("follow_up_at")))
                .update(follow_up_reminded_at=self.follow_up_at)
            )
            if won:
                recipients = [self.assigned_to] if self.assigned_to else on_duty_admissions()
                Notification.objects.queue(self, kind=Notification.Kind.FOLLOW_UP_DUE, recipients=recipients)
        return bool(won)

    def danger_call_due(self) -> dt.datetime | None:
        """When a call answering the latest report of danger is due, if none has been made since."""
        if self.danger_reported_at is None or (
            self.last_attempt_at and self.last_attempt_at >= self.danger_reported_at
        ):
            return None
        return self.danger_reported_at + dt.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)

    # --- What people told us --------------------------------------------------------------

    def absorb(self, submission, *, now: dt.datetime) -> None:
        """A later request from the same phone joins this lead. Nothing it says replaces what the
        person told us: its name, email, best time and message stay on its own LeadRequest. It can
        only narrow permission to text or leave voicemail (an explicit "no" wins), add urgency,
        and bring the first-call target forward when someone reports danger."""
        narrowed = (self.ok_to_text and not submission.ok_to_text) or (
            self.ok_to_voicemail and not submission.ok_to_voicemail
        )
        self.ok_to_text = self.ok_to_text and submission.ok_to_text
        self.ok_to_voicemail = self.ok_to_voicemail and submission.ok_to_voicemail
        if narrowed:
            # The page must not say "the person asked us" of a "no" a web form gave.
            self.contact_preferences_by = self.contact_preferences_at = None
        if submission.urgent:
            self.report_danger(now)
        if submission.language != Language.ENGLISH:
            # Someone who asked in Spanish once is best called in Spanish, whatever page they used later.
            self.language = submission.language
        if submission.kind == LeadKind.VERIFICATION:
            # The work now includes an insurance check; the queue says so.
            self.kind = LeadKind.VERIFICATION
        self.last_requested_at = now
        self.request_count = F("request_count") + 1

    def report_danger(self, now: dt.datetime) -> None:
        """Someone says a person may be in danger (a form, a text): a call is due within minutes,
        and a new escalation if none comes. The caller saves."""
        self.urgent = True
        self.danger_reported_at = now
        self.escalated_at = None
        if self.first_contacted_at is None:
            target = now + dt.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
            self.sla_due_at = min(self.sla_due_at or target, target)

    def other_names(self) -> list[str]:
        """Names given on later requests that differ from the lead's ("also gave the name ...")."""
        return self._also_given("name")

    def other_emails(self) -> list[str]:
        return self._also_given("email")

    def _also_given(self, field: str) -> list[str]:
        """Values later requests gave that are not the lead's, nor the same words as one already
        seen, fuller or shorter ("Fran" and "Fran Doe" are one person adding a surname)."""
        seen = [set(str(getattr(self, field)).casefold().split())]
        others = []
        for request in self.requests.all():
            value = str(getattr(request, field)).strip()
            words = set(value.casefold().split())
            if value and not any(words <= known or known <= words for known in seen if known):
                seen.append(words)
                others.append(value)
        return others

    def record_contact_preferences(self, *, ok_to_text: bool, ok_to_voicemail: bool, by: User) -> None:
        """What the person said on a call about texts and voicemail: the only way to widen them."""
        now = timezone.now()
        with self.worked_by(by):
            if not self.attempts.filter(outcome=AttemptOutcome.REACHED).exists():
                raise WorkflowError("Record the person's own answer once you have reached them on a call.")
            self.ok_to_text, self.ok_to_voicemail = ok_to_text, ok_to_voicemail
            self.contact_preferences_by, self.contact_preferences_at = by, now
            self.save(
                update_fields=[
                    "ok_to_text",
                    "ok_to_voicemail",
                    "contact_preferences_by",
                    "contact_preferences_at",
                    "updated_at",
                ]
            )
            details = {"ok_to_text": ok_to_text, "ok_to_voicemail": ok_to_voicemail}
            LeadEvent.objects.record(self, EventKind.CONTACT_PREFERENCES, by=by, at=now, **details)
