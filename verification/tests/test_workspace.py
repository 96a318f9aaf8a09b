"""The staff benefits workspace: from a visitor's submission to a summary staff can read."""

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from outbox.tasks import deliver_due
from outbox.tests.helpers import deliver
from tests.support import wait_until
from verification.models import EligibilityCheck, VerificationRequest
from verification.stays import TypicalStay


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
    assert "Residential: covered at in-network rates, after the $900 left of the deductible" in html
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
def test_a_carved_out_answer_never_reads_as_the_payers_own_figures_for_treatment(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data, member_id="LNT100002")
    run_checks(verification)

    client.force_login(staff["avery"])
    html = client.get(f"/staff/verifications/{verification.pk}/").content.decode()

    residential = html[html.index('data-level="residential"') :]
    residential = residential[: residential.index("</article>")]
    assert "Handled by another company" in residential and "Coverage not stated" not in residential
    # The plan's medical figures stand beside a warning that they are not the treatment's.
    warning = html[html.index('class="alert alert-warning py-2 small carved-out-figures"') :]
    assert warning.index("Not for Detox, Residential") < warning.index("do not quote these")
    assert html.index("carved-out-figures") < html.index('class="table table-sm shared-figures"')


@pytest.mark.django_db
def test_the_payers_answer_comes_before_the_forms_so_a_phone_shows_it_first(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data, member_id="LNT100001")
    run_checks(verification)

    client.force_login(staff["avery"])
    html = client.get(f"/staff/verifications/{verification.pk}/").content.decode()

    # The columns stack in page order on a phone: the answer, then the next steps and phone form.
    assert html.index('id="answer-h"') < html.index('id="actions-h"') < html.index('id="manual-h"')


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

    staff["avery"].first_name, staff["avery"].last_name = "Avery", "Lee"
    staff["avery"].save()
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
    # Colleagues by name, as on the rest of the staff pages; not by username.
    assert "Phone, by Avery Lee" in html and "Entered by Avery Lee from a phone call" in html
    assert "by avery" not in html

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


# --- The answer per level of care, the estimate, the card viewer (issue 16) ---------------------


def workspace_html(client, staff, patient_data, capture, **changes) -> str:
    with capture(execute=False):
        verification = submit(client, patient_data, **changes)
    run_checks(verification)
    client.force_login(staff["avery"])
    return client.get(f"/staff/verifications/{verification.pk}/").content.decode()


def outside_raw_rows(html: str) -> str:
    """The page without the section of raw benefit rows: the one place codes and every row belong."""
    return re.sub(r'<details class="[^"]*raw-rows.*?</details>', "", html, flags=re.S)


