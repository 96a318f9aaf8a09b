"""Admissions' beat tasks: thin, they take nothing and process due rows."""

import logging

from celery import shared_task

from .capacity import sweep
from .models import GoodFaithEstimate, Referral

log = logging.getLogger(__name__)


@shared_task
def remind_referral_follow_ups() -> int:
    """Every five minutes: remind referrers of open referrals out whose follow-up is due."""
    due = Referral.objects.follow_ups_due().select_related("lead", "referred_by").order_by("follow_up_due_at")
    return sum(referral.remind_follow_up() for referral in due[:500])


@shared_task
def purge_old_estimates() -> int:
    """Daily: blank Good Faith Estimates six years after issue whose lead retention has already
    anonymised (it kept them then, since the centre must be able to show what it told the person)."""
    done = GoodFaithEstimate.objects.of_anonymised_leads().past_keeping().blank()
    if done:
        log.info("Blanked %s Good Faith Estimates past their six years", done)
    return done


@shared_task
def sweep_beds() -> dict[str, int]:
    """Every minute: release expired holds, pass on expired offers, warn of holds about to expire,
    remind staff of admissions coming up and of waitlist check-ins due."""
    counts = sweep()
    if any(counts.values()):
        log.info("Beds sweep: %s", counts)
    return counts
