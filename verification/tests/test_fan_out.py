"""A payer that answers one service type per request: Lantern asks it once per type, each request
retried on its own, and staff read one merged answer with a line per request sent.

The sandbox payer SBXONE ("Sandbox Single-Type Health", seeded by a migration) answers only the
first service type of a request, as such payers do, silently.
"""

import html as htmllib
import re

import pytest

from admissions.insured_estimate import insured_estimate_context
from intake.models import Disclosure
from outbox.tests.helpers import deliver, retry_now
from tests.support import wait_until
from verification.eligibility import DEFAULT_SERVICE_TYPES
from verification.eligibility.sandbox import SandboxPayer, Scenario, build_271
from verification.eligibility.x270 import read_270
from verification.models import EligibilityCheck, Payer, VerificationRequest

RESIDENTIAL_SENTENCE = "Residential: covered at in-network rates, after the $900 left of the deductible"


@pytest.fixture
def single_type_payer(db) -> Payer:
    return Payer.objects.get(payer_id="SBXONE")


@pytest.fixture
def sent(monkeypatch):
    """Every 270 the sandbox payer received, read back: what really left for the payer. (Listed
    after a fixture that changes how the payer answers, it still sees every request.)"""
    received = []
    send = SandboxPayer.send

    def recording(self, x12_270: str) -> str:
        received.append(read_270(x12_270))
        return send(self, x12_270)

    monkeypatch.setattr(SandboxPayer, "send", recording)
    return received


@pytest.fixture
def unavailable_once(monkeypatch) -> set[str]:
    """The service types (the test adds them) whose request the payer's system cannot answer the
    first time it is asked (AAA 42); every other request is answered at once."""
    send, types, refused = SandboxPayer.send, set(), set()

    def flaky(self, x12_270: str) -> str:
        inquiry = read_270(x12_270)
        asked = tuple(inquiry.service_types)
        if len(asked) == 1 and asked[0] in types and asked not in refused:
            refused.add(asked)
            return build_271(inquiry, Scenario(payer_rejection="42"))
        return send(self, x12_270)

    monkeypatch.setattr(SandboxPayer, "send", flaky)
    return types


@pytest.fixture
def residential_unavailable(unavailable_once) -> None:
    unavailable_once.add("RT")


