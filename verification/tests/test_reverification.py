"""Re-verification before an admission: the insurance is checked again a few days before the
person comes in (beat, the command, or a worker's button), and the worker hears of what changed.

The sandbox answers by member ID, so a person whose coverage ends between the first check and the
re-check is one whose member ID moves from LNT100001 (active) to LNT200001 (inactive)."""

import datetime as dt
import html as htmllib
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from admissions.models import schedule_admission
from admissions.tests.beds_helpers import programme
from intake import channels
from intake.consent import current_consent
from intake.models import ConsentRevocation, Lead, LeadStatus, LevelOfCare, Notification
from outbox.tests.helpers import deliver
from verification.eligibility import BenefitSummary, CoverageStatus
from verification.models import EligibilityCheck, Payer, VerificationRequest
from verification.rounds import EligibilityRound, RoundReason
from verification.tasks import reverify_upcoming_admissions

CHANGED = (Notification.Kind.INSURANCE_CHANGED, Notification.Kind.INSURANCE_RECHECKED)


@pytest.fixture
def residential(db):
    return programme(LevelOfCare.RESIDENTIAL, capacity=10)


@pytest.fixture
def schedule(staff, clinician, residential):
    """`schedule(n, in_days=2, member_id=...)`: person n sent the insurance form (consent naming
    their payer), the sandbox answered, Avery reached them, a clinician accepted them, and Avery
    scheduled their residential admission `in_days` from now."""
    avery = staff["avery"]
    aetna = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})[0]

    def make(n: int = 0, *, in_days: float = 2, member_id: str = "LNT100001") -> VerificationRequest:
        data = {
            "first_name": "Maya",
            "last_name": f"Okonkwo{n}",
            "date_of_birth": dt.date(1991, 3, 14),
            "phone": f"+1646555{n:04d}",
            "payer": aetna,
            "member_id": member_id,
            "group_number": "GRP-7741",
            "relationship": "self",
        }
        consent = current_consent("verification-part2", "en")
        page = "/verify/"
        verification = VerificationRequest.submit(data, consent_version=consent, consent_page=page, attribution={})
        deliver(*verification.checks.all())
        lead = verification.lead
        Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.REACHED, assigned_to=avery)
        lead.refresh_from_db()
        lead.advance(LeadStatus.AWAITING_REVIEW, by=avery)
        lead.advance(LeadStatus.ACCEPTED, by=clinician, programme=residential.pk)
        admit_at = timezone.now() + dt.timedelta(days=in_days)
        schedule_admission(
            lead,
            programme=residential,
            admit_at=admit_at,
            hold_expires_at=admit_at + dt.timedelta(hours=4),
            note="",
            email_reminder=False,
            by=avery,
        )
        verification.refresh_from_db()
        return verification

    return make


def new_member_id(verification: VerificationRequest, member_id: str) -> None:
    verification.member_id = member_id
    verification.save(update_fields=["member_id"])


def recheck_rounds(verification) -> list[EligibilityRound]:
    return list(verification.rounds.exclude(reason=RoundReason.SUBMITTED))


def run_rechecks(verification) -> EligibilityRound:
    """What the worker does with the round beat started: send each check."""
    deliver(*EligibilityCheck.objects.filter(verification=verification, status="pending"))
    (round,) = recheck_rounds(verification)
    return round


def alerts(lead) -> list[Notification]:
    return list(Notification.objects.filter(lead=lead, kind__in=CHANGED))


def text(html: str) -> str:
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


