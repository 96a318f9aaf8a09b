"""Verification's share of a lead, registered with intake (intake.extensions) from apps.py:
retention blanks its requests and checks and deletes the card photos, key rotation re-encrypts
the photos, and the staff lead page shows its requests and their Part 2 warnings."""

from collections.abc import Iterator
from pathlib import Path

from django.urls import reverse

from intake.extensions import Anonymised, LeadPart, TimelineEntry
from intake.models import Notification
from intake.retention import blank

from . import cards, queue_results
from .eligibility import BenefitSummary, CoverageStatus
from .insurances import SecondInsurance, Which
from .models import EligibilityCheck, VerificationRequest
from .requests_sent import ANSWERS
from .rounds import EligibilityRound, RoundReason


class Verifications(LeadPart):
    name = "verification"
    relations = ("verifications",)
    records_noun = "insurance verifications"
    files_noun = "card files"
    page_template = "verification/_lead_verifications.html"
    part2_template = "verification/_lead_part2.html"

    def health(self) -> dict[str, str]:
        return {"private_media": cards.store_health()}

    def count_expired(self, leads) -> tuple[int, int]:
        names = VerificationRequest.objects.filter(lead__in=leads).values_list("card_front", "card_back")
        records = files = 0
        for front, back in names:
            records += 1
            files += bool(front) + bool(back)
        return records, files

    def anonymise(self, lead) -> Anonymised:
        done = Anonymised(details={"verification": 0, "eligibility_checks": 0, "second_insurances": 0, "card_files": 0})
        for verification in VerificationRequest.objects.filter(lead=lead):
            done.records += 1
            done.files += len(verification.card_names())
            verification.delete_cards()
            one = VerificationRequest.objects.filter(pk=verification.pk)
            blank(one)
            one.update(card_front="", card_back="")
            done.details["eligibility_checks"] += blank(verification.checks.all())
            done.details["second_insurances"] += blank(SecondInsurance.objects.filter(verification=verification))
            # What a re-check found changed names plans and figures.
            blank(verification.rounds.all())
        done.details.update(verification=done.records, card_files=done.files)
        return done

    def encrypted_files(self) -> Iterator[Path]:
        root = cards.card_root()
        return iter(sorted(root.iterdir())) if root.is_dir() else iter(())

    def queue_results(self, lead_ids: list[int]) -> dict:
        return queue_results.queue_results(lead_ids)

    def page_context(self, lead) -> dict:
        # Oldest first: one person may ask twice, and someone else may send one with this phone.
        verifications = lead.verifications.select_related("lead_request", "payer", "second_insurance__payer")
        return {"verifications": list(verifications.order_by("created_at"))}

    def timeline(self, lead) -> list[TimelineEntry]:
        """Each payer's answer (or failure) and each request marked verified, read from the rows
        themselves: one line per round of checks and plan, however many requests the round sent,
        and one per answer entered after a call. (The request is already on the timeline as the
        lead's request.)"""
        entries = []
        verifications = lead.verifications.select_related(
            "payer", "verified_by", "second_insurance__payer"
        ).prefetch_related("checks__entered_by", "rounds__checks", "rounds__requested_by")
        for verification in verifications:
            # A person with two plans: each answer names its own plan's payer (no query: joined above).
            second = getattr(verification, "second_insurance", None)
            payers = {
                Which.FIRST: _listed_name(verification.payer),
                Which.SECOND: _listed_name(second.payer if second else None),
            }
            for check in verification.checks.all():
                if check.round_id is None:
                    entries += _check_entries(check, payers.get(check.insurance, "the insurer"))
            for round in verification.rounds.all():
                for which in dict.fromkeys(check.insurance for check in round.checks.all()):
                    entries += _round_entries(round, which, payers.get(which, "the insurer"))
            entries += _rechecks(verification)
            if verification.verified_at:
                what = f"Insurance marked verified: {verification.get_outcome_display().lower() or 'verified'}"
                entries.append(TimelineEntry("part", verification.verified_at, what, verification.verified_by))
        return entries

    def alert_link(self, notification) -> str:
        """An alert that a re-check found a change opens the benefits workspace that shows it."""
        if notification.kind not in (Notification.Kind.INSURANCE_CHANGED, Notification.Kind.INSURANCE_RECHECKED):
            return ""
        latest = EligibilityRound.objects.filter(verification__lead=notification.lead_id).compared()
        verification_id = latest.values_list("verification_id", flat=True).first()
        return reverse("verification:workspace", args=[verification_id]) if verification_id else ""


