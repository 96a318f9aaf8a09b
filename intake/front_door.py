"""The one way in: every kind of request (a callback, an insurance check, and later texts, calls and
referrals) is received here, as `Lead.objects.receive(Submission(...))`.

In one transaction: the request is saved with what the visitor said; it joins the open lead of the
same phone (asked within DUPLICATE_LEAD_WINDOW_HOURS) or starts one; and the staff alerts are
written to the outbox. Other apps add their own rows beside it inside the same transaction
(verification wraps this call in its own `transaction.atomic()`).
"""

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone

from .crypto import keyed_hash
from .models import BestTime, Facility, ForWhom, Lead, LeadKind, LeadRequest, Notification, TextStop
from .timing import first_call_target

# Sent inside `receive`'s transaction once a request is stored: lead, request, repeat (it joined an
# open lead). A receiver's rows commit or roll back with the request.
request_received = Signal()


@dataclass(frozen=True)
class Submission:
    """What a visitor sent, already validated; the phone in E.164."""

    kind: str
    name: str
    phone: str
    consent_version: str
    consent_page: str
    email: str = ""
    for_whom: str = ForWhom.SELF
    best_time: str = BestTime.ASAP
    ok_to_text: bool = False
    ok_to_voicemail: bool = False
    urgent: bool = False
    # The language of the page the visitor used (settings.LANGUAGES).
    language: str = "en"
    message: str = ""
    attribution: dict = field(default_factory=dict)
    # A request that waited in the spool (intake.spool) while the database was down is stored as
    # of when the visitor sent it: its first-call target and waiting time start then.
    received_at: dt.datetime | None = None
    # Stored on the LeadRequest (unique) and, if the store fails, the spool entry's id: a request
    # whose commit went through unacknowledged, or a drain that stopped before removing the entry,
    # is recognised by it and never stored twice.
    submission_id: uuid.UUID = field(default_factory=uuid.uuid4)

    def to_spool(self) -> dict:
        """What the spool keeps (encrypted) to receive this later: everything the visitor sent."""
        kept = asdict(self)
        del kept["received_at"], kept["submission_id"]
        return kept

    def what_they_said(self) -> dict:
        """The fields a lead starts with and every request keeps as its own."""
        return {
            "kind": self.kind,
            "name": self.name,
            "email": self.email,
            "for_whom": self.for_whom,
            "best_time": self.best_time,
            "ok_to_text": self.ok_to_text,
            "ok_to_voicemail": self.ok_to_voicemail,
            "urgent": self.urgent,
            "language": self.language,
        }

    @classmethod
    def from_callback(
        cls, data: dict, *, consent_version: str, consent_page: str, attribution: dict, language: str = "en"
    ):
        """From the callback form's cleaned data."""
        return cls(
            kind=LeadKind.CALLBACK,
            name=data["name"],
            phone=data["phone"],
            email=data.get("email") or "",
            for_whom=data.get("for_whom") or ForWhom.SELF,
            best_time=data.get("best_time") or BestTime.ASAP,
            ok_to_text=bool(data.get("ok_to_text")),
            ok_to_voicemail=bool(data.get("ok_to_voicemail")),
            urgent=data.get("in_danger") == "yes",
            message=data.get("message") or "",
            consent_version=consent_version,
            consent_page=consent_page,
            attribution=attribution,
            language=language,
        )


def receive(submission: Submission) -> tuple[Lead, LeadRequest]:
    now = submission.received_at or timezone.now()
    window = now - dt.timedelta(hours=settings.DUPLICATE_LEAD_WINDOW_HOURS)
    # No savepoint: inside a caller's transaction (verification's) a failure here undoes it all anyway.
    with transaction.atomic(savepoint=False):
        lock_phone(submission.phone)
        lead = (
            Lead.objects.select_for_update()
            .open()
            .for_phone(submission.phone)
            .filter(last_requested_at__gte=window)
            .order_by("-last_requested_at")
            .first()
        )
        repeat = lead is not None
        if repeat:
            latest = lead.last_requested_at
            lead.absorb(submission, now=now)
            # A spooled request stored after a newer one that reached the lead directly.
            lead.last_requested_at = max(latest, now)
            lead.save()
            lead.refresh_from_db(fields=["request_count"])
        else:
            said = submission.what_they_said()
            # A new lead starts from the most careful answer this phone has given: a stranger cannot
            # switch texts or voicemail on by waiting for the person's lead to fall out of the window.
            if said["ok_to_text"] or said["ok_to_voicemail"]:
                refused = Lead.objects.for_phone(submission.phone).aggregate(
                    text=Count("pk", filter=Q(ok_to_text=False)), voicemail=Count("pk", filter=Q(ok_to_voicemail=False))
                )
                said["ok_to_text"] = said["ok_to_text"] and not refused["text"]
                said["ok_to_voicemail"] = said["ok_to_voicemail"] and not refused["voicemail"]
            # A number that replied STOP gets no texts on a new lead either, until it replies START.
            stopped = TextStop.objects.filter(phone_hash=keyed_hash(submission.phone))
            lead = Lead.objects.create(
                **said,
                texts_stopped_at=stopped.values_list("stopped_at", flat=True).first(),
                phone=submission.phone,
                created_at=now,
                last_requested_at=now,
                danger_reported_at=now if submission.urgent else None,
                sla_due_at=first_call_target(now, best_time=submission.best_time, urgent=submission.urgent),
                facility_id=Facility.objects.default_id(),
                **submission.attribution,
            )
        request = LeadRequest.objects.create(
            **submission.what_they_said(),
            lead=lead,
            created_at=now,
            message=submission.message,
            consent_version=submission.consent_version,
            consent_at=now,
            consent_page=submission.consent_page[:200],
            submission_id=submission.submission_id,
        )
        kind = Notification.Kind.REPEAT_REQUEST if repeat else Notification.Kind.NEW_LEAD
        Notification.objects.queue_for_lead(lead, kind=kind, urgent=submission.urgent)
        # Other apps add their rows in the same transaction (texting: the first text to the person).
        request_received.send(Lead, lead=lead, request=request, repeat=repeat)
    return lead, request


def lock_phone(phone: str) -> None:
    """Two first requests from one phone at the same moment must make one lead, not two: row locks
    cannot guard a row that does not exist yet, so PostgreSQL takes a transaction-scoped advisory
    lock on the phone's keyed hash. (SQLite, for `make run`, already runs one writer at a time.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [keyed_hash(phone)])
