"""The waitlist: people accepted for a full programme wait in the order they joined. When a bed
frees, the first one waiting is offered it: the bed is kept for them (counted in capacity) until
the offer expires, and their worker is alerted to schedule it or pass it on."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone

from intake.crypto import EncryptedTextField
from intake.models import Lead, Notification
from intake.models.staff import on_duty_admissions

from .programme import Programme


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def workers_of(lead: Lead) -> list[User]:
    """Who is alerted about a lead's bed: the worker who has it, else whoever is on duty."""
    return [lead.assigned_to] if lead.assigned_to_id and lead.assigned_to.is_active else on_duty_admissions()


class WaitlistQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(left_at__isnull=True)

    def offered(self, now: dt.datetime | None = None):
        """Open offers: each keeps a bed until it expires."""
        return self.waiting().filter(offered_at__isnull=False, offer_expires_at__gt=now or timezone.now())

    def in_line(self):
        return self.waiting().order_by("joined_at", "pk")

    def check_ins_due(self, now: dt.datetime | None = None):
        """Entries whose check-in is due and whose worker has not yet been reminded of this one."""
        now = now or timezone.now()
        return (
            self.waiting().filter(next_check_in_at__lte=now).exclude(check_in_reminded_for=models.F("next_check_in_at"))
        )

    def offer_free_places(self, programme: Programme) -> list["WaitlistEntry"]:
        """Offer each free bed of `programme` to the next in line who has no offer and has not
        passed one since their last check-in. Called under the programme's lock."""
        from .beds import lock_programme, taken_places

        made = []
        with transaction.atomic():
            locked = lock_programme(programme.pk)
            now = timezone.now()
            free = locked.capacity - taken_places(locked, now)
            candidates = self.model.objects.filter(programme=locked, offered_at__isnull=True, passed_at__isnull=True)
            for entry in candidates.in_line().select_related("lead__assigned_to")[: max(free, 0)]:
                entry.make_offer(now)
                made.append(entry)
        return made


