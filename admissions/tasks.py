"""Admissions' periodic work."""

import logging

from celery import shared_task

from .models import GoodFaithEstimate

log = logging.getLogger(__name__)


@shared_task
def purge_old_estimates() -> int:
    """Daily: blank Good Faith Estimates six years after issue whose lead retention has already
    anonymised (it kept them then, since the centre must be able to show what it told the person)."""
    done = GoodFaithEstimate.objects.of_anonymised_leads().past_keeping().blank()
    if done:
        log.info("Blanked %s Good Faith Estimates past their six years", done)
    return done
