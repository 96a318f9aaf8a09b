import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from config import outage

from .crypto import EncryptedCharField, EncryptedEmailField, EncryptedTextField, keyed_hash
from .hours import centre_hours

log = logging.getLogger(__name__)

ADMISSIONS_GROUP = "admissions"
SUPERVISOR_GROUP = "supervisor"


class LeadKind(models.TextChoices):
    CALLBACK = "callback", "Callback"
    VERIFICATION = "verification", "Insurance verification"


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTING = "contacting", "Contacting"
    REACHED = "reached", "Reached"
    ASSESSMENT_SCHEDULED = "assessment_scheduled", "Assessment scheduled"
    ADMITTED = "admitted", "Admitted"
    REFERRED = "referred", "Referred elsewhere"
    NOT_A_FIT = "not_a_fit", "Not a fit"
    UNREACHABLE = "unreachable", "Unreachable"
    MERGED = "merged", "Merged into another lead"


OPEN_STATUSES = [LeadStatus.NEW, LeadStatus.CONTACTING, LeadStatus.REACHED, LeadStatus.ASSESSMENT_SCHEDULED]
CLOSED_STATUSES = [LeadStatus.ADMITTED, LeadStatus.REFERRED, LeadStatus.NOT_A_FIT, LeadStatus.UNREACHABLE]

# The status workflow staff may move a lead through by hand. Logging a contact attempt also
# moves it (new -> contacting, -> reached); "reopen" is any closed status back to contacting.
TRANSITIONS: dict[str, list[str]] = {
    LeadStatus.NEW: [LeadStatus.CONTACTING, LeadStatus.UNREACHABLE],
    LeadStatus.CONTACTING: [LeadStatus.REACHED, LeadStatus.UNREACHABLE],
    LeadStatus.REACHED: [LeadStatus.ASSESSMENT_SCHEDULED, LeadStatus.REFERRED, LeadStatus.NOT_A_FIT],
    LeadStatus.ASSESSMENT_SCHEDULED: [
        LeadStatus.ADMITTED,
        LeadStatus.REFERRED,
        LeadStatus.NOT_A_FIT,
        LeadStatus.REACHED,
    ],
    LeadStatus.ADMITTED: [LeadStatus.CONTACTING],
    LeadStatus.REFERRED: [LeadStatus.CONTACTING],
    LeadStatus.NOT_A_FIT: [LeadStatus.CONTACTING],
    LeadStatus.UNREACHABLE: [LeadStatus.CONTACTING],
    LeadStatus.MERGED: [],
}


class AttemptOutcome(models.TextChoices):
    REACHED = "reached", "Reached"
    VOICEMAIL = "voicemail", "Left voicemail"
    NO_ANSWER = "no_answer", "No answer"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    TEXT_SENT = "text_sent", "Text sent"


class WorkflowError(Exception):
    """A change the workflow does not allow; its message is shown to the staff member."""


class ForWhom(models.TextChoices):
    SELF = "self", "Myself"
    LOVED_ONE = "loved_one", "A loved one"


class BestTime(models.TextChoices):
    ASAP = "asap", "As soon as possible"
    MORNING = "morning", "Morning (8 a.m.–12 p.m.)"
    AFTERNOON = "afternoon", "Afternoon (12–5 p.m.)"
    EVENING = "evening", "Evening (5–8 p.m.)"


class LeadQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting_contact(self):
        return self.open().filter(first_contacted_at__isnull=True)

    def for_phone(self, e164: str):
        return self.filter(phone_hash=keyed_hash(e164))

    def queue_order(self):
        """Leads still waiting for their first call come first (urgent, then by when the first
        call is due: an evening request waits behind this morning's); then the ones in progress,
        in the same order."""
        waiting = models.Case(
            models.When(first_contacted_at__isnull=True, then=models.Value(0)), default=models.Value(1)
        )
        return self.alias(waiting=waiting).order_by("waiting", "-urgent", F("sla_due_at").asc(), "created_at")

    def receive(self, submission) -> tuple["Lead", "LeadRequest"]:
        """The one way in for every request (see intake.front_door)."""
        from .front_door import receive

        return receive(submission)

    def overdue_for_escalation(self, now: dt.datetime | None = None):
        """Open leads nobody has tried to contact by their SLA deadline, not yet escalated."""
        now = now or timezone.now()
        return self.awaiting_contact().filter(sla_due_at__lte=now, escalated_at__isnull=True)

    def follow_ups_due(self, now: dt.datetime | None = None):
        """Open leads whose follow-up time has come and whose assignee was not yet reminded of it."""
        now = now or timezone.now()
        return (
            self.open()
            .filter(follow_up_at__lte=now)
            .filter(Q(follow_up_reminded_at__isnull=True) | Q(follow_up_reminded_at__lt=F("follow_up_at")))
        )


