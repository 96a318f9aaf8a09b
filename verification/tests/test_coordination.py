"""Coordination of benefits: with two plans, which pays first is read from the payers' own answers
(a 271's other-payer rows, the JSON API's related entities), never from the order the cards were
given in; the workspace shows both answers and the result, and the estimate uses the primary."""

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from admissions.insured_estimate import insured_estimate_context
from intake.models import Disclosure
from outbox.tests.helpers import deliver
from tests.conftest import sign_in
from verification.coordination import DO_NOT_SAY, ONLY_ONE, coordinate, decide
from verification.eligibility import BenefitRow, BenefitSummary, RelatedEntity, SubscriberSummary, read_271
from verification.eligibility.finish import finish
from verification.eligibility.jsonapi import summary_from_json
from verification.eligibility.other_payers import other_payers
from verification.insurances import Plan, SecondInsurance
from verification.models import EligibilityCheck, Payer, VerificationRequest
from verification.stays import TypicalStay

FIXTURES = Path(__file__).parent / "fixtures"
YEAR = dt.date.today().year


@pytest.fixture
def payers(db) -> dict[str, Payer]:
    return {
        name: Payer.objects.get_or_create(name=name, defaults={"payer_id": payer_id})[0]
        for name, payer_id in (("Aetna", "60054"), ("Cigna", "62308"))
    }


@pytest.fixture
def sandbox(settings):
    settings.ELIGIBILITY_GATEWAY = "sandbox"
    TypicalStay.objects.create(level="residential", length=28, unit="day", price=Decimal("1200"))


def two_plans(client, patient_data, payers, django_capture_on_commit_callbacks, *, first: str, second: str):
    """Maya's request with Aetna (member `first`) and her father's Cigna plan (member `second`),
    both answered by the sandbox payer."""
    data = {
        **patient_data,
        "member_id": first,
        "has_second_insurance": "on",
        "second_payer": str(payers["Cigna"].pk),
        "second_member_id": second,
        "second_relationship": "child",
        "second_subscriber_first_name": "Chidi",
        "second_subscriber_last_name": "Okonkwo",
        "second_subscriber_date_of_birth": "1965-07-02",
    }
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/verify/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    verification = VerificationRequest.objects.latest("pk")
    deliver(*verification.checks.filter(status="pending"))
    return verification


def plan(which: str, name: str, payer_id: str, member_id: str) -> Plan:
    return Plan(which, Payer(name=name, payer_id=payer_id), "", member_id, "", "self", "", "", None)


AETNA_FIRST = plan("first", "Aetna", "60054", "W2210447101")
CIGNA_SECOND = plan("second", "Cigna", "62308", "U77880214")
CIGNA_FIRST = plan("first", "Cigna", "62308", "U77880214")
AETNA_SECOND = plan("second", "Aetna", "60054", "W2210447101")


def naming(role: str, name: str, *, service_types=("30",)) -> BenefitSummary:
    """An active answer whose other-payer row names `name` as `role` (PRP, SEP, TTP, PR)."""
    rows = [
        BenefitRow(eb01="1", service_types=["30"]),
        BenefitRow(
            eb01="R",
            service_types=list(service_types),
            related_entities=[RelatedEntity(entity_code=role, name=name)],
        ),
    ]
    return finish(BenefitSummary(subscribers=[SubscriberSummary(benefits=rows)]))


# --- The line: two insurances produce a primary and a secondary ----------------------------


@pytest.mark.django_db
def test_two_insurances_produce_a_primary_and_a_secondary(
    client, staff, patient_data, payers, sandbox, django_capture_on_commit_callbacks
):
    verification = two_plans(
        client, patient_data, payers, django_capture_on_commit_callbacks, first="LNT600001", second="LNT600002"
    )
    assert set(verification.checks.values_list("insurance", "status")) == {("first", "done"), ("second", "done")}

    result = coordinate(verification)

    assert (result.primary, result.secondary) == ("second", "first")
    assert result.basis == (
        f"Second insurance (Cigna) pays first: Aetna's answer names Cigna as the primary payer since 01/01/{YEAR}, "
        f"and Cigna's answer names Aetna as the secondary payer since 01/01/{YEAR}."
    )
    # The sandbox cannot know the other insurer's name: its member ID is how the answers were matched.
    assert "Aetna's answer names SANDBOX OTHER HEALTH PLAN with the member ID of the second insurance" in (
        " ".join(result.notes)
    )

    client.force_login(staff["avery"])
    html = client.get(verification.get_absolute_url()).content.decode()
    box = html[html.index('id="coordination-h"') : html.index("</section>", html.index('id="coordination-h"'))]
    assert "Second insurance (Cigna) pays first." in box and "First insurance (Aetna) pays second." in box
    # The answer of the plan that pays first comes first.
    second = html[html.index('data-insurance="second"') : html.index('data-insurance="first"')]
    first = html[html.index('data-insurance="first"') :]
    assert "What Aetna said" in first and "Pays second" in first
    assert "What Cigna said" in second and "Pays first" in second
    assert "The estimate uses this answer" in second and "The estimate uses this answer" not in first
    # Both answers are shown, and only the primary's is priced.
    assert "Coverage is active" in first and "Coverage is active" in second
    assert "A typical stay:" in second and "A typical stay:" not in first
    assert "Second insurance</h3>" in html and "Chidi Okonkwo" in html  # in "What the visitor gave us"
    lead_page = client.get(verification.lead.get_absolute_url()).content.decode()
    assert "Two insurances: Aetna and Cigna; the benefits workspace says which pays first." in lead_page
    # The timeline names each answer's own payer.
    assert "Insurance answer from Aetna: coverage active" in lead_page
    assert "Insurance answer from Cigna: coverage active" in lead_page


