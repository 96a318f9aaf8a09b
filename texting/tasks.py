"""Texting's beat task: thin, it takes nothing."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from intake import sms
from intake.delivery_errors import DeliveryError

from .inbound import catch_up

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
