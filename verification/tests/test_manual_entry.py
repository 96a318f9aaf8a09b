"""A phone verification entered by staff reads in the workspace like a payer's own answer."""

import pytest

from verification.models import VerificationRequest


@pytest.fixture
def phone_verification(client, staff, patient_data) -> VerificationRequest:
    """A request for a payer with no electronic eligibility, opened by Avery, who must call it."""
    client.post("/verify/", {**patient_data, "payer": "other", "payer_other": "Harbor Mutual"})
    client.force_login(staff["avery"])
    return VerificationRequest.objects.latest("pk")


@pytest.mark.django_db
def test_it_tells_staff_what_to_ask_when_the_payer_could_not_find_the_member(client, phone_verification):
    url = f"/staff/verifications/{phone_verification.pk}/"

    client.post(url + "manual/", {"coverage_status": "rejected", "payer_rep": "Dana, call ref 55A2"})

    html = client.get(url).content.decode()
    assert '<option value="rejected">Member not found</option>' in html
    assert "The payer could not answer about this person." in html
    assert "Ask the visitor to read the member ID and the name exactly as printed on the card." in html
    assert phone_verification.checks.get().coverage_status == "rejected"


@pytest.mark.django_db
def test_it_offers_staff_no_coverage_status_a_phone_call_cannot_give(client, phone_verification):
    url = f"/staff/verifications/{phone_verification.pk}/"

    refused = client.post(url + "manual/", {"coverage_status": "error", "payer_rep": "Dana"})

    assert refused.status_code == 400 and "not one of the available choices" in refused.content.decode()
    assert not phone_verification.checks.exists()