@pytest.mark.django_db
def test_the_estimate_and_its_printout_use_the_primary_plans_answer(
    client, staff, patient_data, payers, sandbox, django_capture_on_commit_callbacks
):
    verification = two_plans(
        client, patient_data, payers, django_capture_on_commit_callbacks, first="LNT600001", second="LNT600002"
    )

    context = insured_estimate_context(verification)

    assert context["payer"] == "Cigna"
    assert "Your insurers told us Cigna pays first" in context["which_plan"]
    residential = next(level for level in context["readout"].levels if level.level == "residential")
    assert residential.estimate.amount is not None  # Cigna's full benefits (LNT600002), not Aetna's plan-level ones

    sign_in(client, staff["avery"])
    pdf = client.get(reverse("admissions:insured_estimate", args=[verification.pk]))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "You have two insurances. Your insurers told us Cigna pays first" in text


@pytest.mark.django_db
def test_with_the_primary_unknown_the_estimate_uses_the_first_plan_and_says_so(
    client, staff, patient_data, payers, sandbox, django_capture_on_commit_callbacks
):
    verification = two_plans(
        client, patient_data, payers, django_capture_on_commit_callbacks, first="LNT100001", second="LNT100003"
    )

    result = coordinate(verification)
    assert (result.primary, result.basis) == ("", DO_NOT_SAY)
    context = insured_estimate_context(verification)
    assert context["payer"] == "Aetna" and "which one pays first is not settled yet" in context["which_plan"]

    client.force_login(staff["avery"])
    html = client.get(verification.get_absolute_url()).content.decode()
    assert "Which insurance pays first is not known." in html
    assert "birthday rule" in html
    assert (
        "Worked out from the answer for the first insurance (Aetna): which insurance pays first is not known." in html
    )
    first = html[html.index('data-insurance="first"') : html.index('data-insurance="second"')]
    assert "The estimate uses this answer" in first


