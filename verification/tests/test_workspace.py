"""The staff benefits workspace: from a visitor's submission to a summary staff can read."""

import datetime as dt
import time

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User

from outbox.tasks import deliver_due
from outbox.tests.helpers import deliver
from tests.support import wait_until
from verification.models import EligibilityCheck, VerificationRequest


def submit(client, patient_data, **changes) -> VerificationRequest:
    response = client.post("/verify/", {**patient_data, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return VerificationRequest.objects.latest("pk")


def run_checks(verification) -> None:
    deliver(*verification.checks.filter(status="pending"))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_checks_eligibility_in_a_real_worker_and_shows_staff_the_summary(client, staff, patient_data, celery_worker):
    verification = submit(client, patient_data)
    wait_until(lambda: EligibilityCheck.objects.filter(verification=verification, status="done").exists())
    verification.refresh_from_db()
    assert verification.status == "needs_review"

    client.force_login(staff["avery"])
    html = client.get(f"/staff/verifications/{verification.pk}/").content.decode()
    assert "Coverage is active" in html
    for level in ["Detox", "Residential", "Partial hospitalization", "Intensive outpatient", "Outpatient"]:
        assert level.lower() in html.lower()
    assert "Residential: in network, covered after the $900 left of the deductible" in html
    # The lead is in the queue with the others.
    assert verification.reference in client.get("/staff/?kind=verification").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("member_id", "status", "shown"),
    [
        ("LNT200001", "needs_review", "Coverage is not active"),
        ("LNT300001", "needs_info", "could not answer about this person"),
        ("LNT300002", "needs_info", "member ID"),
        ("LNT100002", "needs_review", "handled by another company"),
    ],
)
def test_it_explains_inactive_not_found_and_carved_out_answers(
    client, staff, patient_data, member_id, status, shown, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data, member_id=member_id)
    run_checks(verification)
    verification.refresh_from_db()
    assert verification.status == status

    client.force_login(staff["avery"])
    html = client.get(f"/staff/verifications/{verification.pk}/").content.decode()
    assert shown.lower() in html.lower()


@pytest.mark.django_db
def test_it_retries_when_the_payer_is_unavailable(client, staff, patient_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data, member_id="LNT400001")
    check = verification.checks.get()

    deliver(check)
    assert check.status == "pending"
    assert check.due_at > check.claimed_at + dt.timedelta(seconds=25)  # asked again later
    assert check.last_error == "The payer cannot answer right now (AAA 42); try again later."  # words, no class name
    verification.refresh_from_db()
    assert verification.status == "checking"


@pytest.mark.django_db
def test_it_lets_staff_enter_a_phone_verification_and_mark_it_verified(client, staff, patient_data):
    verification = submit(client, patient_data, payer="other", payer_other="Harbor Mutual")
    client.force_login(staff["avery"])
    url = f"/staff/verifications/{verification.pk}/"

    bad = client.post(url + "manual/", {"coverage_status": "active"})
    assert bad.status_code == 400 and "This field is required" in bad.content.decode()

    client.post(
        url + "manual/",
        {
            "coverage_status": "active",
            "payer_rep": "Dana, call ref 55A1",
            "deductible_total": "1500",
            "deductible_remaining": "900",
            "coinsurance_percent": "20",
            "prior_auth": "Y",
        },
    )
    html = client.get(url).content.decode()
    assert "Coverage is active" in html and "$900 left" in html and "20%" in html
    assert "Phone, by avery" in html

    client.post(url + "verify/", {"outcome": "partially_covered", "summary": "Residential needs auth"})
    verification.refresh_from_db()
    assert (verification.status, verification.outcome, verification.verified_by) == (
        "verified",
        "partially_covered",
        staff["avery"],
    )


@pytest.mark.django_db
def test_it_audits_each_look_at_the_workspace_and_refuses_other_roles(client, staff, patient_data):
    verification = submit(client, patient_data)
    assert client.get(f"/staff/verifications/{verification.pk}/").status_code == 302
    client.force_login(User.objects.create_user("editor", password="x"))
    assert client.get(f"/staff/verifications/{verification.pk}/").status_code == 403

    client.force_login(staff["blake"])
    response = client.get(f"/staff/verifications/{verification.pk}/")
    assert "no-store" in response["Cache-Control"]
    assert LogEntry.objects.filter(actor=staff["blake"], action=LogEntry.Action.ACCESS).count() == 1


@pytest.mark.django_db
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_check_whose_wake_up_was_lost_is_run_by_the_next_beat(
    client, staff, patient_data, celery_worker, monkeypatch
):
    # The broker lost the message that should have woken the worker: the check waits in the
    # database, and beat's next run (every few seconds) has it done.
    monkeypatch.setattr("verification.models.nudge", lambda model: False)
    verification = submit(client, patient_data)
    time.sleep(1)
    assert verification.checks.get().status == "pending"

    deliver_due()

    wait_until(lambda: verification.checks.get().status == "done")


@pytest.mark.django_db
def test_it_tells_the_workspace_when_a_running_check_has_finished(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    client.force_login(staff["avery"])
    url = f"/staff/verifications/{verification.pk}/"

    page = client.get(url).content.decode()
    assert 'id="check-running"' in page and "js/workspace.js" in page and 'http-equiv="refresh"' not in page
    assert client.get(url + "status/").json() == {"running": True, "status": "checking"}

    run_checks(verification)

    assert client.get(url + "status/").json() == {"running": False, "status": "needs_review"}
    assert 'id="check-running"' not in client.get(url).content.decode()
