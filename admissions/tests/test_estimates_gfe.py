"""Good Faith Estimates for self-pay people: issued from the lead, kept as issued, printed as a PDF
with everything the No Surprises Act asks for, and emailed to the person when they ask."""

import datetime as dt
import email as email_lib
import io
import logging
import smtplib
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from admissions.models import EstimateEmail, GoodFaithEstimate, Programme
from intake.models import Facility, Lead
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def maple(db):
    facility, _ = Facility.objects.get_or_create(name="Maple House")
    Facility.objects.filter(pk=facility.pk).update(
        npi="1234567893",
        tax_id="12-3456789",
        street_address="1 Demo Lane",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )
    facility.refresh_from_db()
    return facility


@pytest.fixture
def programmes(maple):
    detox = Programme.objects.create(
        facility=maple,
        level="detox",
        capacity=8,
        typical_length_days=5,
        daily_price=Decimal("1200"),
        service_code="H0011",
    )
    residential = Programme.objects.create(
        facility=maple,
        level="residential",
        capacity=20,
        typical_length_days=28,
        daily_price=Decimal("650.50"),
        service_code="H0018",
    )
    return detox, residential


@pytest.fixture
def lead(db):
    return Lead.objects.create(name="Jordan Whitlock", phone="+14155552671", email="jordan@example.com")


@pytest.fixture
def worker(staff, client):
    return sign_in(client, staff["avery"])


def form_data(chosen, **extra):
    detox, residential = chosen
    data = {
        "programmes": [detox.pk, residential.pk],
        f"days_{detox.pk}": "5",
        f"days_{residential.pk}": "28",
        "self_pay_reason": "uninsured",
        "self_pay_confirmed": "on",
        "patient_name": "Jordan Whitlock",
        "patient_date_of_birth": "1988-07-02",
        "expected_start": "2026-12-07",
    }
    data.update(extra)
    return data


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def issue(worker, lead, programmes, **extra) -> GoodFaithEstimate:
    response = worker.post(reverse("admissions:gfe", args=[lead.pk]), form_data(programmes, **extra))
    assert response.status_code == 302, response.content[:2000]
    return lead.good_faith_estimates.get()


