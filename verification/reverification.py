"""Checking a person's insurance again before their admission, and telling their worker what changed.

A verification made weeks before the admission date may no longer be true on the day: the plan
ended, the deductible was met meanwhile, the person changed jobs. Beat (`tasks`) and
`manage.py reverify_admissions` start one BEFORE_ADMISSION round per scheduled admission,
REVERIFY_DAYS_BEFORE_ADMISSION days ahead; staff may ask again at any time (ON_DEMAND). Either
kind of round, once finished, is compared with the answer before it (`EligibilityRound.finish`).

Admissions imports verification, so verification reads admissions' models inside its functions only.
"""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from config.crash import crash_report
from intake.models import DisclosureRefused, Notification

from .changes import Change, what_changed
from .insurances import Which
from .models import EligibilityCheck, VerificationRequest
from .rounds import EligibilityRound, RoundReason

log = logging.getLogger(__name__)

RUNNING = (EligibilityCheck.Status.PENDING, EligibilityCheck.Status.SENDING)


def held_admission(lead):
    """The lead's scheduled admission (a bed or place held), or None."""
    from admissions.models import Admission

    held = Admission.objects.filter(lead=lead, state=Admission.State.HELD)
    return held.select_related("programme").order_by("admit_at").first()


# --- Comparing a finished re-check ----------------------------------------------------------------


def compare(round: EligibilityRound) -> tuple[list[Change], dt.datetime | None]:
    """What changed in each plan's answer since the one before it, and when that earlier answer
    came (of the first plan compared). A plan without an answer this time, or none before, is
    not compared: a failed check says nothing about the coverage."""
    verification = round.verification
    admission = held_admission(verification.lead)
    level = admission.programme.level if admission else ""
    asked = {check.insurance for check in round.checks.all()}
    plans = [which for which in Which.values if which in asked]
    changes, since = [], None
    for which in plans:
        after = round.answer(which)
        previous = round.previous_answer(which) if after is not None else None
        if previous is None:
            continue
        at, before = previous
        since = since or at
        found = what_changed(before, after, level=level)
        if len(plans) > 1:
            plan = verification.plan(which)
            label = plan.label if plan else which
            found = [Change(change.kind, f"{label}: {change.text}") for change in found]
        changes += found
    return changes, since


def act_on_changes(round: EligibilityRound) -> list[Notification]:
    """Something changed: a request staff had marked verified needs review again, and the lead's
    worker hears of it. Before an admission: the worker (or whoever is on duty when nobody has
    the lead). Asked for by staff: the lead's worker, when someone else asked (the one who asked
    reads the answer on the workspace). The alert names the lead's reference, never the change."""
    from admissions.models.waitlist import workers_of

    verification = round.verification
    if verification.status == VerificationRequest.Status.VERIFIED:
        verification.set_status(VerificationRequest.Status.NEEDS_REVIEW)
    lead = verification.lead
    if round.reason == RoundReason.ON_DEMAND:
        worker = lead.assigned_to if lead.assigned_to_id and lead.assigned_to.is_active else None
        if worker is None or worker.pk == round.requested_by_id:
            return []
        recipients = [worker]
    else:
        recipients = workers_of(lead)
    before_admission = round.reason == RoundReason.BEFORE_ADMISSION or held_admission(lead) is not None
    kind = Notification.Kind.INSURANCE_CHANGED if before_admission else Notification.Kind.INSURANCE_RECHECKED
    return Notification.objects.queue(lead, kind=kind, recipients=recipients)


# --- Starting re-checks -------------------------------------------------------------------------------


def start_before_admission(
    verification_id: int, now: dt.datetime | None = None, *, days: int | None = None, again: bool = False
) -> EligibilityRound | None:
    """Start the re-check before the admission of this request's lead, if it is (still) due: under
    the request's row lock, so that beat and the command running at once start one round, not two.
    The person's consent no longer allowing it (revoked, expired) is not an error: a round with
    nothing sent records why, once. None when it was not due."""
    now = now or timezone.now()
    with transaction.atomic():
        verification = VerificationRequest.objects.select_for_update().get(pk=verification_id)
        due = VerificationRequest.objects.due_for_reverification(now, days=days, again=again)
        if not due.filter(pk=verification_id).exists():
            return None
        try:
            return verification.start_check(reason=RoundReason.BEFORE_ADMISSION)
        except DisclosureRefused as refusal:
            return EligibilityRound.objects.create(
                verification=verification,
                reason=RoundReason.BEFORE_ADMISSION,
                not_sent=str(refusal)[:300],
                compared_at=now,
            )


def reverify_upcoming(now: dt.datetime | None = None) -> dict[str, int]:
    """Beat's hourly run: a re-check for every scheduled admission now due one. Counts only."""
    now = now or timezone.now()
    counts = {"started": 0, "not_sent": 0, "failed": 0}
    for verification_id in VerificationRequest.objects.due_for_reverification(now).values_list("pk", flat=True)[:200]:
        try:
            round = start_before_admission(verification_id, now)
        except Exception as exc:  # noqa: BLE001 - logged by id; the other admissions go on
            # One request's trouble must not hold back the other admissions' re-checks.
            log.error("Re-check of verification %s not started: %s", verification_id, crash_report(exc))
            counts["failed"] += 1
            continue
        if round is not None:
            counts["not_sent" if round.not_sent else "started"] += 1
    return counts


def refusal_words(not_sent: str) -> str:
    """Why a re-check was not sent, in a few words that name nobody (for a command's output)."""
    text = not_sent.lower()
    if "revoked" in text:
        return "consent revoked"
    if "expired" in text:
        return "consent expired"
    return "the consent does not allow it"


# --- On the lead page -------------------------------------------------------------------------------


def admission_insurance(lead, admission) -> dict:
    """For the panel of a scheduled admission: the request a re-check would go to, whether one is
    running, and the last re-check since the admission was scheduled."""
    verification = VerificationRequest.objects.filter(lead=lead).reverifiable().latest_first().first()
    rounds = EligibilityRound.objects.filter(verification__lead=lead, created_at__gte=admission.created_at)
    return {
        "verification": verification,
        "running": rounds.filter(compared_at__isnull=True, checks__status__in=RUNNING).exists(),
        "recheck": rounds.compared().exclude(not_sent__gt="").first(),
    }
