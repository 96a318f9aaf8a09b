"""Looking up the MBI of a Medicare beneficiary without their card: by the check itself in the
outbox (name, date of birth, state), by staff on the workspace with the SSN the person gives on a
call (kept nowhere), and by the json gateway against a stand-in clearinghouse."""

import datetime as dt
import json
import logging

import pytest
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import connection

from intake.models import Disclosure
from outbox.tests.helpers import deliver
from verification.eligibility import EligibilityError, EligibilityRequest, get_gateway
from verification.models import EligibilityCheck

from . import test_eligibility_gateways as gateway_tests
from . import test_medicare
from .test_medicare import submit

# Ruth and her Medicare (test_medicare), and the gateway tests' stand-in clearinghouse.
medicare = test_medicare.medicare
medicare_visitor = test_medicare.medicare_visitor
clearinghouse = gateway_tests.clearinghouse

SSN = "078051120"


def run_checks(verification) -> None:
    deliver(*verification.checks.filter(status="pending"))


def open_workspace(client, staff, verification) -> str:
    client.force_login(staff["avery"])
    return client.get(f"/staff/verifications/{verification.pk}/").content.decode()


# --- The lookup in the outbox -------------------------------------------------------------------


@pytest.mark.django_db
def test_it_looks_up_the_mbi_in_the_sandbox_then_checks_medicare_with_it(
    client, staff, medicare_visitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, medicare_visitor)
    assert verification.member_id == "" and verification.state == "OH"

    run_checks(verification)

    verification.refresh_from_db()
    check = verification.checks.get()
    assert verification.member_id == "1EG4TE5MK73" and verification.member_id_looked_up
    assert check.status == "done" and check.coverage_status == "active"
    assert check.summary.subscriber.member_id == "1EG4TE5MK73"
    assert verification.status == "needs_review"
    lines = list(Disclosure.objects.filter(lead=verification.lead).order_by("pk"))
    assert [line.what for line in lines][0] == "MBI lookup: name, date of birth, state"
    assert lines[0].recipient_names == ["Medicare"] and lines[0].channel == "MBI lookup (sandbox gateway)"
    assert len(lines) == 2 and lines[1].channel == "Eligibility request (sandbox gateway)"

    html = open_workspace(client, staff, verification)
    assert "MBI found by lookup" in html and "1EG4TE5MK73" in html and "Coverage is active" in html


@pytest.mark.django_db
def test_it_says_in_plain_words_when_medicare_cannot_find_the_person(
    client, staff, medicare_visitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, {**medicare_visitor, "date_of_birth": "1947-02-11"})

    run_checks(verification)

    verification.refresh_from_db()
    check = verification.checks.get()
    assert verification.member_id == "" and not verification.member_id_looked_up
    assert check.coverage_status == "rejected" and verification.status == "needs_info"
    html = open_workspace(client, staff, verification)
    assert (
        "Medicare could not find this person from name, date of birth and state: "
        "ask for the card or the SSN and look it up on the workspace"
    ) in html
    assert "Find the MBI" in html


@pytest.mark.django_db
def test_it_fails_a_medicare_check_without_mbi_on_the_x12_gateway_and_says_why(
    client, medicare_visitor, settings, django_capture_on_commit_callbacks
):
    settings.ELIGIBILITY_GATEWAY = "x12"
    settings.ELIGIBILITY_CLEARINGHOUSE_NAME = "Availity"
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, medicare_visitor)

    run_checks(verification)

    check = verification.checks.get()
    assert check.status == "failed" and "needs the json or sandbox eligibility gateway" in check.last_error
    assert not Disclosure.objects.exists()  # nothing left Lantern


# --- The lookup on the workspace, with an SSN ---------------------------------------------------