@pytest.mark.django_db
def test_it_alerts_the_worker_when_a_recheck_before_the_admission_finds_the_coverage_ended(
    client, staff, schedule, settings
):
    settings.REVERIFY_DAYS_BEFORE_ADMISSION = 3
    verification = schedule()
    verification.mark_verified(by=staff["avery"], outcome="covered")
    new_member_id(verification, "LNT200001")  # the plan ended since the first check

    assert reverify_upcoming_admissions() == {"started": 1, "not_sent": 0, "failed": 0}
    round = run_rechecks(verification)

    assert round.reason == RoundReason.BEFORE_ADMISSION
    assert round.headlines == ["coverage ended"]
    ended = dt.date(timezone.localdate().year - 1, 12, 31)  # the sandbox's inactive plan ended last year
    assert [change.text for change in round.change_list] == [f"Coverage ended on {ended:%m/%d/%Y}."]
    # What staff had verified no longer holds.
    verification.refresh_from_db()
    assert verification.status == VerificationRequest.Status.NEEDS_REVIEW

    # Avery, who works the lead, is alerted; the alert names the reference and links to the
    # benefits workspace, and nothing about the person or their plan.
    (alert,) = {row.recipient for row in alerts(verification.lead)}
    assert alert == staff["avery"]
    notification = alerts(verification.lead)[0]
    reference = verification.lead.reference
    sms = channels.render_text(notification)
    assert sms == (
        f"Insurance changed before the admission: {reference}: "
        f"{settings.SITE_URL}/staff/verifications/{verification.pk}/"
    )
    subject, body, html = channels.render_email(
        channels.template_name(notification), channels.message_context(notification)
    )
    for words in (subject, body, html, sms):
        for phi in ("Maya", "Okonkwo", "LNT200001", "LNT100001", "ended", "SANDBOX", "GRP-7741"):
            assert phi not in words

    client.force_login(staff["avery"])
    workspace = text(client.get(f"/staff/verifications/{verification.pk}/").content.decode())
    first_answer = verification.checks.filter(round__reason=RoundReason.SUBMITTED).get().finished_at
    since = timezone.localtime(first_answer).strftime("%m/%d/%Y")
    assert f"Changed since the last check on {since}: Coverage ended on {ended:%m/%d/%Y}." in workspace

    lead_page = text(client.get(f"/staff/leads/{verification.lead_id}/").content.decode())
    panel = lead_page.split("Admission", 1)[1]
    assert f"Changed since the last check on {since}: Coverage ended on {ended:%m/%d/%Y}." in panel
    assert "Insurance re-checked before the admission: coverage ended" in lead_page
    assert "Alert that the insurance changed emailed to avery" in lead_page


@pytest.mark.django_db
def test_a_recheck_that_finds_nothing_changed_alerts_nobody(client, staff, schedule):
    verification = schedule()
    verification.mark_verified(by=staff["avery"], outcome="covered")

    reverify_upcoming_admissions()
    round = run_rechecks(verification)

    assert round.compared_at is not None and round.change_list == []
    assert alerts(verification.lead) == []
    verification.refresh_from_db()
    assert verification.status == VerificationRequest.Status.VERIFIED  # still verified: nothing changed

    client.force_login(staff["avery"])
    workspace = text(client.get(f"/staff/verifications/{verification.pk}/").content.decode())
    assert "Re-checked before the admission on" in workspace
    assert "nothing that matters for the admission changed since the check on" in workspace
    assert "Changed since the last check" not in workspace
    lead_page = text(client.get(f"/staff/leads/{verification.lead_id}/").content.decode())
    assert "Insurance re-checked before the admission: nothing changed" in lead_page


@pytest.mark.django_db
def test_a_finished_round_is_compared_once_however_often_its_checks_report_in(schedule):
    verification = schedule()
    new_member_id(verification, "LNT200001")
    reverify_upcoming_admissions()
    round = run_rechecks(verification)
    compared_at = round.compared_at

    # Each check of a round calls finish() as it ends; a late or repeated call changes nothing.
    assert round.finish() is False
    check = round.checks.get()
    check.given_up()

    round.refresh_from_db()
    assert round.compared_at == compared_at
    assert len({(row.recipient_id, row.channel) for row in alerts(verification.lead)}) == len(alerts(verification.lead))