class Lead(models.Model):
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
    closed_at = models.DateTimeField(null=True, blank=True)

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

    objects = LeadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "urgent", "created_at"]),
            # The queue's own order (see LeadQuerySet.queue_order), over open leads only, so the
            # first page of a long backlog is read from the index instead of sorting every row.
            models.Index(
                models.Case(
                    models.When(first_contacted_at__isnull=True, then=models.Value(0)), default=models.Value(1)
                ),
                F("urgent").desc(),
                F("sla_due_at").asc(),
                F("created_at").asc(),
                name="lead_queue_by_target",
                condition=Q(status__in=OPEN_STATUSES),
            ),
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

    # --- Working the lead -------------------------------------------------------------------

    def claim(self, by: User) -> bool:
        """Take an unassigned lead. Of two workers claiming at once exactly one wins; the
        loser gets False and `self.assigned_to` says who has it."""
        won = Lead.objects.filter(pk=self.pk, assigned_to__isnull=True).update(
            assigned_to=by, assigned_at=timezone.now(), updated_at=timezone.now()
        )
        self.refresh_from_db(fields=["assigned_to", "assigned_at"])
        return bool(won)

    def assign(self, to: User | None, by: User) -> None:
        """A supervisor hands the lead to someone (or to nobody)."""
        self.assigned_to = to
        self.assigned_at = timezone.now() if to else None
        self.save(update_fields=["assigned_to", "assigned_at", "updated_at"])

    def release(self, by: User) -> None:
        if self.assigned_to_id not in (by.pk, None) and not is_supervisor(by):
            raise WorkflowError(f"{self.assigned_to} has this lead; only they or a supervisor can release it.")
        self.assign(None, by=by)

    def allowed_outcomes(self) -> list[str]:
        """Voicemail and text only where the visitor allowed them."""
        from .consent import may_contact

        outcomes = [AttemptOutcome.REACHED, AttemptOutcome.NO_ANSWER, AttemptOutcome.WRONG_NUMBER]
        if may_contact(self, "voicemail"):
            outcomes.insert(1, AttemptOutcome.VOICEMAIL)
        if may_contact(self, "text"):
            outcomes.append(AttemptOutcome.TEXT_SENT)
        return outcomes

    def log_attempt(self, *, by: User, outcome: str, note: str = "") -> "ContactAttempt":
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
        with transaction.atomic():
            attempt = ContactAttempt.objects.create(lead=self, staff=by, outcome=outcome, note=note, created_at=now)
            self.attempt_count = F("attempt_count") + 1
            self.last_attempt_at = now
            self.last_attempt_outcome = outcome
            self.first_contacted_at = self.first_contacted_at or now
            if outcome == AttemptOutcome.REACHED and self.status in (LeadStatus.NEW, LeadStatus.CONTACTING):
                self.status = LeadStatus.REACHED
            elif self.status == LeadStatus.NEW:
                self.status = LeadStatus.CONTACTING
            if self.assigned_to_id is None:
                self.assigned_to, self.assigned_at = by, now
            self.save()
            self.refresh_from_db(fields=["attempt_count"])
        return attempt

    def allowed_transitions(self) -> list[str]:
        allowed = list(TRANSITIONS.get(self.status, []))
        if LeadStatus.UNREACHABLE in allowed and self.attempt_count < settings.UNREACHABLE_AFTER_ATTEMPTS:
            allowed.remove(LeadStatus.UNREACHABLE)
        return allowed

    def transition(self, to: str, by: User) -> None:
        if to not in self.allowed_transitions():
            if to == LeadStatus.UNREACHABLE and to in TRANSITIONS.get(self.status, []):
                raise WorkflowError(
                    f"Make at least {settings.UNREACHABLE_AFTER_ATTEMPTS} attempts before marking a lead unreachable."
                )
            raise WorkflowError(
                f"A lead that is {self.get_status_display().lower()} cannot become {LeadStatus(to).label.lower()}."
            )
        self.status = to
        self.closed_at = timezone.now() if to in CLOSED_STATUSES else None
        if to in CLOSED_STATUSES:
            self.follow_up_at = None
        self.save(update_fields=["status", "closed_at", "follow_up_at", "updated_at"])

    def schedule_follow_up(self, when: dt.datetime | None, by: User) -> None:
        self.follow_up_at = when
        self.save(update_fields=["follow_up_at", "updated_at"])

    def merge_into(self, target: "Lead", by: User) -> None:
        """Fold this lead into `target` (the same person): its requests, attempts and notes
        move there, and this lead is kept, closed as merged, pointing at the target."""
        if target.pk == self.pk:
            raise WorkflowError("A lead cannot be merged into itself.")
        if target.status == LeadStatus.MERGED:
            raise WorkflowError(f"{target.reference} was itself merged; merge into {target.merged_into.reference}.")
        with transaction.atomic():
            moved_requests = self.requests.update(lead=target)
            self.attempts.update(lead=target)
            self.notes.update(lead=target)
            LeadNote.objects.create(
                lead=target, author=by, body=f"{self.reference} was merged into this lead.", created_at=timezone.now()
            )
            target.request_count = F("request_count") + moved_requests
            target.attempt_count = F("attempt_count") + self.attempt_count
            target.urgent = target.urgent or self.urgent
            target.ok_to_text = target.ok_to_text and self.ok_to_text
            target.ok_to_voicemail = target.ok_to_voicemail and self.ok_to_voicemail
            if self.first_contacted_at and (
                target.first_contacted_at is None or self.first_contacted_at < target.first_contacted_at
            ):
                target.first_contacted_at = self.first_contacted_at
            target.save()
            self.status = LeadStatus.MERGED
            self.merged_into = target
            self.closed_at = timezone.now()
            self.request_count = self.attempt_count = 0
            self.save()

    def escalate(self, now: dt.datetime | None = None) -> bool:
        """Tell the supervisors that nobody has called this lead in time. Once per lead: the
        conditional UPDATE lets only one beat run (or one of several schedulers) win."""
        now = now or timezone.now()
        with transaction.atomic():
            won = Lead.objects.filter(pk=self.pk, escalated_at__isnull=True, first_contacted_at__isnull=True).update(
                escalated_at=now
            )
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

    def sla_state(self, now: dt.datetime | None = None) -> tuple[str, str]:
        """(code, words) for the queue: contacted / on time / due soon / overdue."""
        now = now or timezone.now()
        if self.first_contacted_at:
            minutes = int((self.first_contacted_at - self.created_at).total_seconds() // 60)
            met = self.sla_due_at is None or self.first_contacted_at <= self.sla_due_at
            return ("met" if met else "missed"), f"First call after {minutes} min"
        if self.sla_due_at is None:
            return "none", "No target"
        seconds = (self.sla_due_at - now).total_seconds()
        if seconds < 0:
            return "overdue", f"Overdue by {int(-seconds // 60)} min"
        left = int(seconds // 60)
        if left <= 5:
            return "due", f"Due in {left} min"
        if left <= 60:
            return "ok", f"{left} min left"
        due = timezone.localtime(self.sla_due_at)
        day = "" if due.date() == timezone.localtime(now).date() else f"{due:%a} "
        return "ok", f"Due by {day}{due:%-I:%M %p}"

    # --- What people told us --------------------------------------------------------------

    def absorb(self, submission, *, now: dt.datetime) -> None:
        """A later request from the same phone joins this lead. Nothing it says replaces what the
        person told us: its name, email, best time and message stay on its own LeadRequest. It can
        only narrow permission to text or leave voicemail (an explicit "no" wins), add urgency,
        and bring the first-call target forward when someone reports danger."""
        self.ok_to_text = self.ok_to_text and submission.ok_to_text
        self.ok_to_voicemail = self.ok_to_voicemail and submission.ok_to_voicemail
        if submission.urgent and not self.urgent:
            self.urgent = True
            if self.first_contacted_at is None:
                target = now + dt.timedelta(minutes=settings.URGENT_RESPONSE_MINUTES)
                self.sla_due_at = min(self.sla_due_at or target, target)
        if submission.kind == LeadKind.VERIFICATION:
            # The work now includes an insurance check; the queue says so.
            self.kind = LeadKind.VERIFICATION
        self.last_requested_at = now
        self.request_count = F("request_count") + 1

    def other_names(self) -> list[str]:
        """Names given on later requests that differ from the lead's ("also gave the name ...")."""
        return self._also_given("name")

    def other_emails(self) -> list[str]:
        return self._also_given("email")

    def _also_given(self, field: str) -> list[str]:
        seen = {str(getattr(self, field)).strip().casefold()}
        others = []
        for request in self.requests.all():
            value = str(getattr(request, field)).strip()
            if value and value.casefold() not in seen:
                seen.add(value.casefold())
                others.append(value)
        return others

    def record_contact_preferences(self, *, ok_to_text: bool, ok_to_voicemail: bool, by: User) -> None:
        """What the person said on a call about texts and voicemail: the only way to widen them."""
        if not self.attempts.filter(outcome=AttemptOutcome.REACHED).exists():
            raise WorkflowError("Record the person's own answer once you have reached them on a call.")
        now = timezone.now()
        with transaction.atomic():
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
            LeadNote.objects.create(
                lead=self,
                author=by,
                created_at=now,
                body=(
                    f"The person said on a call: texts {'allowed' if ok_to_text else 'not allowed'}, "
                    f"voicemail {'allowed' if ok_to_voicemail else 'not allowed'}."
                ),
            )

    @property
    def verification(self):
        """The latest insurance verification on this lead, if any (rows of the verification app,
        reached through its reverse relation: intake does not import it)."""
        related = getattr(self, "verifications", None)
        return related.order_by("-created_at").first() if related is not None else None


class LeadRequest(models.Model):
    """One submission of a public form, kept whole: what the person said that time, including
    who they said they were and how we may reach them. Staff see every time someone asked."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="requests")
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

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Request #{self.pk} on lead #{self.lead_id}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}


class ContactAttempt(models.Model):
    """One try at reaching the person: a call, a voicemail, a text."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="attempts")
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
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="lead_notes")
    body = EncryptedTextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note #{self.pk} on lead #{self.lead_id}"

    def get_additional_data(self) -> dict:
        return {"lead_id": self.lead_id}


def is_admissions(user) -> bool:
    """Admissions workers and supervisors work the queue; superusers may too."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name__in=[ADMISSIONS_GROUP, SUPERVISOR_GROUP]).exists())
    )


def is_supervisor(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=SUPERVISOR_GROUP).exists())
    )


class StaffProfile(models.Model):
    """What Lantern needs to know about a staff member beyond the auth user: the roster and
    how they want to be told about new work."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="staff_profile")
    on_duty = models.BooleanField(default=False, help_text="On-duty staff are notified of new requests.")
    shift_hours = models.CharField(
        max_length=200,
        blank=True,
        help_text="When this person is on shift, e.g. 'mon-fri 08:00-16:00'. Empty: whenever on duty.",
    )
    on_call = models.BooleanField(
        default=False,
        help_text="Alerted at once, by text and email, about urgent requests outside call-back hours.",
    )
    mobile = models.CharField(max_length=20, blank=True, help_text="For SMS alerts, in E.164 (+15551234567).")
    notify_by_email = models.BooleanField(default=True)
    notify_by_sms = models.BooleanField(default=False)
    # Raised by "sign out everywhere": a session started under an older generation is ended.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return f"Staff profile of {self.user}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .hours import Hours
        from .phones import normalise_phone

        if self.shift_hours:
            try:
                Hours.parse(self.shift_hours, settings.CENTRE_TIMEZONE)
            except ValueError as exc:
                raise ValidationError({"shift_hours": str(exc)}) from exc
        if self.mobile:
            e164 = normalise_phone(self.mobile)
            if e164 is None:
                raise ValidationError({"mobile": "Enter a mobile number we can text, with area code."})
            self.mobile = e164

    def on_shift(self, now: dt.datetime | None = None) -> bool:
        from .hours import Hours

        if not self.on_duty:
            return False
        if not self.shift_hours:
            return True
        return Hours.parse(self.shift_hours, settings.CENTRE_TIMEZONE).is_open(now or timezone.now())

    def channels(self, *, every: bool = False) -> list[str]:
        """The channels this person chose; with `every`, all they have (someone may be in danger)."""
        chosen = []
        if (every or self.notify_by_email) and self.user.email:
            chosen.append(Notification.Channel.EMAIL)
        if (every or self.notify_by_sms) and self.mobile:
            chosen.append(Notification.Channel.SMS)
        return chosen


def _staff_in(group: str):
    return (
        User.objects.filter(is_active=True, groups__name=group)
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )


def on_duty_admissions(now: dt.datetime | None = None) -> list[User]:
    """Admissions staff on duty and on shift now. Nobody on shift (a night, a holiday):
    the supervisors, so that no request goes unseen."""
    on_shift = [u for u in _staff_in(ADMISSIONS_GROUP) if hasattr(u, "staff_profile") and u.staff_profile.on_shift(now)]
    return on_shift or supervisors()


def on_call_staff() -> list[User]:
    """Who is alerted about an urgent request outside call-back hours: the staff marked on call,
    or the supervisors when nobody is."""
    on_call = (
        User.objects.filter(
            is_active=True, groups__name__in=[ADMISSIONS_GROUP, SUPERVISOR_GROUP], staff_profile__on_call=True
        )
        .select_related("staff_profile")
        .distinct()
        .order_by("pk")
    )
    return list(on_call) or supervisors()


def supervisors() -> list[User]:
    return list(_staff_in(SUPERVISOR_GROUP))


def ensure_staff_groups() -> dict[str, Group]:
    return {name: Group.objects.get_or_create(name=name)[0] for name in (ADMISSIONS_GROUP, SUPERVISOR_GROUP)}


class NotificationQuerySet(models.QuerySet):
    def queue(
        self, lead: Lead, *, kind: str, recipients, urgent: bool = False, every_channel: bool = False
    ) -> list["Notification"]:
        """One pending row per recipient and channel (their preferences, or with `every_channel`
        all they have), plus one for the team chat if configured; enqueued once the transaction
        commits."""
        urgent = urgent or lead.urgent
        rows = []
        for user in dict.fromkeys(recipients):
            profile = getattr(user, "staff_profile", None)
            channels = (
                profile.channels(every=every_channel)
                if profile
                else ([Notification.Channel.EMAIL] if user.email else [])
            )
            rows += [Notification(lead=lead, recipient=user, channel=c, kind=kind, urgent=urgent) for c in channels]
        if settings.CHAT_WEBHOOK_URL:
            rows.append(Notification(lead=lead, channel=Notification.Channel.WEBHOOK, kind=kind, urgent=urgent))
        rows = self.bulk_create(rows)
        if not rows:
            log.warning("Lead %s has nobody to notify of %s", lead.pk, kind)
        transaction.on_commit(lambda: enqueue_all(rows))
        return rows

    def queue_for_lead(self, lead: Lead, *, kind: str, urgent: bool = False) -> list["Notification"]:
        """A new request: the staff on duty; but someone in danger outside call-back hours
        reaches the on-call staff at once, by every channel they have."""
        if urgent and not centre_hours().is_open(timezone.now()):
            return self.queue(lead, kind=kind, recipients=on_call_staff(), urgent=True, every_channel=True)
        return self.queue(lead, kind=kind, recipients=on_duty_admissions(), urgent=urgent)

    def stale(self, now: dt.datetime | None = None):
        """Rows whose delivery message was lost: still pending well after they were due,
        or claimed by a worker that died mid-send."""
        now = now or timezone.now()
        pending_before = now - Notification.requeue_after()
        sending_before = now - dt.timedelta(seconds=settings.NOTIFICATION_RECLAIM_AFTER_SECONDS)
        return self.filter(
            Q(status=Notification.Status.PENDING, due_at__lte=pending_before)
            | Q(status=Notification.Status.SENDING, claimed_at__lte=sending_before)
        )


def publish(task, pk: int, *, what: str) -> bool:
    """Send `task(pk)` to the broker. A failure is logged, not raised: the row stays pending and
    a beat task enqueues it again. After one failure the broker is skipped for a few seconds
    (config.outage), so a frozen Redis costs one timeout per process, not one per request."""
    broker = settings.CELERY_BROKER_URL
    if outage.is_down(broker):
        log.warning("Broker failed a moment ago; %s %s left for the beat task", what, pk)
        return False
    try:
        task.apply_async((pk,))
    except Exception as exc:  # noqa: BLE001 - any broker failure must not reach the visitor
        outage.mark_down(broker)
        log.warning("Could not enqueue %s %s: %s", what, pk, type(exc).__name__)
        return False
    return True


def enqueue_all(rows) -> int:
    """Enqueue each row's task (rows of a model with `enqueue() -> bool` and `requeue_after()`).
    After the first broker failure the rest are left for the beat task, so a dead broker costs one
    timeout, not one per row; they are marked overdue, so its next run takes them rather than
    waiting out the delay meant for messages that may still be in the queue."""
    rows = list(rows)
    for count, row in enumerate(rows):
        if not row.enqueue():
            model, unsent = type(row), [r.pk for r in rows[count:]]
            try:
                model.objects.filter(pk__in=unsent, status=model.Status.PENDING).update(
                    due_at=timezone.now() - model.requeue_after()
                )
            except DatabaseError as exc:  # the visitor's request is saved; beat still finds them later
                log.warning("Could not mark %s unsent rows overdue: %s", len(unsent), type(exc).__name__)
            return count
    return len(rows)


class Notification(models.Model):
    """One delivery of one message to one staff member on one channel.

    Workers claim a row with a conditional UPDATE (pending -> sending), so a duplicate task
    message, a retry or a second worker can never send it twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        NEW_LEAD = "new_lead", "New request"
        REPEAT_REQUEST = "repeat_request", "Repeat request"
        ESCALATION = "escalation", "Not contacted in time"
        FOLLOW_UP_DUE = "follow_up_due", "Follow-up due"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"
        WEBHOOK = "webhook", "Team chat"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notifications")
    # Empty for the team chat, which is posted once for everybody.
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.EMAIL)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Error class and message of the last failure; they come from our side (SMTP), not PHI.
    last_error = models.CharField(max_length=300, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"Notification #{self.pk} ({self.kind}, {self.status})"

    @staticmethod
    def requeue_after() -> dt.timedelta:
        """A pending row is sent again after this long: its task message may be waiting in the queue."""
        return dt.timedelta(seconds=settings.NOTIFICATION_REQUEUE_AFTER_SECONDS)

    def enqueue(self) -> bool:
        """Hand the delivery to Celery. A broker outage is logged, not raised: the row stays
        pending and the beat task enqueues it again."""
        from .tasks import deliver_notification

        return publish(deliver_notification, self.pk, what="notification")

    def claim(self) -> bool:
        claimed = Notification.objects.filter(pk=self.pk, status=self.Status.PENDING).update(
            status=self.Status.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
        )
        if claimed:
            self.refresh_from_db()
        return bool(claimed)

    def retry_delay(self) -> int:
        """Exponential backoff: 30 s, 1, 2, 4, 8 minutes…, at most an hour."""
        return min(30 * 2 ** max(self.attempts - 1, 0), 3600)

    def deliver(self) -> int | None:
        """Claim and send. Returns a delay in seconds when the send failed and will be retried."""
        if not self.claim():
            return None
        from .channels import send

        try:
            send(self)
        except Exception as exc:  # noqa: BLE001 - recorded on the row and retried
            self.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if self.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
                self.status = self.Status.FAILED
                self.save(update_fields=["status", "last_error"])
                log.error("Notification %s failed for good after %s attempts", self.pk, self.attempts)
                return None
            delay = self.retry_delay()
            self.status = self.Status.PENDING
            self.due_at = timezone.now() + dt.timedelta(seconds=delay)
            self.save(update_fields=["status", "last_error", "due_at"])
            log.warning("Notification %s attempt %s failed; retrying in %ss", self.pk, self.attempts, delay)
            return delay
        self.status = self.Status.SENT
        self.sent_at = timezone.now()
        self._record_sent()
        return None

    def _record_sent(self) -> None:
        """The provider has the message now: recording that must outlast a database blip, or the
        row is given back later and sent twice (seen once in the PostgreSQL-restart drill)."""
        import time

        from django.db import connection

        for wait in (0.5, 1, 2, 4, 8, None):  # about 15 s, well inside the task's time limit
            try:
                self.save(update_fields=["status", "sent_at"])
                return
            except DatabaseError:
                if wait is None:
                    raise
                log.warning("Notification %s was sent but not yet recorded; retrying", self.pk)
                connection.close()  # a fresh connection once the database is back
                time.sleep(wait)
