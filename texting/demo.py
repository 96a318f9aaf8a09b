"""Demo text conversations for `manage.py seed_demo`, on four invented people who allowed texts:

- Harper: the automatic first text (delivered) and a reply nobody has read yet, so the queue shows
  "1 unread text";
- Devon: a reply, a worker's answer, and a worker's next text held for the person's quiet hours
  (seeded in the daytime, it waits for the morning after the coming night; the `make run` worker
  sends it then, to the console);
- Sky: a worker's text the carrier could not deliver (Twilio error 30003, the phone off or out of
  reach), the worker told through the real report path;
- Emery: a reply of STOP, confirmed once, so the lead page says texting is off.

Every body is what Lantern itself would send: the first text from texting.wording, staff texts
signed the same way and free of telling words. Idempotent: a demo number that has a lead is
left alone.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from intake.consent import CURRENT_CALLBACK_CONSENT
from intake.models import AttemptOutcome, ContactAttempt, Facility, Lead, LeadRequest, LeadStatus
from intake.signals import seed_demo_content
from intake.timing import first_call_target

from . import quiet_hours, wording
from .models import IncomingText, OutgoingText, ProviderStatus, Purpose, record_disclosure

# Twilio's code for a handset that is off or out of reach: the text may be tried again later.
UNREACHABLE_HANDSET = "30003"


@receiver(seed_demo_content)
def seed_demo_texts(sender, **kwargs) -> str | None:
    worker = User.objects.filter(username="admissions").first()
    if worker is None:
        return None
    made = 0
    for name, phone, story in DEMO_CONVERSATIONS:
        if Lead.objects.for_phone(phone).exists():
            continue
        with transaction.atomic():
            story(name, phone, worker)
        made += 1
    return f"Created {made} demo text conversations" if made else None


# --- The four conversations -------------------------------------------------------------------


def unread_reply(name: str, phone: str, worker: User) -> None:
    """Asked 40 minutes ago, not called yet; wrote back, and nobody has opened the lead since."""
    lead, request = _asked(name, phone, minutes_ago=40, best_time="evening")
    _first_text(lead, request)
    _from_person(lead, "Thanks. I'm at work until 5 and can't really talk here. Is a call after 5:30 ok?", minutes=31)


def held_until_morning(name: str, phone: str, worker: User) -> None:
    """Reached yesterday; agreed a time by text. The worker's reminder waits out the person's night."""
    lead, request = _asked(name, phone, minutes_ago=26 * 60, best_time="asap")
    _first_text(lead, request)
    _called(lead, worker, AttemptOutcome.REACHED, minutes=50)
    asks = "It was good to talk. Can my sister be on the next call? She's the one driving me."
    _from_person(lead, asks, minutes=140, by=worker)
    _from_staff(lead, worker, "Of course, she is welcome. We'll call you both as agreed.", minutes=150)
    now = timezone.now()
    due = _after_next_quiet_hours(lead.phone, now)
    OutgoingText.objects.create(
        lead=lead,
        phone=lead.phone,
        body=wording.signed("Good morning. Is 10 still a good time for today's call?", first=False),
        purpose=Purpose.STAFF,
        written_by=worker,
        created_at=now,
        due_at=due,
        held_until=due,
    )


def undelivered(name: str, phone: str, worker: User) -> None:
    """Called three hours ago without an answer; the worker's follow-up text never reached the phone."""
    lead, request = _asked(name, phone, minutes_ago=3 * 60, best_time="asap")
    _first_text(lead, request)
    _called(lead, worker, AttemptOutcome.NO_ANSWER, minutes=20)
    text = _from_staff(
        lead,
        worker,
        "Sorry we missed you just now. When would be a good time to try again?",
        minutes=22,
        delivered=False,
    )
    # The provider's report, as it would arrive: the worker who wrote it is told to call instead.
    text.record_report(ProviderStatus.UNDELIVERED, UNREACHABLE_HANDSET)


def replied_stop(name: str, phone: str, worker: User) -> None:
    """Asked yesterday evening; replied STOP to the first text. Calls are still allowed."""
    lead, request = _asked(name, phone, minutes_ago=20 * 60, best_time="morning")
    _first_text(lead, request)
    stop = _from_person(lead, "Stop", minutes=9, by=worker, keyword=IncomingText.Keyword.STOP)
    Lead.objects.stop_texts(lead.phone, at=stop.received_at, word="Stop")
    _sent(lead, wording.stop_reply(), purpose=Purpose.STOP_REPLY, at=stop.received_at + dt.timedelta(seconds=2))


