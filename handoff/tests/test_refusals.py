"""Nothing leaves without the person's Part 2 consent naming the clinical record system, in force,
and an admitted lead: not through the button, not from the outbox (which asks again when it
sends), not as a download, not from the command. Each way out says why in one line."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from handoff.models import RecordExport, export_refusal
from intake.models import ConsentRevocation, Disclosure, LeadStatus
from outbox.models import ClosableStatus

from .helpers import admitted_lead, consent

ROOT = Path(__file__).resolve().parents[2]


def no_consent(lead, by):
    pass


def another_recipient(lead, by):
    consent(lead, by, recipient="Riverside Hospital patient portal")


def expired(lead, by):
    consent(lead, by, expires_in=-1, signed_on=timezone.localdate() - dt.timedelta(days=400))


def revoked_for_the_record(lead, by):
    consent(lead, by).revoke(method="call", said_on=timezone.localdate(), by=by)


def revoked_altogether(lead, by):
    consent(lead, by, signed_on=timezone.localdate() - dt.timedelta(days=3))
    ConsentRevocation.objects.record(lead, method="writing", said_on=timezone.localdate(), by=by)


def not_admitted(lead, by):
    consent(lead, by)
    lead.status = LeadStatus.ADMISSION_SCHEDULED
    lead.save(update_fields=["status"])


CASES = {
    no_consent: "has no Part 2 consent naming Clinical record system (EHR)",
    another_recipient: "names Riverside Hospital patient portal, not Clinical record system (EHR)",
    expired: "expired on",
    revoked_for_the_record: "The person revoked consent HC-",
    revoked_altogether: "The person revoked their consent in writing",
    not_admitted: "is admission scheduled, not admitted",
}


def message_texts(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.django_db
@pytest.mark.parametrize("setup", list(CASES), ids=[case.__name__ for case in CASES])
def test_it_lets_nothing_leave_any_way_out_without_a_consent_in_force_naming_the_recipient(
    setup, staff, client, fhir_server, tmp_path
):
    lead = admitted_lead()
    setup(lead, staff["avery"])
    why = export_refusal(lead)
    assert CASES[setup] in why and "\n" not in why

    # The button on the lead page.
    client.force_login(staff["avery"])
    pressed = client.post(reverse("handoff:send", args=[lead.pk]))
    assert pressed.status_code == 302 and why in message_texts(pressed)
    assert not RecordExport.objects.exists()

    # A row queued earlier, when the record could still go: asked again when it is sent.
    queued = RecordExport.objects.create(lead=lead, how=RecordExport.How.ON_ADMISSION)
    RecordExport.objects.deliver_due()
    queued.refresh_from_db()
    assert queued.status == ClosableStatus.CLOSED and queued.last_error == why

    # A supervisor's download.
    client.force_login(staff["sam"])
    downloaded = client.post(reverse("handoff:download", args=[lead.pk]))
    assert downloaded.status_code == 302 and why in message_texts(downloaded)

    # The command.
    output = tmp_path / "record.json"
    with pytest.raises(CommandError) as refused:
        call_command("export_fhir", lead.reference, output=str(output))
    assert str(refused.value) == why

    assert fhir_server.requests == [] and not output.exists()
    assert RecordExport.objects.count() == 1  # the closed row, nothing more
    assert not Disclosure.objects.filter(lead=lead).exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_exits_1_with_a_one_line_reason(staff, tmp_path):
    lead = admitted_lead(status=LeadStatus.ACCEPTED)
    consent(lead, staff["avery"])
    output = tmp_path / "record.json"
    database = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()

    result = subprocess.run(
        [sys.executable, "manage.py", "export_fhir", lead.reference, "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": database},
    )

    assert result.returncode == 1
    assert result.stdout == "" and result.stderr.strip().count("\n") == 0
    assert f"{lead.reference} is accepted for admission, not admitted" in result.stderr
    assert not output.exists()