class WaitlistEntry(models.Model):
    class LeaveReason(models.TextChoices):
        ADMITTED_ELSEWHERE = "admitted_elsewhere", "Admitted elsewhere"
        DECLINED = "declined", "Declined"
        UNREACHABLE = "unreachable", "Unreachable"
        SCHEDULED_HERE = "scheduled_here", "Admission scheduled here"
        REFERRED_OUT = "referred_out", "Referred out"
        OTHER = "other", "Other"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="waitlist_entries")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="waitlist_entries")
    joined_at = models.DateTimeField(default=timezone.now)
    joined_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    check_in_days = models.PositiveSmallIntegerField(default=2)
    next_check_in_at = models.DateTimeField()
    last_check_in_at = models.DateTimeField(null=True, blank=True)
    check_in_note = EncryptedTextField(blank=True)
    # The due time the worker was last reminded of: one reminder per due time.
    check_in_reminded_for = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    # They passed on an offer (or let it expire): skipped for offers until the next check-in.
    passed_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    leave_reason = models.CharField(max_length=30, choices=LeaveReason.choices, blank=True)
    leave_note = EncryptedTextField(blank=True)
    left_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = WaitlistQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at", "pk"]
        verbose_name_plural = "waitlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "programme"],
                condition=models.Q(left_at__isnull=True),
                name="one_waiting_entry_per_lead",
            )
        ]

    def __str__(self) -> str:
        return f"Waitlist {self.lead.reference} for {self.programme_id}"

    @classmethod
    def join(cls, lead: Lead, programme: Programme, *, by: User) -> "WaitlistEntry":
        from intake.models import LeadStatus

        with transaction.atomic():
            lead.lock_for(by)
            if cls.objects.filter(lead=lead, programme=programme).waiting().exists():
                return cls.objects.filter(lead=lead, programme=programme).waiting().get()
            now = timezone.now()
            days = settings.WAITLIST_CHECK_IN_DAYS
            entry = cls.objects.create(
                lead=lead,
                programme=programme,
                joined_at=now,
                joined_by=by,
                check_in_days=days,
                next_check_in_at=now + dt.timedelta(days=days),
            )
            if lead.status != LeadStatus.WAITLISTED:
                lead.advance(LeadStatus.WAITLISTED, by=by, programme=programme.pk, waitlist=entry.pk)
            # A bed may have freed meanwhile: the newcomer is offered it if nobody is ahead.
            cls.objects.offer_free_places(programme)
            entry.refresh_from_db()
            return entry

    @property
    def is_waiting(self) -> bool:
        return self.left_at is None

    @property
    def has_open_offer(self) -> bool:
        return bool(
            self.is_waiting and self.offered_at and self.offer_expires_at and self.offer_expires_at > timezone.now()
        )

    def position(self) -> int:
        """1 for the first in line."""
        ahead = (
            WaitlistEntry.objects.filter(programme_id=self.programme_id)
            .waiting()
            .filter(models.Q(joined_at__lt=self.joined_at) | models.Q(joined_at=self.joined_at, pk__lt=self.pk))
        )
        return ahead.count() + 1

    def place_words(self) -> str:
        return f"{ordinal(self.position())} in line for {self.programme.title} at {self.programme.facility}"

    def make_offer(self, now: dt.datetime) -> None:
        self.offered_at = now
        self.offer_expires_at = now + dt.timedelta(hours=settings.WAITLIST_OFFER_HOURS)
        self.save(update_fields=["offered_at", "offer_expires_at"])
        Notification.objects.queue(self.lead, kind=Notification.Kind.BED_OFFERED, recipients=workers_of(self.lead))

    def pass_offer(self, *, by: User | None) -> None:
        """The person cannot take the bed now: it goes to the next in line; they keep their place."""
        with transaction.atomic():
            from .beds import lock_programme

            lock_programme(self.programme_id)
            self.refresh_from_db()
            if not self.offered_at or not self.is_waiting:
                return
            self.offered_at = self.offer_expires_at = None
            self.passed_at = timezone.now()
            self.save(update_fields=["offered_at", "offer_expires_at", "passed_at"])
            WaitlistEntry.objects.offer_free_places(self.programme)

    def check_in(self, *, by: User, note: str = "") -> None:
        """The worker spoke with the person: the next check-in moves on, and they may be offered beds again."""
        now = timezone.now()
        self.last_check_in_at, self.check_in_note, self.passed_at = now, note, None
        self.next_check_in_at = now + dt.timedelta(days=self.check_in_days)
        self.save(update_fields=["last_check_in_at", "check_in_note", "passed_at", "next_check_in_at"])
        WaitlistEntry.objects.offer_free_places(self.programme)

    def expire_offer(self) -> None:
        """Nobody took the offer in time: the next in line gets it."""
        self.pass_offer(by=None)

    def remind_check_in(self) -> bool:
        """Alert the worker once per due time; True if this call did."""
        won = WaitlistEntry.objects.filter(pk=self.pk).exclude(check_in_reminded_for=self.next_check_in_at)
        if not won.update(check_in_reminded_for=self.next_check_in_at):
            return False
        Notification.objects.queue(
            self.lead, kind=Notification.Kind.WAITLIST_CHECK_IN, recipients=workers_of(self.lead)
        )
        return True

    def leave(
        self, reason: str, *, by: User | None, note: str = "", offer_next: bool = True, advance: bool = False
    ) -> None:
        """Off the waitlist, always with why; an offer it held goes to the next in line. With
        `advance`, a lead waiting nowhere else goes back to accepted."""
        from intake.models import LeadStatus

        from .beds import lock_lead_row, lock_programme

        with transaction.atomic():
            # The lead before the programme, as scheduling does: the two cannot deadlock.
            lock_lead_row(self.lead_id)
            lock_programme(self.programme_id)
            self.refresh_from_db(fields=["left_at"])
            if not self.is_waiting:
                return
            self.left_at, self.leave_reason, self.leave_note, self.left_by = timezone.now(), reason, note, by
            self.save(update_fields=["left_at", "leave_reason", "leave_note", "left_by"])
            if offer_next:
                WaitlistEntry.objects.offer_free_places(self.programme)
            lead = Lead.objects.get(pk=self.lead_id)
            still_waiting = WaitlistEntry.objects.filter(lead=lead).waiting().exists()
            if advance and lead.status == LeadStatus.WAITLISTED and not still_waiting:
                label = self.LeaveReason(reason).label.lower()
                lead.advance(LeadStatus.ACCEPTED, by=by, text=note, left_waitlist=label)
