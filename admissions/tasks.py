"""Admissions' beat tasks: thin, they take nothing and process due rows."""

from celery import shared_task

from .models import Referral


@shared_task
def remind_referral_follow_ups() -> int:
    """Every five minutes: remind referrers of open referrals out whose follow-up is due."""
    due = Referral.objects.follow_ups_due().select_related("lead", "referred_by").order_by("follow_up_due_at")
    return sum(referral.remind_follow_up() for referral in due[:500])
