"""42 CFR Part 2 on the insurance check: the consent a visitor signs, the choice of a call instead,
a revocation, and the accounting of every disclosure to a payer."""

import datetime as dt
import socket

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.utils import timezone

from intake.models import ConsentRevocation, Disclosure, DisclosureRefused, Lead, Notification, Part2Consent
from intake.retention import REMOVED, anonymise_expired
from outbox.tests.helpers import deliver
from verification import eligibility
from verification.eligibility import HttpTransport
from verification.eligibility.sandbox import SandboxPayer
from verification.models import EligibilityCheck, VerificationRequest

VERIFY = "/verify/"


def submit(client, patient_data, **changes) -> VerificationRequest:
    response = client.post(VERIFY, {**patient_data, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return VerificationRequest.objects.latest("pk")


def run_pending(verification) -> None:
    deliver(*verification.checks.filter(status="pending"))


@pytest.fixture
def clearinghouse(settings, monkeypatch):
    """The x12 gateway through a clearinghouse; the clearinghouse itself (the outside world) is
    replaced by the sandbox payer, and every 270 that would have left is counted."""
    settings.ELIGIBILITY_GATEWAY = "x12"
    settings.ELIGIBILITY_X12_URL = "https://clearinghouse.example/x12"
    settings.ELIGIBILITY_CLEARINGHOUSE_NAME = "Availity"
    sent = []

    def send(self, x12_270: str) -> str:
        sent.append(x12_270)
        return SandboxPayer().send(x12_270)

    monkeypatch.setattr(HttpTransport, "send", send)
    return sent


@pytest.fixture
def gateway_calls(monkeypatch):
    """Any gateway asked for a check: none may be, in these tests."""
    calls = []
    real = eligibility.get_gateway

    def spy(name=None):
        calls.append(name)
        return real(name)

    monkeypatch.setattr(eligibility, "get_gateway", spy)
    return calls


@pytest.mark.django_db
def test_it_shows_every_part2_element_and_stores_the_consent_as_signed_with_its_recipients(
    client, patient_data, clearinghouse, django_capture_on_commit_callbacks
):
    html = client.get(VERIFY).content.decode()
    for element in [
        "Patient: the patient named above.",
        "Who shares it: Lantern Recovery Center.",
        "What is shared: the patient&#x27;s name and date of birth",
        "asking Lantern Recovery Center about treatment for alcohol or drug use",
        "Who receives it: the insurance company or companies chosen above, and Availity",
        "Why: to learn whether the patient&#x27;s plan is active",
        "Until when: this consent ends on",
        "Revoking it: I may revoke this consent at any time",
        "cannot undo a request already sent",
        "does not make treatment, payment, enrolment or eligibility for benefits depend on it",
        "Signed: by ticking the box below",
        'href="/patient-notice/"',
    ]:
        assert element in html, element

    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    consent = Part2Consent.objects.get(lead_request=verification.lead_request)
    assert consent.version == verification.lead_request.consent_version == "verification-part2-2026-11-30"
    assert consent.recipient_names == ["Aetna", "Availity"]
    assert consent.terms[0] == "Patient: Maya Okonkwo."
    assert "Who receives it: Aetna, and Availity." in consent.terms
    signed = timezone.localdate(consent.signed_at)
    assert consent.expires_at - consent.signed_at == dt.timedelta(days=365)
    assert f"on {signed:%B} {signed.day}, {signed.year}." in consent.terms[-1]
    # The words carry the patient's name: encrypted at rest, recipients too.
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, recipients FROM intake_part2consent WHERE id = %s", [consent.pk])
        text, recipients = cursor.fetchone()
    assert "Maya" not in text and "Availity" not in recipients


@pytest.mark.django_db
def test_it_sends_no_270_and_writes_no_disclosure_when_the_visitor_asks_for_a_call(
    client, staff, patient_data, gateway_calls, django_capture_on_commit_callbacks
):
    data = {key: value for key, value in patient_data.items() if key != "consent"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(VERIFY, {**data, "insurer_contact": "by_phone"})
    assert response.status_code == 302, response.content.decode()[:2000]
    verification = VerificationRequest.objects.get()
    assert verification.by_phone and verification.status == "needs_review"
    assert not EligibilityCheck.objects.exists()
    assert not Disclosure.objects.exists() and not Part2Consent.objects.exists()
    assert verification.lead_request.consent_version == "verification-by-phone-2026-11-30"
    assert gateway_calls == []
    # Staff are still alerted, and asked to call.
    assert Notification.objects.filter(lead=verification.lead).exists()
    thanks = client.get("/verify/thanks/").content.decode()
    assert "we do not contact your insurer" in thanks and "We ask your insurer" not in thanks

    client.force_login(staff["avery"])
    workspace = client.get(f"/staff/verifications/{verification.pk}/").content.decode()
    assert "Call the visitor: do not contact their insurer." in workspace
    lead_page = client.get(verification.lead.get_absolute_url()).content.decode()
    assert "call the visitor, do not contact their insurer" in lead_page
    page = client.post(f"/staff/verifications/{verification.pk}/check/", follow=True).content.decode()
    assert "Nothing was sent to the payer." in page
    assert not EligibilityCheck.objects.exists() and gateway_calls == []


@pytest.mark.django_db
def test_it_lists_one_disclosure_naming_the_payer_and_clearinghouse_for_each_270_sent(
    client, staff, patient_data, clearinghouse, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    run_pending(verification)
    assert verification.checks.get().status == "done"
    assert len(clearinghouse) == 1

    disclosure = Disclosure.objects.get()
    assert disclosure.lead == verification.lead
    assert disclosure.recipient_names == ["Aetna", "Availity"]
    assert disclosure.consent == verification.lead_request.part2_consent
    assert not disclosure.simulated
    assert "AI, AJ, AK: substance use treatment" in disclosure.what
    assert "Maya" not in disclosure.what and "LNT100001" not in disclosure.what

    client.force_login(staff["avery"])
    html = client.get(verification.lead.get_absolute_url()).content.decode()
    assert "Accounting of disclosures" in html
    assert "to Aetna, Availity · Eligibility request (x12 gateway)" in html
    assert f"consent verification-part2-2026-11-30 of {verification.lead_request.reference}" in html


@pytest.mark.django_db
def test_it_lists_no_disclosure_for_a_request_that_never_left(
    client, patient_data, settings, django_capture_on_commit_callbacks
):
    with socket.socket() as sock:  # a port nobody listens on: the connection is refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.ELIGIBILITY_GATEWAY = "x12"
    settings.ELIGIBILITY_CLEARINGHOUSE_NAME = "Availity"
    settings.ELIGIBILITY_X12_URL = f"http://127.0.0.1:{port}/x12"
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    run_pending(verification)
    assert verification.checks.get().status == "pending"  # retried later
    assert not Disclosure.objects.exists()


@pytest.mark.django_db
def test_it_sends_nothing_to_a_payer_once_staff_record_a_revocation(
    client, staff, patient_data, gateway_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    pending = verification.checks.get()
    lead = verification.lead
    client.force_login(staff["avery"])

    response = client.post(
        f"/staff/leads/{lead.pk}/part2-revocation/", {"method": "call", "said_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    revocation = ConsentRevocation.objects.get(lead=lead)
    assert (revocation.method, revocation.recorded_by) == ("call", staff["avery"])
    assert LogEntry.objects.get_for_object(revocation).filter(action=LogEntry.Action.CREATE, actor=staff["avery"])

    # The check queued before the revocation is not run.
    deliver(pending)
    pending.refresh_from_db()
    assert pending.status == "failed" and "revoked their consent on a call" in pending.last_error
    # Nor is a new one started.
    message = client.post(f"/staff/verifications/{verification.pk}/check/", follow=True).content.decode()
    assert "Nothing was sent to the payer." in message
    assert verification.checks.count() == 1
    assert gateway_calls == [] and not Disclosure.objects.exists()

    workspace = client.get(f"/staff/verifications/{verification.pk}/").content.decode()
    assert "Nothing may be sent to the payer." in workspace
    lead_page = client.get(lead.get_absolute_url()).content.decode()
    assert "Consent revoked." in lead_page and "recorded by avery" in lead_page


@pytest.mark.django_db
def test_it_refuses_a_revocation_dated_in_the_future(client, staff, patient_data):
    verification = submit(client, patient_data)
    client.force_login(staff["avery"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = client.post(
        f"/staff/leads/{verification.lead_id}/part2-revocation/", {"method": "email", "said_on": tomorrow}, follow=True
    ).content.decode()
    assert "A revocation cannot be dated in the future." in page
    assert not ConsentRevocation.objects.exists()


@pytest.mark.django_db
def test_it_sends_nothing_under_an_expired_consent(
    client, patient_data, gateway_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    Part2Consent.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    run_pending(verification)
    assert verification.checks.get().status == "failed"
    assert gateway_calls == [] and not Disclosure.objects.exists()


@pytest.mark.django_db
def test_it_warns_a_dependent_that_the_policy_holder_may_see_an_explanation_of_benefits(client, patient_data):
    warning = "explanation of benefits (EOB)"
    html = client.get(VERIFY).content.decode()
    # In the policy holder's section, which CSS shows only when the policy is someone else's.
    section = html.index('class="subscriber-section"')
    assert section < html.index(warning) < html.index('name="subscriber_first_name"')

    response = client.post(VERIFY, {**patient_data, "relationship": "spouse"})  # no policy holder named yet
    assert response.status_code == 200
    assert warning in response.content.decode()


@pytest.mark.django_db
def test_it_anonymises_the_signed_consent_with_the_lead_and_keeps_the_accounting(
    client, staff, patient_data, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    run_pending(verification)
    Lead.objects.update(status="not_a_fit", closed_at=timezone.now() - dt.timedelta(days=31))

    assert anonymise_expired().leads == 1
    consent = Part2Consent.objects.get()
    assert (consent.text, consent.recipients) == (REMOVED, REMOVED)
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_names == [REMOVED]
    assert disclosure.simulated and "substance use treatment" in disclosure.what  # when, what and why stay
    client.force_login(staff["avery"])
    assert client.get(verification.lead.get_absolute_url()).status_code == 200


def test_it_refuses_to_start_an_x12_or_json_gateway_whose_clearinghouse_the_consent_cannot_name(settings):
    settings.ELIGIBILITY_GATEWAY = "json"
    settings.ELIGIBILITY_CLEARINGHOUSE_NAME = ""
    with pytest.raises(SystemCheckError, match="ELIGIBILITY_CLEARINGHOUSE_NAME is empty"):
        call_command("check")
    settings.ELIGIBILITY_CLEARINGHOUSE_NAME = "Availity"
    call_command("check")


@pytest.mark.django_db
def test_it_lists_a_call_staff_made_to_the_payer_as_a_disclosure(client, staff, patient_data):
    verification = submit(client, patient_data, payer="other", payer_other="Harbor Mutual")
    assert Part2Consent.objects.get().recipient_names == ["Harbor Mutual"]  # staff call it themselves
    client.force_login(staff["avery"])
    client.post(
        f"/staff/verifications/{verification.pk}/manual/", {"coverage_status": "active", "payer_rep": "Dana, ref 55A1"}
    )
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_names == ["Harbor Mutual"]
    assert disclosure.channel == "Phone call to the payer by avery"
    assert disclosure.consent == Part2Consent.objects.get()


@pytest.mark.django_db
def test_it_sends_nothing_through_a_clearinghouse_the_consent_never_named(
    client, patient_data, settings, clearinghouse, django_capture_on_commit_callbacks
):
    """Signed while the sandbox answered; the centre then moved to a clearinghouse."""
    settings.ELIGIBILITY_GATEWAY = "sandbox"
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, patient_data)
    assert verification.lead_request.part2_consent.recipient_names == ["Aetna"]
    settings.ELIGIBILITY_GATEWAY = "x12"

    assert "does not name Availity" in verification.disclosure_refusal()
    with pytest.raises(DisclosureRefused):
        verification.start_check()
    queued = verification.checks.get()  # queued under the sandbox, run after the switch
    queued.gateway = "x12"
    queued.save()
    deliver(queued)
    assert clearinghouse == [] and not Disclosure.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_enter_a_payer_call_the_consent_does_not_allow(client, staff, patient_data):
    by_phone = submit(client, patient_data, insurer_contact="by_phone")
    client.force_login(staff["avery"])

    page = client.post(
        f"/staff/verifications/{by_phone.pk}/manual/",
        {"coverage_status": "active", "payer_rep": "Dana, ref 4471"},
        follow=True,
    ).content.decode()

    assert "Nothing was saved: do not call the payer." in page
    assert not by_phone.checks.exists() and not Disclosure.objects.exists()
    assert "Save phone verification" not in page  # the form is not offered


@pytest.mark.django_db
def test_a_revocation_on_one_lead_stops_sends_for_every_lead_of_that_phone(
    client, staff, patient_data, settings, gateway_calls, django_capture_on_commit_callbacks
):
    settings.DUPLICATE_LEAD_WINDOW_HOURS = 0  # the second request starts a lead of its own
    with django_capture_on_commit_callbacks(execute=False):
        first = submit(client, patient_data)
        second = submit(client, patient_data, member_id="LNT100002")
    assert first.lead_id != second.lead_id
    ConsentRevocation.objects.record(first.lead, method="call", said_on=timezone.localdate(), by=staff["avery"])

    assert f"recorded on {first.lead.reference}, same phone" in second.disclosure_refusal()
    with pytest.raises(DisclosureRefused):
        second.start_check()
    deliver(*second.checks.all())
    assert gateway_calls == [] and not Disclosure.objects.exists()
