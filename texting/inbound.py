"""Texts the person sends to the centre's number, and the provider's reports on the texts we sent.

A text is stored once per provider message id (a provider retries a webhook it thinks failed),
joins the person's open lead or starts one through the one front door, and reaches a person: the
lead's worker, or the team on duty; a text that mentions danger reaches them as an urgent request
does. The carriers' keywords are acted on before anyone reads them (texting.keywords).
"""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from intake.consent import CURRENT_TEXT_INBOUND_CONSENT
from intake.crypto import keyed_hash
from intake.front_door import Submission, lock_phone, receive
from intake.models import Lead, LeadKind, Notification, TextStop
from intake.phones import normalise_phone

from . import keywords, wording
from .models import IncomingText, OutgoingText, Purpose

log = logging.getLogger(__name__)


def receive_text(*, provider_id: str, from_number: str, body: str, sent_at=None) -> IncomingText | None:
    """Store and act on one inbound text; None when this message id was stored before. `sent_at`:
    when the person sent it, for a text fetched late from the provider (texting.tasks)."""
    phone = normalise_phone(from_number) or from_number
    now = sent_at or timezone.now()
    try:
        with transaction.atomic():
            lock_phone(phone)  # one number's texts are handled one at a time
            if IncomingText.objects.filter(provider_id=provider_id).exists():
                return None
            keyword = keywords.keyword_of(body)
            if keyword == keywords.START and not TextStop.objects.filter(phone_hash=keyed_hash(phone)).exists():
                keyword = ""  # "Yes" to a question, from a number that never stopped: a message for a person
            danger = not keyword and keywords.mentions_danger(body)
            lead = Lead.objects.select_for_update().open().for_phone(phone).order_by("-last_requested_at").first()
            started = False
            if lead is None and keyword in (keywords.STOP, keywords.START):
                # From a number with no open lead: acted on and answered, not a new lead.
                lead = Lead.objects.for_phone(phone).order_by("-last_requested_at").first()
            elif lead is None:
                # A message, or HELP: someone reaching out to a treatment centre, which a person should see.
                lead, _ = receive(_submission(phone, danger))
                started = True
            text = IncomingText.objects.create(
                lead=lead,
                provider_id=provider_id[:64],
                phone=phone,
                body=body,
                received_at=now,
                keyword=keyword,
                mentions_danger=danger,
            )
            if keyword:
                language = keywords.reply_language(body, lead.language if lead else "en")
                _act_on_keyword(keyword, phone, lead, now, language=language, word=keywords.word_of(body))
            if keyword in ("", keywords.HELP) and not started:
                _tell_the_team(lead, danger, now)
    except IntegrityError:
        # The same message id, stored by a concurrent retry of the webhook in the meantime.
        return None
    log.info("Text %s received on lead %s", text.pk, lead.pk if lead else "-")
    return text


def _submission(phone: str, danger: bool) -> Submission:
    """A text from a number with no open lead is a request like a form's: what it says stays on the
    text (IncomingText), and replying by text is what it allows."""
    return Submission(
        kind=LeadKind.TEXT,
        name="",
        phone=phone,
        consent_version=CURRENT_TEXT_INBOUND_CONSENT,
        consent_page="",
        ok_to_text=True,
        urgent=danger,
    )


def _act_on_keyword(keyword: str, phone: str, lead: Lead | None, now, *, language: str, word: str) -> None:
    """Stop, resume or answer, in `language`. A confirmation goes once, when something changed: a
    second STOP to a number already stopped is not answered again."""
    if keyword == keywords.STOP:
        if Lead.objects.stop_texts(phone, at=now, word=word):
            reply = wording.stop_reply(language)
            OutgoingText.objects.write(lead, reply, purpose=Purpose.STOP_REPLY, phone=phone)
    elif keyword == keywords.START:
        if Lead.objects.resume_texts(phone, at=now, word=word):
            reply = wording.start_reply(language)
            OutgoingText.objects.write(lead, reply, purpose=Purpose.START_REPLY, phone=phone)
    elif keyword == keywords.HELP:
        OutgoingText.objects.write(lead, wording.help_reply(language), purpose=Purpose.HELP_REPLY, phone=phone)


def _tell_the_team(lead: Lead, danger: bool, now) -> None:
    """The lead's worker, or the team on duty, hears of the text (never its words). Danger makes the
    lead urgent and alerts like an urgent request, on every channel, at any hour. A burst of texts
    makes one routine alert: another is not queued while one is still waiting to go."""
    kind = Notification.Kind.TEXT_RECEIVED
    if danger:
        lead.report_danger(now)
        lead.save(update_fields=["urgent", "danger_reported_at", "escalated_at", "sla_due_at", "updated_at"])
        rows = Notification.objects.queue_for_lead(lead, kind=kind, urgent=True)
        owner = lead.assigned_to
        if owner and owner.is_active and owner.pk not in {row.recipient_id for row in rows}:
            Notification.objects.queue(lead, kind=kind, recipients=[owner], urgent=True, every_channel=True)
        return
    waiting = Notification.objects.filter(lead=lead, kind=kind, status=Notification.Status.PENDING, attempts=0)
    if waiting.exists():
        return
    owner = lead.assigned_to
    if owner and owner.is_active:
        Notification.objects.queue(lead, kind=kind, recipients=[owner])
    else:
        Notification.objects.queue_for_lead(lead, kind=kind)


def catch_up(received) -> int:
    """Store the provider's list of texts (intake.sms.Received) that are not stored yet; how many were."""
    stored = IncomingText.objects.filter(provider_id__in=[r.provider_id for r in received]).values_list(
        "provider_id", flat=True
    )
    known = set(stored)
    return sum(
        receive_text(provider_id=r.provider_id, from_number=r.from_number, body=r.body, sent_at=r.sent_at) is not None
        for r in received
        if r.provider_id not in known
    )


def receive_report(text_id: int, *, provider_id: str, status: str, error_code: str = "") -> bool:
    """A delivery report for our text `text_id`. Refused (False) when the provider's id does not
    match the one we recorded: a report for someone else's text must not touch this one."""
    text = OutgoingText.objects.filter(pk=text_id).first()
    if text is None or (text.provider_id and provider_id and text.provider_id != provider_id):
        return False
    text.record_report(status, error_code)
    return True
