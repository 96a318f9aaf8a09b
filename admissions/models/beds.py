"""Beds and places: an admission holds one from the moment it is scheduled until the person
arrives (then it is occupied until discharge) or the hold is released. Capacity is decided under a
row lock on the programme, so two workers racing for the last bed cannot both get it."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from intake.crypto import EncryptedTextField
from intake.models import Lead, WorkflowError

from .programme import Programme


class ProgrammeFull(Exception):
    """Every bed or place of the programme is taken; nothing was saved."""

    def __init__(self, programme: Programme):
        self.programme = programme
        super().__init__(
            f"The last {programme.unit} at {programme.title}, {programme.facility} was just taken; "
            "add the person to the waitlist?"
        )


class AdmissionQuerySet(models.QuerySet):
    def holding(self, now: dt.datetime | None = None):
        """Holds that still keep a bed: scheduled and not past their expiry."""
        return self.filter(state=Admission.State.HELD, hold_expires_at__gt=now or timezone.now())

    def occupying(self):
        return self.filter(state=Admission.State.OCCUPIED)

    def taking_a_bed(self, now: dt.datetime | None = None):
        now = now or timezone.now()
        return self.filter(Q(state=Admission.State.HELD, hold_expires_at__gt=now) | Q(state=Admission.State.OCCUPIED))

    def expired_holds(self, now: dt.datetime | None = None):
        return self.filter(state=Admission.State.HELD, hold_expires_at__lte=now or timezone.now())

    def open_for(self, lead: Lead):
        """The lead's admission still in play: held or occupied (at most one)."""
        return self.filter(lead=lead, state__in=[Admission.State.HELD, Admission.State.OCCUPIED])


def taken_places(programme: Programme, now: dt.datetime | None = None, *, except_offer_of=None) -> int:
    """Beds or places counted against capacity: unexpired holds, occupants and open waitlist
    offers (an offer keeps the bed for the person it was made to)."""
    from .waitlist import WaitlistEntry

    now = now or timezone.now()
    offers = WaitlistEntry.objects.filter(programme=programme).offered(now)
    if except_offer_of is not None:
        offers = offers.exclude(pk=except_offer_of.pk)
    return Admission.objects.filter(programme=programme).taking_a_bed(now).count() + offers.count()


def lock_programme(programme_id: int) -> Programme:
    """The programme, its row locked until the transaction ends: every decision about its
    capacity is made one at a time."""
    return Programme.objects.select_for_update(of=("self",)).select_related("facility").get(pk=programme_id)


# Every path locks in one order so that two of them can never wait on each other: the lead first,
# then the programmes it touches, lowest pk first.
def lock_lead_row(lead_id: int) -> None:
    Lead.objects.select_for_update().filter(pk=lead_id).values_list("pk").first()


def lock_programmes(programme_ids) -> dict[int, Programme]:
    """Several programmes locked in pk order (see above), by pk."""
    return {pk: lock_programme(pk) for pk in sorted(set(programme_ids))}


class HoldGivenAway(WorkflowError):
    """The person arrived after their hold expired, and its bed went to someone else meanwhile."""

    def __init__(self, programme: Programme):
        unit = programme.unit
        super().__init__(
            f"The hold expired and every {unit} at {programme.title}, {programme.facility} is taken now: "
            f"nothing was changed. Add the person to the waitlist, or release a {unit} first."
        )


