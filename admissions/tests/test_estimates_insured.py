"""The insured person's per-level estimate, printed from the benefits workspace."""

import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from pypdf import PdfReader

from outbox.tests.helpers import deliver
from tests.conftest import sign_in
from verification.models import VerificationRequest
from verification.stays import TypicalStay

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(client, patient_data, django_capture_on_commit_callbacks) -> VerificationRequest:
    """Maya's request, answered by the sandbox payer (her plan: $900 of the deductible left, 20%)."""
    TypicalStay.objects.create(level="residential", length=28, unit="day", price=Decimal("1200"))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/verify/", patient_data)
    assert response.status_code == 302
    verification = VerificationRequest.objects.latest("pk")
    deliver(*verification.checks.filter(status="pending"))
    return verification


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_it_prints_each_levels_share_with_the_payer_and_a_clear_disclaimer(client, staff, answered):
    sign_in(client, staff["avery"])
    workspace = client.get(answered.get_absolute_url()).content.decode()
    url = reverse("admissions:insured_estimate", args=[answered.pk])
    assert url in workspace  # the workspace's "Print this estimate (PDF)"

    response = client.get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    text = text_of(response.content)
    for element in [
        "Maya Okonkwo",
        "Aetna",
        "Residential",
        "about $9,650",
        "not a promise",
        "It is not a Good Faith Estimate",
    ]:
        assert element in text, element
    assert LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, object_pk=str(answered.pk), additional_data__what="insured estimate pdf"
    ).exists()


def test_it_prints_nothing_before_the_payer_answers(client, staff, patient_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post("/verify/", patient_data)
    verification = VerificationRequest.objects.latest("pk")
    sign_in(client, staff["avery"])
    response = client.get(reverse("admissions:insured_estimate", args=[verification.pk]))
    assert response.status_code == 302
    assert not LogEntry.objects.filter(additional_data__what="insured estimate pdf").exists()


def test_it_is_closed_to_people_outside_admissions(client, answered, clinician):
    sign_in(client, clinician)
    assert client.get(reverse("admissions:insured_estimate", args=[answered.pk])).status_code in (403, 404)