def submit(client, patient_data, payer: Payer, capture, **changes) -> VerificationRequest:
    with capture(execute=False):  # the rows are performed here, not by a worker
        response = client.post("/verify/", {**patient_data, "payer": str(payer.pk), **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return VerificationRequest.objects.latest("pk")


def workspace(client, verification) -> str:
    return htmllib.unescape(client.get(f"/staff/verifications/{verification.pk}/").content.decode())


def level_card(page: str, level: str) -> str:
    card = page[page.index(f'data-level="{level}"') :]
    return card[: card.index("</article>")]


def request_rows(page: str) -> list[str]:
    table = page[page.index('id="requests-h"') :].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="sent-request"[^>]*>(.*?)</tr>', table, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


@pytest.mark.django_db
def test_it_gets_full_benefits_by_asking_one_service_type_per_request_where_one_request_for_all_got_plan_level_only(
    client, staff, patient_data, single_type_payer, sent, django_capture_on_commit_callbacks
):
    client.force_login(staff["avery"])

    # Told (wrongly) that the payer takes several service types: one request asks all eight.
    single_type_payer.multiple_service_types = True
    single_type_payer.save()
    one_request = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    assert [inquiry.service_types for inquiry in sent] == [DEFAULT_SERVICE_TYPES]
    answer = one_request.answer()
    residential = answer.summary.levels["residential"]
    assert residential.covered is None and set(residential.sources.values()) == {"plan-level benefits (30)"}
    assert answer.summary.unanswered_service_types == ["AI", "AJ", "AK", "MH", "A8", "RT", "BB"]
    page = workspace(client, one_request)
    assert "Coverage not stated" in level_card(page, "residential")
    assert RESIDENTIAL_SENTENCE not in page
    assert "answered with plan-level benefits only" in request_rows(page)[0]
    assert (
        "residential psychiatric treatment and partial hospitalization (psychiatric) with plan-level benefits only"
        in page
    )

    # As the payer really is: one request per service type, merged.
    single_type_payer.multiple_service_types = False
    single_type_payer.save()
    sent.clear()
    fanned_out = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    assert [inquiry.service_types for inquiry in sent] == [[code] for code in DEFAULT_SERVICE_TYPES]
    answer = fanned_out.answer()
    assert len(answer.checks) == 8 and answer.summary.unanswered_service_types == []
    residential = answer.summary.levels["residential"]
    assert residential.covered is True and residential.prior_auth is True
    assert residential.sources["coinsurance"] == "residential and psychiatric inpatient benefits (RT)"
    assert [limit.quantity for limit in residential.limits] == [30, 24]
    page = workspace(client, fanned_out)
    assert "Covered" in level_card(page, "residential") and "Coverage not stated" not in page
    assert RESIDENTIAL_SENTENCE in page
    assert "plan-level benefits only" not in page

    # The same levels of care as a payer answering all eight in one request.
    aetna = submit(client, patient_data, Payer.objects.get(payer_id="60054"), django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()
    assert answer.summary.levels == aetna.answer().summary.levels


@pytest.mark.django_db
def test_it_retries_a_failed_request_on_its_own_and_says_which_service_type_has_no_answer_yet(
    client, staff, patient_data, single_type_payer, residential_unavailable, sent, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    residential = verification.checks.get(service_types=["RT"])
    others = verification.checks.exclude(pk=residential.pk)
    assert residential.status == "pending" and "AAA 42" in residential.last_error
    assert set(others.values_list("status", flat=True)) == {"done"}
    verification.refresh_from_db()
    assert verification.status == "checking"
    summary = verification.answer().summary
    assert summary.unanswered_service_types == ["RT"]
    assert (
        "No answer yet to the request about residential psychiatric treatment (RT): "
        "the figures for that care are missing from this summary." in summary.not_stated
    )
    # Residential stands on the substance-use rows meanwhile, and says nothing of its day limit.
    assert summary.levels["residential"].limits == []

    retry_now(residential)

    assert residential.status == "done"
    assert len(sent) == 9  # the eight requests, and the residential one again; no other re-sent
    assert set(others.values_list("attempts", flat=True)) == {1}
    verification.refresh_from_db()
    assert verification.status == "needs_review"
    summary = verification.answer().summary
    assert summary.unanswered_service_types == []
    assert [limit.quantity for limit in summary.levels["residential"].limits] == [30, 24]


@pytest.mark.django_db
def test_it_writes_each_request_as_its_own_line_in_the_accounting_of_disclosures_naming_its_service_type(
    client, staff, patient_data, single_type_payer, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    lines = Disclosure.objects.filter(lead=verification.lead).order_by("reference")
    checks = verification.checks.order_by("pk")
    assert [line.reference for line in lines] == [f"LNT{check.pk:09d}" for check in checks]
    assert all(line.recipient_names == ["Sandbox Single-Type Health"] for line in lines)
    assert lines[0].what.endswith("benefit questions for service type 30 (health benefit plan coverage)")
    assert lines[1].what.endswith("benefit questions for service type AI (substance abuse)")
    assert lines[6].what.endswith("benefit questions for service type RT (residential psychiatric treatment)")
    assert not any("service types" in line.what for line in lines)

    client.force_login(staff["avery"])
    lead_page = htmllib.unescape(client.get(verification.lead.get_absolute_url()).content.decode())
    accounting = lead_page[lead_page.index('class="small disclosures"') :].split("</ol>", 1)[0]
    assert accounting.count("<li>") == 8
    assert "benefit questions for service type BB (partial hospitalization (psychiatric))" in accounting


@pytest.mark.django_db
def test_it_lists_each_request_sent_with_its_service_type_status_and_answer_on_the_workspace(
    client, staff, patient_data, single_type_payer, residential_unavailable, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()
    client.force_login(staff["avery"])

    page = workspace(client, verification)
    rows = request_rows(page)
    assert len(rows) == 8
    assert "7 of 8 answered; still asking the payer" in page
    first, residential = rows[0], rows[6]
    assert first.startswith("First insurance 30 (health benefit plan coverage) Answered")
    assert first.endswith("coverage active")
    rt_check = verification.checks.get(service_types=["RT"])
    assert residential.startswith("First insurance RT (residential psychiatric treatment) Waiting to try again")
    assert "The payer cannot answer right now (AAA 42)" in residential and f"LNT{rt_check.pk:09d}" in residential
    assert residential.endswith("—")

    retry_now(rt_check)
    client.post(f"/staff/verifications/{verification.pk}/check/")  # staff run it again
    page = workspace(client, verification)
    latest, earlier = page.split('class="mb-2 earlier-round"', 1)
    assert "Checked again by staff" in latest and "0 of 8 answered; still asking the payer" in latest
    assert "Earlier: the visitor's request" in earlier and "(8 of 8 answered)" in earlier
    # The answer shown is still the earlier round's, whole, until the new one answers.
    assert RESIDENTIAL_SENTENCE in page


@pytest.mark.django_db
def test_it_moves_the_request_to_review_only_once_every_request_of_the_round_has_finished(
    client, staff, patient_data, single_type_payer, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    checks = list(verification.checks.order_by("pk"))

    deliver(*checks[:7])
    verification.refresh_from_db()
    assert [check.status for check in checks[:7]] == ["done"] * 7
    assert verification.status == "checking"
    client.force_login(staff["avery"])
    assert client.get(f"/staff/verifications/{verification.pk}/status/").json()["running"] is True

    deliver(checks[7])
    verification.refresh_from_db()
    assert verification.status == "needs_review"


@pytest.mark.django_db
def test_a_request_that_fails_for_good_finishes_the_round_and_its_service_type_stays_named(
    client,
    staff,
    patient_data,
    single_type_payer,
    settings,
    residential_unavailable,
    django_capture_on_commit_callbacks,
):
    settings.ELIGIBILITY_MAX_ATTEMPTS = 1
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    assert verification.checks.get(service_types=["RT"]).status == "failed"
    verification.refresh_from_db()
    assert verification.status == "needs_review"
    assert verification.answer().summary.unanswered_service_types == ["RT"]
    client.force_login(staff["avery"])
    page = workspace(client, verification)
    assert "No answer yet to the request about residential psychiatric treatment" in page
    assert "Failed" in request_rows(page)[6]


@pytest.mark.django_db
def test_the_timeline_has_one_line_for_a_rounds_answer_not_one_per_request(
    client, staff, patient_data, single_type_payer, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    client.force_login(staff["avery"])
    lead_page = htmllib.unescape(client.get(verification.lead.get_absolute_url()).content.decode())
    timeline = lead_page[lead_page.index('id="history-h"') :].split("</ol>", 1)[0]
    assert timeline.count("Insurance answer from Sandbox Single-Type Health: coverage active") == 1


@pytest.mark.django_db
def test_the_printed_estimate_reads_the_merged_answer(
    client, staff, patient_data, single_type_payer, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()

    context = insured_estimate_context(verification)
    residential = next(level for level in context["readout"].levels if level.level == "residential")
    assert residential.covered is True and residential.sentence.startswith(RESIDENTIAL_SENTENCE)
    assert context["answered_at"] == max(check.finished_at for check in verification.checks.all())


@pytest.mark.django_db
def test_an_answer_entered_after_a_call_is_read_until_a_newer_round_answers(
    client, staff, patient_data, single_type_payer, django_capture_on_commit_callbacks
):
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()
    client.force_login(staff["avery"])
    url = f"/staff/verifications/{verification.pk}/"

    client.post(url + "manual/", {"coverage_status": "inactive", "payer_rep": "Dana, call ref 55A1"})
    assert verification.answer().manual and "Coverage is not active" in workspace(client, verification)

    with django_capture_on_commit_callbacks(execute=False):
        client.post(url + "check/")
    EligibilityCheck.objects.deliver_due()
    answer = verification.answer()
    assert not answer.manual and answer.round == verification.rounds.first() and len(answer.checks) == 8
    assert "Coverage is active" in workspace(client, verification)


@pytest.mark.django_db
def test_the_single_type_sandbox_payer_is_offered_on_the_form_and_edited_in_the_admin(client, staff, single_type_payer):
    assert single_type_payer.name == "Sandbox Single-Type Health"
    assert single_type_payer.active and not single_type_payer.multiple_service_types
    assert "Sandbox Single-Type Health" in client.get("/verify/").content.decode()

    client.force_login(staff["admin"])
    changelist = client.get("/admin/verification/payer/").content.decode()
    assert "accepts several service types in one request" in changelist.lower()
    change = client.get(f"/admin/verification/payer/{single_type_payer.pk}/change/").content.decode()
    assert 'name="multiple_service_types"' in change and 'name="kind"' in change and 'name="state"' in change


@pytest.mark.django_db
def test_the_queue_shows_the_rounds_answer_though_its_last_request_failed(
    client, staff, patient_data, single_type_payer, settings, unavailable_once, django_capture_on_commit_callbacks
):
    settings.ELIGIBILITY_MAX_ATTEMPTS = 1
    unavailable_once.add("BB")  # the last request of the round
    verification = submit(client, patient_data, single_type_payer, django_capture_on_commit_callbacks)
    EligibilityCheck.objects.deliver_due()
    assert verification.checks.order_by("pk").last().status == "failed"

    client.force_login(staff["avery"])
    queue = client.get("/staff/?kind=verification").content.decode()
    row = queue[queue.index(verification.reference) :].split("</tr>", 1)[0]
    assert "Plan active: to review" in row and "no payer answer" not in row


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_requests_side_by_side_and_the_request_is_reviewed_once_all_are_answered(
    client, staff, patient_data, celery_worker
):
    # Transactional tests empty the tables: the migration's payer is made again.
    payer, _ = Payer.objects.get_or_create(
        payer_id="SBXONE", defaults={"name": "Sandbox Single-Type Health", "multiple_service_types": False}
    )
    response = client.post("/verify/", {**patient_data, "payer": str(payer.pk)})
    assert response.status_code == 302
    verification = VerificationRequest.objects.latest("pk")

    # The worker's threads take the eight requests at once; whichever finishes last moves the
    # request on, never one that still sees another running.
    wait_until(lambda: VerificationRequest.objects.get(pk=verification.pk).status == "needs_review")
    assert list(verification.checks.values_list("status", flat=True)) == ["done"] * 8
    assert verification.answer().summary.levels["residential"].covered is True