@pytest.mark.django_db
def test_the_hourly_run_rechecks_only_admissions_within_the_days_set_and_each_only_once(schedule, settings):
    settings.REVERIFY_DAYS_BEFORE_ADMISSION = 3
    soon = schedule(1, in_days=2)
    later = schedule(2, in_days=10)

    assert reverify_upcoming_admissions()["started"] == 1
    assert reverify_upcoming_admissions()["started"] == 0
    assert len(recheck_rounds(soon)) == 1 and recheck_rounds(later) == []

    # A week on, the later admission comes within three days; the first is not re-checked again.
    next_week = timezone.now() + dt.timedelta(days=8)
    assert list(VerificationRequest.objects.due_for_reverification(next_week)) == [later]

    settings.REVERIFY_DAYS_BEFORE_ADMISSION = 0  # off
    assert not VerificationRequest.objects.due_for_reverification(next_week).exists()


@pytest.mark.django_db
def test_a_released_hold_or_a_past_admission_is_not_rechecked(schedule, staff, settings):
    settings.REVERIFY_DAYS_BEFORE_ADMISSION = 3
    released = schedule(1)
    released.lead.admissions.get().release(reason="The person chose another programme", by=staff["avery"])
    schedule(2, in_days=1)

    due = VerificationRequest.objects.due_for_reverification(timezone.now() + dt.timedelta(days=2))

    assert not due.exists()


@pytest.mark.django_db
def test_a_person_who_revoked_their_consent_is_skipped_and_noted_on_the_timeline_once(client, staff, schedule):
    verification = schedule()
    ConsentRevocation.objects.record(verification.lead, method="call", said_on=timezone.localdate(), by=staff["avery"])

    assert reverify_upcoming_admissions() == {"started": 0, "not_sent": 1, "failed": 0}
    assert reverify_upcoming_admissions() == {"started": 0, "not_sent": 0, "failed": 0}

    (round,) = recheck_rounds(verification)
    assert not round.checks.exists() and verification.checks.count() == 1  # only the first check, long ago
    assert "revoked their consent" in round.not_sent
    client.force_login(staff["avery"])
    lead_page = text(client.get(f"/staff/leads/{verification.lead_id}/").content.decode())
    line = "Insurance not re-checked before the admission: the person's consent does not allow it"
    assert lead_page.count(line) == 1


@pytest.mark.django_db
def test_a_supervisors_recheck_from_the_admission_panel_alerts_the_worker_but_the_workers_own_does_not(
    client, staff, schedule
):
    verification = schedule()
    client.force_login(staff["avery"])
    assert "Re-check insurance" in client.get(f"/staff/leads/{verification.lead_id}/").content.decode()

    # Avery re-checks herself: she reads the answer, nobody else is told.
    response = client.post(f"/staff/verifications/{verification.pk}/check/", {"back": "lead"})
    assert response.url == f"/staff/leads/{verification.lead_id}/"
    new_member_id(verification, "LNT200001")
    deliver(*EligibilityCheck.objects.filter(status="pending"))
    assert alerts(verification.lead) == []

    # Sam, a supervisor, asks again: Avery, whose lead it is, hears of it.
    client.force_login(staff["sam"])
    client.post(f"/staff/verifications/{verification.pk}/check/", {"back": "lead"})
    new_member_id(verification, "LNT100001")  # covered again
    deliver(*EligibilityCheck.objects.filter(status="pending"))

    latest = verification.rounds.compared().first()
    assert (latest.reason, latest.requested_by, latest.headlines) == (
        RoundReason.ON_DEMAND,
        staff["sam"],
        ["coverage active again"],
    )
    assert {row.recipient for row in alerts(verification.lead)} == {staff["avery"]}
    assert {row.kind for row in alerts(verification.lead)} == {Notification.Kind.INSURANCE_CHANGED}