class Admission(models.Model):
    """One scheduled admission: a bed or place held for the person, then occupied."""

    class State(models.TextChoices):
        HELD = "held", "Bed held"
        OCCUPIED = "occupied", "Arrived"
        RELEASED = "released", "Hold released"
        DISCHARGED = "discharged", "Discharged"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="admissions")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="admissions")
    state = models.CharField(max_length=20, choices=State.choices, default=State.HELD)
    admit_at = models.DateTimeField("admission date and time")
    hold_expires_at = models.DateTimeField("hold expires")
    note = EncryptedTextField(blank=True)
    email_reminder = models.BooleanField("email the person a reminder", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    arrived_at = models.DateTimeField(null=True, blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    # Why the hold was released (words for staff, no PHI: "expired", "lead closed: referred").
    release_reason = models.CharField(max_length=200, blank=True)
    release_note = EncryptedTextField(blank=True)
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Each alert once.
    staff_reminded_at = models.DateTimeField(null=True, blank=True)
    expiry_warned_at = models.DateTimeField(null=True, blank=True)

    objects = AdmissionQuerySet.as_manager()

    class Meta:
        ordering = ["admit_at"]
        indexes = [models.Index(fields=["programme", "state"], name="admission_programme_state")]

    def __str__(self) -> str:
        return f"Admission {self.lead.reference} ({self.get_state_display()})"

    @property
    def is_held(self) -> bool:
        return self.state == self.State.HELD

    @property
    def uid(self) -> str:
        """The calendar UID: the same for this admission however often it is downloaded."""
        domain = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "lantern.invalid"
        return f"admission-{self.pk}@{domain}"

    def release(self, *, reason: str, by: User | None, note: str = "", advance: bool = True) -> None:
        """Give the bed back (the next waiting person is offered it) and, with `advance`, the
        lead back to accepted with a timeline line. Runs in the caller's transaction or its own."""
        from .waitlist import WaitlistEntry

        with transaction.atomic():
            lock_lead_row(self.lead_id)
            lock_programme(self.programme_id)
            self.refresh_from_db(fields=["state"])
            if self.state != self.State.HELD:
                return
            self.state, self.released_at, self.ended_by = self.State.RELEASED, timezone.now(), by
            self.release_reason, self.release_note = reason[:200], note
            self.save(update_fields=["state", "released_at", "ended_by", "release_reason", "release_note"])
            if advance:
                from intake.models import LeadStatus

                lead = Lead.objects.get(pk=self.lead_id)
                if lead.status == LeadStatus.ADMISSION_SCHEDULED:
                    lead.advance(LeadStatus.ACCEPTED, by=by, text=note, hold_released=reason[:200])
            WaitlistEntry.objects.offer_free_places(self.programme)

    def arrive(self, *, by: User) -> None:
        """The person is here: the lead closes as admitted and the hold becomes an occupant."""
        from intake.models import LeadStatus, OutcomeFacts

        programme = self.programme
        facts = OutcomeFacts(
            status=LeadStatus.ADMITTED,
            admitted_on=timezone.localdate(),
            level_of_care=programme.level,
            programme=programme.title,
        )
        with transaction.atomic():
            # lead.close locks the lead and sends the status signal, whose receiver marks this
            # hold occupied (or refuses, HoldGivenAway, and the close is undone).
            self.lead.close(facts, by=by)
            self.refresh_from_db()

    def mark_occupied(self, by: User | None) -> None:
        """The hold becomes an occupant, under the programme's lock (the caller holds the lead's).
        A hold past its expiry no longer counts against capacity and its bed may have been given
        to someone else: then it is occupied only if a bed is still free."""
        with transaction.atomic():
            locked = lock_programme(self.programme_id)
            self.refresh_from_db(fields=["state", "hold_expires_at"])
            if self.state != self.State.HELD:
                return
            now = timezone.now()
            if self.hold_expires_at <= now and taken_places(locked, now) >= locked.capacity:
                raise HoldGivenAway(locked)
            self.state, self.arrived_at = self.State.OCCUPIED, now
            self.save(update_fields=["state", "arrived_at"])

    def discharge(self, on: dt.date, *, by: User) -> None:
        """The person left: the bed is free for the next in line."""
        from .waitlist import WaitlistEntry

        with transaction.atomic():
            lock_programme(self.programme_id)
            self.refresh_from_db(fields=["state"])
            if self.state != self.State.OCCUPIED:
                return
            self.state, self.discharged_on, self.ended_by = self.State.DISCHARGED, on, by
            self.save(update_fields=["state", "discharged_on", "ended_by"])
            WaitlistEntry.objects.offer_free_places(self.programme)


def schedule_admission(
    lead: Lead,
    *,
    programme: Programme,
    admit_at: dt.datetime,
    hold_expires_at: dt.datetime,
    note: str,
    email_reminder: bool,
    by: User,
) -> Admission:
    """Hold a bed and move the lead to admission scheduled, all or nothing. Raises ProgrammeFull
    (nothing saved) when no bed is left, counting a waitlist offer made to this lead as its own."""
    from intake.models import LeadStatus

    from .waitlist import WaitlistEntry

    if hold_expires_at < admit_at:
        raise WorkflowError("The hold must last at least until the admission time.")
    with transaction.atomic():
        # The lead, then this programme and those it waits for (a place left there is offered on)
        # in pk order: the order every path takes.
        lead.lock_for(by)
        waiting = list(WaitlistEntry.objects.filter(lead=lead).waiting())
        locked = lock_programmes([programme.pk, *(entry.programme_id for entry in waiting)])[programme.pk]
        now = timezone.now()
        offer = WaitlistEntry.objects.filter(lead=lead, programme=locked).offered(now).first()
        if taken_places(locked, now, except_offer_of=offer) >= locked.capacity:
            raise ProgrammeFull(locked)
        admission = Admission.objects.create(
            lead=lead,
            programme=locked,
            admit_at=admit_at,
            hold_expires_at=hold_expires_at,
            note=note,
            email_reminder=email_reminder,
            created_by=by,
        )
        for entry in waiting:
            # The offer used here becomes the hold; a place left elsewhere goes to the next in line.
            entry.leave(WaitlistEntry.LeaveReason.SCHEDULED_HERE, by=by, offer_next=entry.programme_id != locked.pk)
        lead.advance(LeadStatus.ADMISSION_SCHEDULED, by=by, programme=locked.pk, admission=admission.pk)
        from .reminders import VisitorReminder

        VisitorReminder.objects.plan_for(admission)
        return admission