@pytest.mark.django_db
def test_a_payer_the_visitor_did_not_give_is_reported(
    client, staff, patient_data, payers, sandbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/verify/", {**patient_data, "member_id": "LNT600003"})
    verification = VerificationRequest.objects.get()
    deliver(*verification.checks.all())

    result = coordinate(verification)

    assert (result.primary, result.basis) == ("first", ONLY_ONE)
    assert result.notes == [
        "Aetna's answer names another payer, NORTHSTAR MUTUAL (commercial), as primary: ask the person about it."
    ]
    client.force_login(staff["avery"])
    html = client.get(verification.get_absolute_url()).content.decode()
    assert "Coordination of benefits" in html and "NORTHSTAR MUTUAL (commercial), as primary" in html


# --- Read from the payers' answers: X12 and JSON ---------------------------------------------------


def test_it_reads_the_primary_payer_from_a_271s_other_payer_row():
    summary = read_271((FIXTURES / "271_cob_other_primary.x12").read_text())

    (named,) = other_payers(summary)
    assert (named.order, named.name, named.payer_id) == ("primary", "CIGNA HEALTH AND LIFE INSURANCE COMPANY", "62308")
    assert (named.member_id, named.insurance_type_description, named.since) == (
        "U77880214",
        "commercial",
        dt.date(2026, 1, 1),
    )
    # The person's other plan, not a company holding part of this one's benefits.
    assert summary.carve_outs == [] and summary.levels["residential"].carved_out_to == ""

    result = decide([AETNA_FIRST, CIGNA_SECOND], {"first": summary, "second": None})
    assert (result.primary, result.secondary) == ("second", "first")
    assert result.basis == (
        "Second insurance (Cigna) pays first: Aetna's answer names Cigna as the primary payer since 01/01/2026."
    )
    assert result.notes == []  # the name matched: nothing to explain


def test_it_reads_the_order_from_the_json_apis_coordination_of_benefits_answer():
    summary = summary_from_json(json.loads((FIXTURES / "stedi_cob.json").read_text()))

    (named,) = other_payers(summary)
    assert (named.order, named.name, named.payer_id, named.member_id) == ("secondary", "AETNA", "60054", "W2210447101")
    assert named.since == dt.date(2026, 1, 1)

    result = decide([CIGNA_FIRST, AETNA_SECOND], {"first": summary, "second": None})
    assert (result.primary, result.secondary) == ("first", "second")
    assert result.basis == (
        "First insurance (Cigna) pays first: Cigna's answer names Aetna as the secondary payer since 01/01/2026."
    )
    assert result.notes == ["Cigna's answer: another plan overlaps and coordination of benefits applies."]


def test_a_json_answer_that_could_not_determine_the_order_says_so():
    data = json.loads((FIXTURES / "stedi_cob.json").read_text())
    data["coordinationOfBenefits"]["classification"] = "CobInstanceExistsPrimacyUndetermined"
    data["benefitsInformation"][1]["benefitsRelatedEntities"][0]["entityIdentifier"] = "Payer"

    result = decide([CIGNA_FIRST, AETNA_SECOND], {"first": summary_from_json(data), "second": None})

    assert (result.primary, result.secondary, result.basis) == ("", "", DO_NOT_SAY)
    assert result.notes == [
        "Cigna's answer: another plan overlaps and coordination of benefits applies, but which pays first could "
        "not be determined.",
        "Cigna's answer names Aetna as another payer without saying which pays first.",
    ]


# --- What the answers leave open ------------------------------------------------------------------


def test_answers_that_disagree_leave_the_primary_unknown():
    answers = {"first": naming("PRP", "CIGNA"), "second": naming("PRP", "AETNA")}

    result = decide([AETNA_FIRST, CIGNA_SECOND], answers)

    assert result.primary == ""
    assert result.basis == (
        "The payers' answers disagree about which pays first (Aetna's answer names Cigna as the primary payer; "
        "Cigna's answer names Aetna as the primary payer): ask the person and confirm with the payers."
    )


def test_answers_that_say_nothing_of_each_other_leave_it_to_staff_to_ask():
    answers = {"first": naming("PRP", "CEDAR RIDGE", service_types=("MH", "AI")), "second": None}

    result = decide([AETNA_FIRST, CIGNA_SECOND], answers)

    # A "primary payer" for behavioural health only is a carve-out of Aetna's plan, not the order of the plans.
    assert (result.primary, result.basis, result.notes) == ("", DO_NOT_SAY, [])
    assert answers["first"].carve_outs[0].name == "CEDAR RIDGE"
    assert decide([AETNA_FIRST, CIGNA_SECOND], {"first": None, "second": None}).basis.startswith(
        "Which insurance pays first is not known yet"
    )


def test_a_third_payer_named_beside_a_decided_order_is_reported_too():
    answer = naming("SEP", "CIGNA")
    answer.subscribers[0].benefits.append(
        BenefitRow(eb01="R", service_types=["30"], related_entities=[RelatedEntity(entity_code="TTP", name="TRICARE")])
    )

    result = decide([AETNA_FIRST, CIGNA_SECOND], {"first": finish(answer), "second": None})

    assert (result.primary, result.secondary) == ("first", "second")
    assert result.notes == ["Aetna's answer names another payer, TRICARE, as tertiary: ask the person about it."]


# --- A phone entry for the second plan -------------------------------------------------------------


@pytest.mark.django_db
def test_a_phone_entry_says_which_plan_it_was_about(client, staff, patient_data, payers, sandbox):
    verification = VerificationRequest.submit(
        {**patient_data, "payer": payers["Aetna"], "date_of_birth": dt.date(1991, 3, 14), "relationship": "self"},
        consent_version="verification-part2-2026-11-30",
        consent_page="/verify/",
        attribution={},
    )
    verification.checks.all().delete()
    SecondInsurance.objects.create(verification=verification, payer_other="Harbor Mutual", member_id="HM-1")
    verification.lead_request.part2_consent.recipients = json.dumps(["Aetna", "Harbor Mutual"])
    verification.lead_request.part2_consent.save()
    client.force_login(staff["avery"])

    page = client.get(verification.get_absolute_url()).content.decode()
    assert "Which insurance did you call about?" in page and "Second insurance: Harbor Mutual" in page
    response = client.post(
        reverse("verification:manual", args=[verification.pk]),
        {"insurance": "second", "coverage_status": "active", "payer_rep": "Dana, ref 7781"},
    )

    assert response.status_code == 302
    check = EligibilityCheck.objects.get(manual=True)
    assert check.insurance == "second" and check.summary.payer_name == "Harbor Mutual"
    assert Disclosure.objects.get(lead=verification.lead).recipient_names == ["Harbor Mutual"]