# How a re-check is named on the timeline, by why it was asked.
RECHECKED = {
    RoundReason.BEFORE_ADMISSION: "Insurance re-checked before the admission",
    RoundReason.ON_DEMAND: "Insurance checked again",
}


def _rechecks(verification: VerificationRequest) -> list[TimelineEntry]:
    """Each re-check once compared: what changed, by kind (the figures and plan names are in the
    line's text, shown only on the audited lead page), or that nothing did; and a re-check the
    person's consent did not allow, with why."""
    entries = []
    for round in verification.rounds.all():
        if round.compared_at is None:
            continue
        if round.not_sent:
            what = "Insurance not re-checked before the admission: the person's consent does not allow it"
            entries.append(TimelineEntry("part", round.compared_at, what, text=round.not_sent, item=round))
            continue
        changes = round.change_list
        found = "; ".join(round.headlines) if changes else "nothing changed"
        what = f"{RECHECKED.get(round.reason, 'Insurance checked again')}: {found}"
        text = " ".join(change.text for change in changes)
        entries.append(TimelineEntry("part", round.compared_at, what, round.requested_by, text, round))
    return entries


def _check_entries(check: EligibilityCheck, payer: str) -> list[TimelineEntry]:
    """A check outside rounds: an answer entered after a call, or a check from before rounds."""
    if check.status == EligibilityCheck.Status.SENT:
        answer = ANSWERS.get(check.coverage_status, "answered")
        how = " (entered after a call to the payer)" if check.manual else ""
        what = f"Insurance answer from {payer}{how}: {answer}{_carved_out(check.summary)}"
        return [TimelineEntry("part", check.finished_at or check.created_at, what, check.entered_by)]
    if check.status == EligibilityCheck.Status.FAILED:
        what = f"Insurance check with {payer} failed"
        return [TimelineEntry("part", check.finished_at or check.created_at, what, text=check.last_error)]
    return []


def _round_entries(round: EligibilityRound, which: str, payer: str) -> list[TimelineEntry]:
    """One line for a round's answer about one plan (its requests' answers merged), or for its
    failure once none was answered and none is left running."""
    checks = round.plan_checks(which)
    answered = [check for check in checks if check.answered]
    if answered:
        summary = round.answer(which)  # None once retention has removed the answers
        answer = ANSWERS.get(summary.status, "answered") if summary else "answered"
        if summary and summary.unanswered_service_types:
            answer += "; not every service type answered (see the benefits page)"
        at = max(check.finished_at or check.created_at for check in answered)
        return [TimelineEntry("part", at, f"Insurance answer from {payer}: {answer}{_carved_out(summary)}")]
    failed = [check for check in checks if check.status == EligibilityCheck.Status.FAILED]
    if failed and not any(check.running for check in checks):
        last = max(failed, key=lambda check: (check.finished_at or check.created_at, check.pk))
        at = last.finished_at or last.created_at
        return [TimelineEntry("part", at, f"Insurance check with {payer} failed", text=last.last_error)]
    return []


def _listed_name(payer) -> str:
    """A listed payer's name; one the visitor typed in is free text, kept off the timeline."""
    return payer.name if payer else "the insurer"


def _carved_out(summary: BenefitSummary | None) -> str:
    """ "; treatment handled by HARBORLIGHT": an active plan whose behavioural care another company
    manages is not an answer about treatment, and the timeline must not read as one."""
    if summary is None or summary.status != CoverageStatus.ACTIVE:
        return ""
    companies = sorted({care.carved_out_to for care in summary.levels.values() if care.carved_out_to})
    return f"; treatment handled by {', '.join(companies)}: call them" if companies else ""