@pytest.mark.django_db
def test_it_reads_out_residential_and_estimates_a_typical_stay_for_the_active_member(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    TypicalStay.objects.create(level="residential", length=28, unit="day", price=Decimal("1200"))

    html = workspace_html(client, staff, patient_data, django_capture_on_commit_callbacks)

    # The sandbox's active member: $900 of the $1,500 deductible left, $4,850 of the $6,000
    # out-of-pocket maximum, 20 % for residential with 24 of its 30 days left.
    assert (
        "Residential: covered at in-network rates, after the $900 left of the deductible, then 20%, prior "
        "authorization needed, 24 of the 30 days a calendar year left; out of pocket at most $4,850 more this "
        "year." in html
    )
    # 24 days covered (28,800): 900 + 20 % of 27,900 = 6,480, capped at 4,850; plus 4 days at 1,200.
    assert "about $9,650" in html
    assert "capped at $4,850 out of pocket left → $4,850; plus the 4 days beyond the limit" in html
    assert "not a promise: the payer decides what it pays when the claim comes in" in html
    # No price set for detox: the page says so rather than inventing one.
    assert "No typical stay is set for detox: an admin can set one." in html


@pytest.mark.django_db
def test_it_states_each_shared_figure_once_and_no_code_outside_the_raw_rows(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    html = workspace_html(client, staff, patient_data, django_capture_on_commit_callbacks)
    page = outside_raw_rows(html)

    # The deductible's total, the family's figures, the out-of-network maximum: once each (they
    # were on every level before, six times over).
    for figure in ["$1,500", "$2,250", "$10,400", "$24,000"]:
        assert page.count(figure) == 1, figure
    assert "(30)" not in page and "Plan as a whole" not in page and "(AI, AJ, AK)" not in page
    assert "Every benefit row the payer sent, with its codes" in html  # the codes are still there


@pytest.mark.django_db
def test_it_shows_the_member_id_as_data_not_as_an_error(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    html = workspace_html(client, staff, patient_data, django_capture_on_commit_callbacks)

    # Bootstrap colours <code> pink-red: the ID looked like an error message.
    assert "<code>LNT100001</code>" not in html
    assert '<span class="member-id">LNT100001</span>' in html


@pytest.mark.django_db
def test_it_gives_the_carve_out_companys_own_phone_never_the_centres(
    client, staff, patient_data, settings, django_capture_on_commit_callbacks
):
    html = workspace_html(client, staff, patient_data, django_capture_on_commit_callbacks, member_id="LNT100002")

    box = re.search(r'<div class="alert alert-warning carve-out">.*?</div>\s*</div>', html, flags=re.S).group(0)
    assert "HARBORLIGHT BEHAVIORAL HEALTH" in box
    assert 'href="tel:+18775550158"' in box and "(877) 555-0158" in box
    assert settings.CENTRE_PHONE not in box and "555-0142" not in box


@pytest.mark.django_db
def test_it_lets_an_admin_set_a_typical_stay_and_the_estimate_follows(
    client, staff, patient_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    run_checks(verification)
    client.force_login(staff["admin"])
    stay = {"level": "outpatient", "length": "12", "unit": "session", "price": "150"}
    added = client.post("/admin/verification/typicalstay/add/", stay)
    assert added.status_code == 302, added.content.decode()[:2000]
    workspace = f"/staff/verifications/{verification.pk}/"
    client.force_login(staff["avery"])
    # 12 × 150 = 1,800: 900 pays six sessions in full, then a $30 copay on each of the other six.
    assert "about $1,080" in client.get(workspace).content.decode()

    client.force_login(staff["admin"])
    saved = TypicalStay.objects.get(level="outpatient")
    changed = client.post(
        f"/admin/verification/typicalstay/{saved.pk}/change/",
        {**stay, "length": "20"},
    )
    assert changed.status_code == 302
    client.force_login(staff["avery"])
    # 20 × 150 = 3,000: 900 pays six sessions, then 14 copays of $30 (420): 1,320.
    page = client.get(workspace).content.decode()
    assert "about $1,320" in page and "about $1,080" not in page


@pytest.mark.django_db
def test_it_opens_card_photos_in_a_viewer_on_the_workspace(client, staff, patient_data):
    from .conftest import jpeg_bytes

    photo = SimpleUploadedFile("card.jpg", jpeg_bytes(), "image/jpeg")
    verification = submit(client, patient_data, card_front=photo)
    client.force_login(staff["avery"])

    html = client.get(f"/staff/verifications/{verification.pk}/").content.decode()
    card_url = f"/staff/verifications/{verification.pk}/card/front/"
    assert f'class="btn btn-outline-primary btn-sm card-open" href="{card_url}"' in html
    assert 'target="_blank"' not in html
    assert '<dialog class="card-viewer"' in html and "js/card_viewer.js" in html
    # Rendering the page does not count as seeing the photo; loading it (the viewer does) does.
    assert not LogEntry.objects.filter(additional_data__card="front").exists()
    assert client.get(card_url).status_code == 200
    assert LogEntry.objects.filter(actor=staff["avery"], additional_data__card="front").count() == 1


def workspace_for_answer(client, staff, patient_data, fixture_name: str, **changes) -> str:
    """The workspace after the payer answered with `fixture_name`, one of our own 271 files."""
    from verification.eligibility import read_271

    from .test_readout_sentences import FIXTURES

    verification = submit(client, patient_data, **changes)
    check = verification.checks.get()
    check.record(read_271((FIXTURES / fixture_name).read_text()))
    client.force_login(staff["avery"])
    return client.get(f"/staff/verifications/{verification.pk}/").content.decode()


@pytest.mark.django_db
def test_it_shows_the_card_holders_id_beside_a_dependents_own(client, staff, patient_data):
    # The visitor typed the card holder's ID (GPH55001200); the payer answered with the patient's
    # own (GPH55001202) and kept the card holder's: both are right, neither is an error.
    html = workspace_for_answer(client, staff, patient_data, "271_dependent_own_id.x12", member_id="GPH55001200")

    assert 'Card holder\'s ID: <span class="member-id">GPH55001200</span>' in html
    assert 'Patient\'s own ID: <span class="member-id">GPH55001202</span>' in html
    assert "The payer has it as" not in html


@pytest.mark.django_db
def test_a_level_card_lists_the_values_that_cannot_be_right_and_the_plans_figures_are_titled_so(
    client, staff, patient_data
):
    html = workspace_for_answer(client, staff, patient_data, "271_shifted_elements.x12")

    card = re.search(r'<article class="card h-100 level-card"[^>]*data-level="residential".*?</article>', html, re.S)
    warnings = re.search(r'<div class="alert alert-warning small py-2 level-warnings".*?</div>', card.group(0), re.S)
    assert "Do not quote" in warnings.group(0) and "1,840" in warnings.group(0)
    assert "Shared by every level" not in html


@pytest.mark.django_db
def test_the_plans_figures_say_where_levels_differ(client, staff, patient_data):
    html = workspace_for_answer(client, staff, patient_data, "271_active_behavioural.x12")

    table = re.search(r'<h3 class="h5 mt-3" id="shared-h">.*?</table>', html, re.S).group(0)
    assert "The plan's figures" in table and "Shared by every level" not in table
    assert "<td>differs by level (see each level)</td>" in table
