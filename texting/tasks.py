"""Texting's beat task: thin, it takes nothing."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from intake import sms
from intake.delivery_errors import DeliveryError
from intake.retention import blank, retention_days

from .inbound import catch_up
from .lead_part import ANONYMISED_HASH
from .models import IncomingText, OutgoingText

log = logging.getLogger(__name__)


@shared_task
def fetch_missed_texts() -> int:
    """Every TEXT_CATCH_UP_SECONDS: ask the provider for the texts our number received lately and
    store any whose webhook never reached us (the site down, the database down, a proxy's 502).
    Twilio does not retry an inbound webhook, so this is what makes a text outlive an outage."""
    since = timezone.now() - dt.timedelta(hours=settings.TEXT_CATCH_UP_HOURS)
    try:
        stored = catch_up(sms.received_since(since))
    except DeliveryError as exc:
        # The words say which HTTP status, never a number or a body (intake.sms).
        log.warning("Could not list recent texts from the SMS provider: %s", exc)
        return 0
    if stored:
        log.warning("Stored %s texts whose webhook never arrived", stored)
    return stored


@shared_task
def purge_leadless_texts() -> int:
    """Daily: a keyword text from a number with no lead (a STOP, a HELP) and our answer belong to no
    lead, so lead retention never reaches them; they are blanked RETENTION_DAYS after they were
    sent. What the STOP did (intake.TextStop, a keyed hash and a time) stays: it must keep holding."""
    days = retention_days()
    if days <= 0:
        return 0
    cutoff = timezone.now() - dt.timedelta(days=days)
    done = 0
    for queryset in (
        IncomingText.objects.filter(lead__isnull=True, received_at__lt=cutoff),
        OutgoingText.objects.filter(lead__isnull=True, created_at__lt=cutoff),
    ):
        queryset = queryset.exclude(phone_hash=ANONYMISED_HASH)
        done += blank(queryset)
        queryset.update(phone_hash=ANONYMISED_HASH)
    if done:
        log.info("Blanked %s texts that belonged to no lead", done)
    return done