@pytest.mark.django_db(transaction=True)
def test_the_command_rechecks_every_upcoming_admission_a_few_at_a_time_and_shows_progress(staff, schedule, settings):
    settings.REVERIFY_DAYS_BEFORE_ADMISSION = 3
    unchanged = [schedule(n) for n in (1, 2, 3)]
    ended = schedule(4)
    new_member_id(ended, "LNT200001")
    revoked = schedule(5)
    ConsentRevocation.objects.record(revoked.lead, method="call", said_on=timezone.localdate(), by=staff["avery"])
    schedule(6, in_days=9)  # not yet

    out = io.StringIO()
    call_command("reverify_admissions", "--concurrency", "2", stdout=out)
    lines = out.getvalue().splitlines()

    assert lines[0] == "Re-checking 5 upcoming admissions, 2 checks at a time."
    progress = lines[1:-1]
    assert [line.split("]")[0] for line in progress] == [f"[{n}/5" for n in range(1, 6)]
    assert f"{revoked.lead.reference}: skipped: consent revoked" in progress[0]
    assert {line.split("] ")[1] for line in progress[1:]} == {
        *(f"{v.lead.reference}: no change" for v in unchanged),
        f"{ended.lead.reference}: coverage ended",
    }
    assert lines[-1] == (
        "Done: 5 upcoming admissions, 4 re-checked: 1 changed, 3 unchanged, 0 without an answer, 0 still waiting; "
        "1 skipped."
    )
    for phi in ("Maya", "Okonkwo", "LNT", "GRP"):
        assert phi not in out.getvalue()
    # The worker is alerted, and no other person (a team chat post, naming nobody, may go too).
    assert {row.recipient for row in alerts(ended.lead) if row.recipient} == {staff["avery"]}

    # Run again: each admission has been re-checked since it was scheduled.
    again = io.StringIO()
    call_command("reverify_admissions", stdout=again)
    assert again.getvalue().strip() == "No admission in the next 3 days is due a re-check."


@pytest.mark.django_db
def test_the_commands_dry_run_sends_nothing_and_a_run_where_nothing_can_be_sent_exits_1(staff, schedule):
    revoked = schedule()
    ConsentRevocation.objects.record(revoked.lead, method="call", said_on=timezone.localdate(), by=staff["avery"])

    dry = io.StringIO()
    call_command("reverify_admissions", "--dry-run", "--days", "5", stdout=dry)
    assert dry.getvalue().splitlines() == [
        f"[1/1] {revoked.lead.reference}: would be re-checked",
        "Dry run: 1 admissions would be re-checked; nothing was sent.",
    ]
    assert recheck_rounds(revoked) == []

    with pytest.raises(CommandError, match="Nothing could be re-checked"):
        call_command("reverify_admissions", "--days", "5", stdout=io.StringIO())
    assert revoked.checks.count() == 1  # only the first check, long ago


@pytest.mark.django_db
def test_a_payers_answer_entered_after_a_call_is_the_one_a_recheck_is_compared_with(schedule, staff):
    verification = schedule()
    # Since the electronic check, Avery called the payer: the plan had lapsed.
    lapsed = BenefitSummary(status=CoverageStatus.INACTIVE, payer_id="60054", payer_name="Aetna")
    EligibilityCheck.objects.create(
        verification=verification,
        gateway="phone",
        manual=True,
        entered_by=staff["avery"],
        status=EligibilityCheck.Status.SENT,
        finished_at=timezone.now(),
        coverage_status=lapsed.status,
        summary_json=json.dumps(lapsed.to_dict()),
    )

    reverify_upcoming_admissions()
    round = run_rechecks(verification)

    assert round.headlines == ["coverage active again"]


@pytest.mark.django_db
def test_retention_removes_what_a_recheck_found_changed(schedule):
    from verification.lead_part import Verifications

    verification = schedule()
    new_member_id(verification, "LNT200001")
    reverify_upcoming_admissions()
    round = run_rechecks(verification)
    assert round.change_list  # the plan's end, with its dates, kept on the round

    Verifications().anonymise(verification.lead)

    round.refresh_from_db()
    assert round.change_list == [] and "LNT" not in round.changes
    assert Verifications().timeline(verification.lead) is not None  # the timeline still renders