def plaintext_rows_with(value: str) -> list[str]:
    """Every table whose rows, read as text, contain `value` (unencrypted columns only can)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            query = f'SELECT count(*) FROM "{table}" AS t WHERE t::text LIKE %s'  # noqa: S608 - the catalogue's names
            cursor.execute(query, [f"%{value}%"])
            if cursor.fetchone()[0]:
                found.append(table)
    return found


@pytest.mark.django_db
def test_it_finds_the_mbi_with_the_ssn_from_the_workspace_and_keeps_the_ssn_nowhere(
    client, staff, medicare_visitor, caplog, django_capture_on_commit_callbacks
):
    # Thomas is not found by his state; he gives his SSN on the call.
    with django_capture_on_commit_callbacks(execute=False):
        verification = submit(client, {**medicare_visitor, "first_name": "Thomas", "date_of_birth": "1948-06-30"})
    run_checks(verification)
    assert verification.checks.get().coverage_status == "rejected"
    client.force_login(staff["avery"])

    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/staff/verifications/{verification.pk}/mbi/", {"ssn": "078-05-1120"}, follow=True)
    html = response.content.decode()
    assert "MBI found and saved. Checking Medicare with it now" in html
    assert "MBI found by lookup" in html and "2NC8W49KD26" in html
    verification.refresh_from_db()
    assert verification.member_id == "2NC8W49KD26" and verification.member_id_looked_up
    run_checks(verification)
    assert verification.answer().coverage_status == "active"

    lookup_line = Disclosure.objects.get(
        lead=verification.lead, channel="MBI lookup (sandbox gateway)", what__contains="SSN"
    )
    assert lookup_line.what == "MBI lookup: name, date of birth, state, SSN"
    # The SSN, with or without dashes, nowhere: not in what was stored, nor in the logs.
    for written in (SSN, "078-05-1120"):
        assert written not in html
        assert plaintext_rows_with(written) == []
        for check in EligibilityCheck.objects.filter(verification=verification):
            assert written not in check.raw_payload and written not in check.summary_json
            assert written not in check.last_error
        for line in Disclosure.objects.all():
            assert written not in line.what and written not in line.recipients and written not in line.reference
        for entry in LogEntry.objects.all():
            assert written not in json.dumps([entry.changes, entry.additional_data, entry.object_repr], default=str)
        for session in Session.objects.all():
            assert written not in json.dumps(session.get_decoded(), default=str)
        assert not [record for record in caplog.records if written in record.getMessage()]


@pytest.mark.django_db
def test_it_asks_again_for_a_mistyped_ssn_without_writing_it_back_into_the_page(client, staff, medicare_visitor):
    verification = submit(client, medicare_visitor)
    client.force_login(staff["avery"])

    response = client.post(f"/staff/verifications/{verification.pk}/mbi/", {"ssn": "078-05-112"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "An SSN has 9 digits, like 123-45-6789." in html
    assert "078-05-112" not in html and "07805112" not in html
    verification.refresh_from_db()
    assert verification.member_id == "" and not Disclosure.objects.filter(channel__startswith="MBI").exists()


@pytest.mark.django_db
def test_it_needs_the_ssn_to_look_up_a_person_who_gave_no_state(client, staff, medicare, patient_data):
    verification = submit(
        client, {**patient_data, "payer": str(medicare.pk), "member_id": "1EG4-TE5-MK73", "group_number": ""}
    )
    client.force_login(staff["avery"])

    response = client.post(f"/staff/verifications/{verification.pk}/mbi/", {"ssn": ""})

    assert response.status_code == 400
    assert (
        "Enter the SSN: without it Medicare searches by state, and the visitor gave none." in response.content.decode()
    )


@pytest.mark.django_db
def test_it_sends_no_lookup_once_the_person_revoked_their_consent(client, staff, medicare_visitor):
    verification = submit(client, medicare_visitor)
    client.force_login(staff["avery"])
    client.post(
        f"/staff/leads/{verification.lead_id}/part2-revocation/", {"method": "call", "said_on": dt.date.today()}
    )

    html = client.post(f"/staff/verifications/{verification.pk}/mbi/", {"ssn": SSN}, follow=True).content.decode()

    assert "Nothing was sent to Medicare." in html
    verification.refresh_from_db()
    assert verification.member_id == "" and not Disclosure.objects.filter(channel__startswith="MBI").exists()


# --- The json gateway's lookup -------------------------------------------------------------------


def person(trace: str = "MBI-TRACE-1") -> EligibilityRequest:
    return EligibilityRequest(
        payer_id="CMS",
        payer_name="Medicare",
        provider_name="Lantern Recovery Center",
        provider_npi="1234567893",
        member_id="",
        first_name="Ruth",
        last_name="Abernathy",
        date_of_birth=dt.date(1950, 1, 1),
        trace_number=trace,
    )


def medicare_answer(*, trace: str, echo_ssn: str = "") -> str:
    subscriber = {"memberId": "1EG4TE5MK73", "firstName": "RUTH", "lastName": "ABERNATHY", "dateOfBirth": "19500101"}
    if echo_ssn:
        subscriber["ssn"] = echo_ssn
    return json.dumps(
        {
            "controlNumber": "000000001",
            "tradingPartnerServiceId": "CMS",
            "payer": {"name": "CMS", "payorIdentification": "CMS"},
            "subscriber": subscriber,
            "subscriberTraceNumbers": [{"traceTypeCode": "2", "referenceIdentification": trace}],
            "planStatus": [{"statusCode": "1", "status": "Active Coverage", "serviceTypeCodes": ["30"]}],
            "benefitsInformation": [
                {"code": "1", "name": "Active Coverage", "serviceTypeCodes": ["30"], "insuranceTypeCode": "MA"},
                {"code": "MC", "name": "Other", "additionalInformation": [{"description": f"ON FILE {echo_ssn}"}]},
            ],
        }
    )


@pytest.fixture
def json_gateway(settings, clearinghouse):
    settings.ELIGIBILITY_JSON_URL = clearinghouse.url.replace("/x12/realtime", "/eligibility")
    settings.ELIGIBILITY_JSON_API_KEY = "test-key-123"
    return clearinghouse


def test_it_sends_the_json_lookup_with_the_ssn_to_the_ssn_payer_id_and_keeps_no_ssn_from_the_answer(json_gateway):
    json_gateway.body = medicare_answer(trace="MBI-TRACE-1", echo_ssn="078-05-1120")

    result = get_gateway("json").lookup_mbi(person(), ssn=SSN, state="OH")

    (sent,) = json_gateway.received
    body = json.loads(sent["body"])
    assert body["tradingPartnerServiceId"] == "MBILU"
    assert body["subscriber"]["ssn"] == SSN and body["subscriber"]["address"] == {"state": "OH"}
    assert "memberId" not in body["subscriber"]
    assert body["subscriber"]["firstName"] == "Ruth" and body["subscriber"]["dateOfBirth"] == "19500101"
    assert result.summary.subscriber.member_id == "1EG4TE5MK73" and result.summary.status == "active"
    assert "078-05-1120" not in result.raw and SSN not in result.raw and '"ssn"' not in result.raw
    assert "078-05-1120" not in json.dumps(result.summary.to_dict(), default=str)


def test_it_sends_the_json_lookup_without_ssn_to_the_state_payer_id(json_gateway, settings):
    settings.ELIGIBILITY_MBI_LOOKUP_NO_SSN_PAYER_ID = "MBILUNOSSN"
    json_gateway.body = medicare_answer(trace="MBI-TRACE-2")

    result = get_gateway("json").lookup_mbi(person("MBI-TRACE-2"), state="NY")

    body = json.loads(json_gateway.received[0]["body"])
    assert body["tradingPartnerServiceId"] == "MBILUNOSSN"
    assert body["subscriber"]["address"] == {"state": "NY"} and "ssn" not in body["subscriber"]
    assert result.summary.subscriber.member_id == "1EG4TE5MK73"


def test_it_sends_no_lookup_without_an_ssn_or_a_state(json_gateway):
    with pytest.raises(EligibilityError, match="needs the person's state") as raised:
        get_gateway("json").lookup_mbi(person())

    assert raised.value.sent is False and json_gateway.received == []
