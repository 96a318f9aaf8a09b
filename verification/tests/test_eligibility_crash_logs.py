"""A bug in the eligibility path is logged by its type and the check's id, never by its message:
a parser's or a database's message can quote the member's data."""

import logging
from pathlib import Path

import pytest
from django.db import IntegrityError

from outbox.tasks import deliver_due
from outbox.tests.helpers import deliver
from verification import eligibility
from verification.eligibility import X12Gateway
from verification.models import EligibilityCheck

FIXTURES = Path(__file__).parent / "fixtures"
MARKER = "PHI-MARKER-Okonkwo-LNT100001-1991-03-14"


@pytest.fixture
def check(client, patient_data):
    assert client.post("/verify/", patient_data).status_code == 302
    return EligibilityCheck.objects.get()


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


class CrashingGateway:
    name = "crashing"

    def check(self, request):
        member = request.member_id
        raise ValueError(f"cannot place member {member} ({MARKER})")


class FixedAnswer:
    def __init__(self, answer: str):
        self.answer = answer

    def send(self, x12_270: str) -> str:
        return self.answer


def assert_logged_without_phi(logs, check, type_name: str, *, names_the_check: bool = True) -> None:
    text = logs.text
    assert MARKER not in text and "LNT100001" not in text and "Okonkwo" not in text, text
    crash = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert crash and all(r.exc_info is None for r in crash)
    named = (lambda message: str(check.pk) in message) if names_the_check else (lambda message: True)
    assert any(type_name in r.getMessage() and named(r.getMessage()) for r in crash), text


@pytest.mark.django_db
def test_a_gateway_crash_is_logged_by_type_and_check_id(check, logs, monkeypatch):
    monkeypatch.setattr(eligibility, "get_gateway", lambda name=None: CrashingGateway())

    deliver(check)

    assert_logged_without_phi(logs, check, "ValueError")
    check.refresh_from_db()
    assert check.status == EligibilityCheck.Status.FAILED and MARKER not in check.last_error


@pytest.mark.django_db
def test_a_parser_crash_on_the_payers_answer_is_logged_by_type_and_check_id(check, logs, monkeypatch):
    def broken_reader(raw, **kwargs):
        # As a parser bug would: quoting the segment it choked on.
        raise KeyError(f"DMG*D8*19910314~NM1*IL*1*OKONKWO*MAYA****MI*LNT100001 {MARKER}")

    answer = (FIXTURES / "271_active_behavioural.x12").read_text()
    monkeypatch.setattr(eligibility, "get_gateway", lambda name=None: X12Gateway(FixedAnswer(answer)))
    monkeypatch.setattr("verification.eligibility.gateways.read_271", broken_reader)

    deliver(check)

    assert_logged_without_phi(logs, check, "KeyError")
    assert "gateways.py" in logs.text  # where it happened, for whoever fixes it


@pytest.mark.django_db
def test_a_task_that_fails_outside_the_check_logs_no_database_detail(check, logs, monkeypatch):
    def claim(self, limit):
        raise IntegrityError(f"duplicate key value\nDETAIL: Key (member_id)=({MARKER}) already exists.")

    monkeypatch.setattr(type(EligibilityCheck.objects.all()), "claim", claim)

    deliver_due.apply(args=["verification.eligibilitycheck"])

    # Before any row is claimed there is no check to name: the kind of delivery and the place.
    assert_logged_without_phi(logs, check, "IntegrityError", names_the_check=False)
    assert "verification.eligibilitycheck" in logs.text
