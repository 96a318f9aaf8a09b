"""What the board shows of each programme, and beat's sweeps over holds, offers and check-ins."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intake.models import Notification

from .models import Admission, Programme, WaitlistEntry
from .models.waitlist import workers_of


@dataclass
class Figures:
    programme: Programme
    capacity: int
    held: int
    occupied: int
    offered: int
    waiting: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.held - self.occupied - self.offered, 0)

    @property
    def words(self) -> str:
        unit = self.programme.unit
        plural = f"{unit}s" if self.capacity != 1 else unit
        text = f"{self.programme.title}: {self.free} of {self.capacity} {plural} free · {self.held} held · "
        text += f"{self.occupied} occupied"
        if self.offered:
            text += f" · {self.offered} offered"
        return text + f" · {self.waiting} waiting"


def figures(programme: Programme, now: dt.datetime | None = None) -> Figures:
    now = now or timezone.now()
    admissions = Admission.objects.filter(programme=programme)
    waitlist = WaitlistEntry.objects.filter(programme=programme)
    return Figures(
        programme=programme,
        capacity=programme.capacity,
        held=admissions.holding(now).count(),
        occupied=admissions.occupying().count(),
        offered=waitlist.offered(now).count(),
        waiting=waitlist.waiting().count(),
    )


def is_full(programme: Programme) -> bool:
    return figures(programme).free == 0


# --- Beat's sweeps (admissions.tasks) -------------------------------------------------------------


def release_expired_holds(now: dt.datetime | None = None) -> int:
    """Holds past their expiry give their bed back; the lead returns to accepted, its worker
    alerted that the hold expired (HOLD_RELEASED: not "about to expire", it already has)."""
    released = 0
    for admission in Admission.objects.expired_holds(now).select_related("lead__assigned_to")[:200]:
        with transaction.atomic():
            admission.release(reason="The hold expired", by=None)
            admission.refresh_from_db(fields=["state"])
            if admission.state == Admission.State.RELEASED:
                Notification.objects.queue(
                    admission.lead, kind=Notification.Kind.HOLD_RELEASED, recipients=workers_of(admission.lead)
                )
                released += 1
    return released


def _alert_once(due, stamp: str, kind: str, now: dt.datetime) -> int:
    """Alert each admission's workers of `kind`, once: the conditional UPDATE on `stamp` lets only
    one beat run (or one of several schedulers) win for each admission."""
    alerted = 0
    for admission in due.select_related("lead__assigned_to")[:200]:
        if Admission.objects.filter(pk=admission.pk, **{f"{stamp}__isnull": True}).update(**{stamp: now}):
            Notification.objects.queue(admission.lead, kind=kind, recipients=workers_of(admission.lead))
            alerted += 1
    return alerted


def warn_expiring_holds(now: dt.datetime | None = None) -> int:
    """Once per hold, HOLD_WARNING_HOURS before it expires."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=settings.HOLD_WARNING_HOURS)
    due = Admission.objects.holding(now).filter(hold_expires_at__lte=soon, expiry_warned_at__isnull=True)
    return _alert_once(due, "expiry_warned_at", Notification.Kind.HOLD_EXPIRING, now)


def remind_staff_of_admissions(now: dt.datetime | None = None) -> int:
    """Once per admission, ADMISSION_REMINDER_HOURS before it."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=settings.ADMISSION_REMINDER_HOURS)
    due = Admission.objects.holding(now).filter(admit_at__lte=soon, admit_at__gt=now, staff_reminded_at__isnull=True)
    return _alert_once(due, "staff_reminded_at", Notification.Kind.ADMISSION_REMINDER, now)


def expire_offers(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    expired = WaitlistEntry.objects.waiting().filter(offered_at__isnull=False, offer_expires_at__lte=now)
    count = 0
    for entry in expired[:200]:
        entry.expire_offer()
        count += 1
    return count


def remind_check_ins(now: dt.datetime | None = None) -> int:
    return sum(
        entry.remind_check_in() for entry in WaitlistEntry.objects.check_ins_due(now).select_related("lead")[:200]
    )


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Everything beat does for beds, in one run (counts only: no PHI)."""
    return {
        "released": release_expired_holds(now),
        "offers_expired": expire_offers(now),
        "warned": warn_expiring_holds(now),
        "reminded": remind_staff_of_admissions(now),
        "check_ins": remind_check_ins(now),
    }
