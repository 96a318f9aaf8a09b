"""The first text right after a request, written in the front door's transaction (so it is sent
once the request is stored, and never without it)."""

import logging

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver

from intake.consent import may_contact
from intake.front_door import request_received
from intake.models import LeadKind

from . import wording
from .models import OutgoingText, Purpose

log = logging.getLogger(__name__)


@receiver(request_received, dispatch_uid="texting-first-text")
def text_first(sender, lead, request, repeat: bool, **kwargs) -> None:
    """Only where this request allowed texts and the lead still may be texted (the most careful
    answer wins: a STOP, or a "no" on another request), and only once per lead: a second request
    from the same person is not a new conversation."""
    if not settings.TEXT_FIRST_MESSAGE or request.kind == LeadKind.TEXT:
        return
    if not request.ok_to_text or not may_contact(lead, "text"):
        return
    if repeat and lead.outgoing_texts.exists():
        return
    try:
        # In a savepoint of its own: a broken text setting must cost the first text, never the
        # person's request, which this runs inside.
        with transaction.atomic():
            OutgoingText.objects.write(lead, wording.first_text(request, language=lead.language), purpose=Purpose.FIRST)
    except Exception as exc:  # noqa: BLE001 - logged by class only: the message can quote the text
        log.error("No first text for lead %s: %s", lead.pk, type(exc).__name__)