def test_it_issues_an_estimate_with_every_line_and_the_total(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    assert [(line["service_code"], line["days"], line["amount"]) for line in estimate.lines] == [
        ("H0011", 5, Decimal("6000")),
        ("H0018", 28, Decimal("18214.00")),
    ]
    assert estimate.total == Decimal("24214.00")
    assert [line["starts_on"] for line in estimate.lines] == [dt.date(2026, 12, 7), dt.date(2026, 12, 12)]


def test_it_prints_every_element_the_rule_asks_for(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    response = worker.get(reverse("admissions:gfe_pdf", args=[lead.pk, estimate.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for element in [
        "Jordan Whitlock",
        "July 2, 1988",
        "Withdrawal management",
        "Expected to start on December 7, 2026",
        "no health insurance",
        "H0011",
        "H0018",
        "$6,000",
        "$18,214",
        "$24,214",
        "Maple House",
        "1234567893",
        "12-3456789",
        "1 Demo Lane",
        "Services not included in this estimate",
        "only an estimate",
        "may differ",
        "$400",
        "www.cms.gov/nosurprises",
        "1-800-985-3059",
        "not a contract",
        "does not require you to obtain",
        estimate.issued_at.strftime("%Y")[:4],
        estimate.reference,
    ]:
        assert element.lower() in text.lower(), element


def test_it_gives_the_same_document_on_every_download(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    url = reverse("admissions:gfe_pdf", args=[lead.pk, estimate.pk])
    first = worker.get(url).content
    Programme.objects.update(daily_price=Decimal("9999"))  # a later price change
    Facility.objects.update(npi="")
    again = worker.get(url + "?download=1")
    assert again.content == first
    assert again["Content-Disposition"].startswith("attachment")
    assert "no-store" in again["Cache-Control"]


def test_it_cannot_be_changed_once_issued(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    estimate.patient_name = "Someone Else"
    with pytest.raises(ValidationError):
        estimate.save()


def test_it_refuses_without_a_programme_and_keeps_what_was_typed(worker, lead, programmes):
    data = form_data(programmes, programmes=[], patient_name="Jordan W.")
    response = worker.post(reverse("admissions:gfe", args=[lead.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose at least one programme to estimate." in html
    assert 'value="Jordan W."' in html
    assert not GoodFaithEstimate.objects.exists()


def test_it_refuses_without_a_date_of_birth_and_says_so_next_to_the_field(worker, lead, programmes):
    response = worker.post(reverse("admissions:gfe", args=[lead.pk]), form_data(programmes, patient_date_of_birth=""))

    assert response.status_code == 400
    assert "the estimate must show it" in response.content.decode()
    assert not lead.good_faith_estimates.exists()


def test_it_refuses_without_the_self_pay_confirmation(worker, lead, programmes):
    data = form_data(programmes)
    del data["self_pay_confirmed"]
    response = worker.post(reverse("admissions:gfe", args=[lead.pk]), data)
    assert response.status_code == 400
    assert "Confirm the person is self-pay" in response.content.decode()
    assert not GoodFaithEstimate.objects.exists()


def test_it_warns_the_worker_when_a_facility_lacks_its_npi_or_tin(worker, lead, programmes, maple):
    Facility.objects.filter(pk=maple.pk).update(npi="", tax_id="")
    html = worker.get(reverse("admissions:gfe", args=[lead.pk])).content.decode()
    assert "Maple House has no NPI and no TIN on record" in html


def test_it_refuses_to_issue_while_the_facility_or_a_programme_lacks_what_the_rule_prints(
    worker, lead, programmes, maple
):
    Facility.objects.filter(pk=maple.pk).update(npi="")
    Programme.objects.filter(pk=programmes[0].pk).update(service_code="")

    response = worker.post(reverse("admissions:gfe", args=[lead.pk]), form_data(programmes))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Maple House has no NPI on record: ask an admin" in html
    assert "has no service code" in html
    assert not lead.good_faith_estimates.exists()


def test_it_lists_earlier_estimates_and_audits_the_page_and_the_pdf(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    html = worker.get(reverse("admissions:gfe", args=[lead.pk])).content.decode()
    assert estimate.reference in html
    worker.get(reverse("admissions:gfe_pdf", args=[lead.pk, estimate.pk]))
    accesses = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert accesses.filter(object_id=lead.pk).exists()
    assert accesses.filter(object_pk=str(estimate.pk), additional_data__lead_id=lead.pk).exists()


def test_it_keeps_the_name_encrypted(worker, lead, programmes):
    from django.db import connection

    estimate = issue(worker, lead, programmes)
    with connection.cursor() as cursor:
        cursor.execute("SELECT patient_name, lines_json FROM admissions_goodfaithestimate WHERE id = %s", [estimate.pk])
        name, lines = cursor.fetchone()
    assert "Jordan" not in name and "H0011" not in lines


def test_it_emails_the_pdf_to_the_person_with_a_discreet_subject(worker, lead, programmes, mailbox, caplog):
    estimate = issue(worker, lead, programmes)
    caplog.set_level(logging.DEBUG)
    asked = {"asked_by_email": "on", "confirm_to": "Jordan@Example.com"}
    response = worker.post(reverse("admissions:gfe_email", args=[lead.pk, estimate.pk]), asked)
    assert response.status_code == 302
    assert EstimateEmail.objects.deliver_due() == 1
    email = EstimateEmail.objects.get()
    assert email.status == EstimateEmail.Status.SENT
    [sent] = mailbox.wait_for(1, timeout=5)
    assert sent["to"] == ["jordan@example.com"]
    message = email_lib.message_from_string(sent["data"])
    assert message["Subject"] == "Your cost estimate from Lantern Recovery Center"
    attachments = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attachments and estimate.reference in pdf_text(attachments[0].get_payload(decode=True))
    assert "detox" not in message["Subject"].lower()
    # Lantern's own logs (the fake SMTP server's "mail.log" is the outside world's).
    ours = " ".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))
    assert "Jordan" not in ours and "jordan@example.com" not in ours
    html = worker.get(reverse("admissions:gfe", args=[lead.pk])).content.decode()
    assert "Emailed" in html and "Sent" in html


def test_a_refused_address_is_not_kept_in_the_delivery_error(worker, lead, programmes, monkeypatch):
    estimate = issue(worker, lead, programmes)
    asked = {"asked_by_email": "on", "confirm_to": "jordan@example.com"}
    worker.post(reverse("admissions:gfe_email", args=[lead.pk, estimate.pk]), asked)

    def refused(self, context):
        raise smtplib.SMTPRecipientsRefused({"jordan@example.com": (550, b"5.1.1 <jordan@example.com> unknown")})

    monkeypatch.setattr(EstimateEmail, "perform", refused)
    EstimateEmail.objects.deliver_due()

    email = EstimateEmail.objects.get()
    assert email.last_error == "SMTPRecipientsRefused: SMTP 550"


def test_it_sends_nothing_unless_the_person_asked_by_email(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    response = worker.post(reverse("admissions:gfe_email", args=[lead.pk, estimate.pk]), {})
    assert response.status_code == 400
    assert "asked for it by email" in response.content.decode()
    assert not EstimateEmail.objects.exists()


def test_it_sends_nothing_to_an_address_the_person_did_not_give(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    asked = {"asked_by_email": "on", "confirm_to": "someone.else@example.com"}
    response = worker.post(reverse("admissions:gfe_email", args=[lead.pk, estimate.pk]), asked)
    assert response.status_code == 400
    page = response.content.decode()
    assert "not the address the person gave" in page and 'value="someone.else@example.com"' in page
    assert not EstimateEmail.objects.exists()


def test_it_never_emails_a_loved_ones_estimate_to_the_caller(worker, lead, programmes):
    Lead.objects.filter(pk=lead.pk).update(for_whom="loved_one")
    lead.refresh_from_db()
    estimate = issue(worker, lead, programmes)
    asked = {"asked_by_email": "on", "confirm_to": "jordan@example.com"}
    response = worker.post(reverse("admissions:gfe_email", args=[lead.pk, estimate.pk]), asked, follow=True)
    assert "the address on it is theirs" in response.content.decode()
    assert not EstimateEmail.objects.exists()


@pytest.mark.parametrize("who", ["nobody", "clinician_only"])
def test_it_is_closed_to_people_outside_admissions(client, lead, programmes, who, clinician):
    from django.contrib.auth.models import User

    person = clinician if who == "clinician_only" else User.objects.create_user("morgan", "m@example.com", "x")
    sign_in(client, person)
    assert client.get(reverse("admissions:gfe", args=[lead.pk])).status_code in (403, 404)
    assert client.post(reverse("admissions:gfe", args=[lead.pk]), form_data(programmes)).status_code in (403, 404)
    assert not GoodFaithEstimate.objects.exists()


def test_it_shows_the_panel_and_timeline_on_the_lead_page(worker, lead, programmes):
    estimate = issue(worker, lead, programmes)
    html = worker.get(lead.get_absolute_url()).content.decode()
    assert "Cost estimate" in html
    assert reverse("admissions:gfe", args=[lead.pk]) in html
    assert f"Good Faith Estimate {estimate.reference} issued" in html


def test_retention_keeps_an_estimate_younger_than_six_years(worker, lead, programmes):
    from admissions.lead_part_estimates import CostEstimates

    estimate = issue(worker, lead, programmes)
    CostEstimates().anonymise(lead)
    assert GoodFaithEstimate.objects.get(pk=estimate.pk).patient_name == "Jordan Whitlock"
    GoodFaithEstimate.objects.filter(pk=estimate.pk).update(issued_at=estimate.issued_at - dt.timedelta(days=7 * 365))
    CostEstimates().anonymise(lead)
    assert GoodFaithEstimate.objects.get(pk=estimate.pk).patient_name == "[removed]"


def test_it_logs_who_issued_an_estimate_without_the_persons_details(worker, lead, programmes, staff):
    estimate = issue(worker, lead, programmes)
    entry = LogEntry.objects.get_for_object(estimate).get(action=LogEntry.Action.CREATE)
    assert entry.actor == staff["avery"]
    assert "Jordan" not in str(entry.changes) and "1988" not in str(entry.changes)


def test_an_estimate_kept_past_its_leads_retention_is_blanked_six_years_after_issue(worker, lead, programmes):
    from admissions.tasks import purge_old_estimates
    from intake.models.lead import ANONYMISED_PREFIX

    estimate = issue(worker, lead, programmes)
    Lead.objects.filter(pk=lead.pk).update(phone_hash=ANONYMISED_PREFIX + "abc")  # retention has run
    assert purge_old_estimates() == 0
    assert GoodFaithEstimate.objects.get(pk=estimate.pk).patient_name == "Jordan Whitlock"
    GoodFaithEstimate.objects.filter(pk=estimate.pk).update(issued_at=estimate.issued_at - dt.timedelta(days=2200))
    assert purge_old_estimates() == 1
    kept = GoodFaithEstimate.objects.get(pk=estimate.pk)
    assert (kept.patient_name, kept.lines, kept.total) == ("[removed]", [], Decimal("24214.00"))
    assert purge_old_estimates() == 0