# Invented people; numbers in the 555-01xx range kept for fiction.
DEMO_CONVERSATIONS = [
    ("Harper Lane", "+13125550161", unread_reply),
    ("Devon Marsh", "+13125550162", held_until_morning),
    ("Sky Navarro", "+13125550163", undelivered),
    ("Emery Cole", "+13125550164", replied_stop),
]


# --- Pieces -----------------------------------------------------------------------------------


def _asked(name: str, phone: str, *, minutes_ago: int, best_time: str) -> tuple[Lead, LeadRequest]:
    """A callback request with texts allowed (voicemail not), as the form would have stored it."""
    asked = timezone.now() - dt.timedelta(minutes=minutes_ago)
    said = {"name": name, "for_whom": "self", "best_time": best_time, "ok_to_text": True, "ok_to_voicemail": False}
    lead = Lead.objects.create(
        phone=phone,
        created_at=asked,
        last_requested_at=asked,
        sla_due_at=first_call_target(asked, best_time=best_time, urgent=False),
        facility_id=Facility.objects.default_id(),
        **said,
    )
    request = LeadRequest.objects.create(
        lead=lead,
        created_at=asked,
        consent_version=CURRENT_CALLBACK_CONSENT,
        consent_at=asked,
        consent_page="/callback/",
        **said,
    )
    return lead, request


def _first_text(lead: Lead, request: LeadRequest) -> OutgoingText:
    return _sent(
        lead, wording.first_text(request), purpose=Purpose.FIRST, at=request.created_at + dt.timedelta(seconds=20)
    )


def _called(lead: Lead, worker: User, outcome: str, *, minutes: int) -> None:
    called = lead.created_at + dt.timedelta(minutes=minutes)
    ContactAttempt.objects.create(lead=lead, staff=worker, outcome=outcome, created_at=called)
    reached = outcome == AttemptOutcome.REACHED
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.REACHED if reached else LeadStatus.CONTACTING,
        first_contacted_at=called,
        attempt_count=1,
        last_attempt_at=called,
        last_attempt_outcome=outcome,
        assigned_to=worker,
        assigned_at=called,
    )
    lead.refresh_from_db()


def _from_staff(lead: Lead, worker: User, words: str, *, minutes: int, delivered: bool = True) -> OutgoingText:
    at = lead.created_at + dt.timedelta(minutes=minutes)
    body = wording.signed(words, first=False)
    return _sent(lead, body, purpose=Purpose.STAFF, at=at, by=worker, delivered=delivered)


def _sent(
    lead: Lead, body: str, *, purpose: str, at: dt.datetime, by: User | None = None, delivered: bool = True
) -> OutgoingText:
    """A text the worker has sent and the provider has taken (and, unless told otherwise, delivered),
    listed in the lead's accounting of disclosures as every sent text is."""
    text = OutgoingText.objects.create(
        lead=lead,
        phone=lead.phone,
        body=body,
        purpose=purpose,
        written_by=by,
        created_at=at,
        due_at=at,
        status=OutgoingText.Status.SENT,
        attempts=1,
        finished_at=at + dt.timedelta(seconds=1),
        provider_id=_sid(),
        provider_status=ProviderStatus.DELIVERED if delivered else ProviderStatus.SENT,
        provider_status_at=at + dt.timedelta(seconds=4),
    )
    record_disclosure(text)
    return text


def _from_person(
    lead: Lead, body: str, *, minutes: int, by: User | None = None, keyword: str = IncomingText.Keyword.NONE
) -> IncomingText:
    """A text the person sent; read by `by` a few minutes later, or still unread."""
    at = lead.created_at + dt.timedelta(minutes=minutes)
    return IncomingText.objects.create(
        lead=lead,
        provider_id=_sid(),
        phone=lead.phone,
        body=body,
        received_at=at,
        keyword=keyword,
        read_at=at + dt.timedelta(minutes=3) if by else None,
        read_by=by,
    )


def _after_next_quiet_hours(phone: str, now: dt.datetime) -> dt.datetime:
    """The end of the person's quiet hours: these ones if they are in them now, else the coming ones."""
    hours = quiet_hours.quiet_hours(settings.TEXT_QUIET_HOURS)
    local = now.astimezone(quiet_hours.zones_of(phone)[0])
    if hours.covers(local):
        return quiet_hours.next_allowed(phone, now)
    starts = dt.datetime.combine(local.date(), hours.starts, tzinfo=local.tzinfo)
    if starts <= local:
        starts += dt.timedelta(days=1)
    return quiet_hours.next_allowed(phone, starts)


def _sid() -> str:
    """A message id shaped like Twilio's (SM and 32 hex digits)."""
    return f"SM{uuid.uuid4().hex}"
