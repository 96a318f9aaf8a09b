"""An insurance check whose store fails because PostgreSQL went away after the form was checked:
the visitor is thanked, and the request (card photo included) is stored when the database returns.

The form's list of insurers comes from the cache (or the process's last copy), so a visitor whose
page was loaded before PostgreSQL stopped is served the same way.
"""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from PIL import Image

from intake.models import Notification
from intake.tasks import store_spooled_submissions
from intake.tests.test_spool import database_down, kept  # noqa: F401 - the spool fixture, Redis and folder
from verification import cards
from verification.models import VerificationRequest

from .conftest import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_keeps_an_insurance_check_the_database_dropped_and_stores_it_with_its_photo_when_it_returns(
    client,
    staff,
    patient_data,
    kept,  # noqa: F811
):
    photo = SimpleUploadedFile("front.jpg", jpeg_bytes(), "image/jpeg")
    dropped = OperationalError("server closed the connection unexpectedly")
    with mock.patch("intake.front_door.lock_phone", side_effect=dropped):
        response = client.post("/verify/", {**patient_data, "card_front": photo})
    thanks = client.get(response["Location"])

    html = thanks.content.decode()
    assert response.status_code == 302 and thanks.status_code == 200
    assert "We're checking your benefits" in html and "Your reference is" not in html
    assert VerificationRequest.objects.count() == 0
    at_rest = kept()
    entry_id = at_rest.split(b" ", 1)[0].decode()
    for secret in (b"Maya", b"Okonkwo", b"LNT100001", b"1991-03-14", b"555-0173"):
        assert secret not in at_rest

    assert store_spooled_submissions() == 1

    verification = VerificationRequest.objects.get()
    assert (verification.first_name, verification.member_id, verification.payer.name) == ("Maya", "LNT100001", "Aetna")
    assert verification.date_of_birth == dt.date(1991, 3, 14)
    assert str(verification.lead_request.submission_id) == entry_id
    assert Image.open(io.BytesIO(cards.load(verification.card_front))).format == "JPEG"
    assert verification.checks.count() == 1  # the eligibility check is queued, as for any request
    assert Notification.objects.filter(lead=verification.lead).exists()
    assert not kept()


def test_it_keeps_an_insurance_check_sent_while_the_database_is_down_from_the_start(
    client,
    staff,
    patient_data,
    kept,  # noqa: F811
):
    client.get("/verify/")  # the page was loaded while the database was up
    with database_down():
        page = client.get("/verify/")
        response = client.post("/verify/", patient_data)
        thanks = client.get(response["Location"])

    assert page.status_code == 200 and "Aetna" in page.content.decode()
    assert response.status_code == 302 and thanks.status_code == 200
    assert "Your reference is" not in thanks.content.decode()
    assert VerificationRequest.objects.count() == 0

    store_spooled_submissions()
    verification = VerificationRequest.objects.get()
    assert (verification.first_name, verification.payer.name) == (patient_data["first_name"], "Aetna")
    assert Notification.objects.filter(lead=verification.lead).exists()


def test_it_does_not_store_twice_an_insurance_check_whose_commit_went_through_but_whose_answer_was_lost(
    client,
    staff,
    patient_data,
    kept,  # noqa: F811
):
    photo = SimpleUploadedFile("front.jpg", jpeg_bytes(), "image/jpeg")
    real_submit = VerificationRequest.submit

    def committed_then_lost(*args, **kwargs):
        real_submit(*args, **kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    with mock.patch.object(VerificationRequest, "submit", side_effect=committed_then_lost):
        response = client.post("/verify/", {**patient_data, "card_front": photo})
    assert response.status_code == 302 and kept()

    store_spooled_submissions()

    # One request, one question to the payer (one disclosure), and its photo still there.
    verification = VerificationRequest.objects.get()
    assert verification.checks.count() == 1
    assert Image.open(io.BytesIO(cards.load(verification.card_front))).format == "JPEG"
    assert not kept()
