"""The record as a file: downloaded by a supervisor from the lead page (audited, not cached), or
written by `manage.py export_fhir`. Each is listed in the person's accounting of disclosures."""

import io
import json

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from handoff import bundle as bundles
from handoff.models import RecordExport
from intake.models import Disclosure

from .helpers import everything

pytestmark = pytest.mark.django_db


def test_a_supervisor_downloads_the_record_as_a_fhir_file_and_the_download_is_audited(staff, client):
    lead = everything(staff["avery"])
    client.force_login(staff["sam"])

    response = client.post(reverse("handoff:download", args=[lead.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"] == f'attachment; filename="{lead.reference}-fhir.json"'
    assert "no-store" in response["Cache-Control"]
    made = json.loads(response.content)
    bundles.validate(made)
    assert made["entry"][0]["resource"]["name"][0]["family"] == "Okonkwo"
    export = RecordExport.objects.get()
    assert export.how == RecordExport.How.DOWNLOAD and export.requested_by == staff["sam"]
    disclosure = Disclosure.objects.get(lead=lead, reference=export.reference)
    assert disclosure.channel == "FHIR export (downloaded by sam)"
    access = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_repr__contains="downloaded as FHIR").get()
    assert access.actor == staff["sam"] and access.additional_data["lead_id"] == lead.pk
    assert "Okonkwo" not in access.object_repr


def test_only_supervisors_may_download_the_record(staff, client):
    lead = everything(staff["avery"])
    client.force_login(staff["avery"])

    refused = client.post(reverse("handoff:download", args=[lead.pk]))
    page = client.get(lead.get_absolute_url()).content.decode()

    assert refused.status_code == 403
    assert not RecordExport.objects.exists() and not Disclosure.objects.filter(channel__contains="FHIR").exists()
    assert "Send to the clinical record" not in page  # no address configured in this test
    assert "Download the FHIR file" not in page


def test_the_download_is_a_post_so_a_link_followed_by_a_browser_discloses_nothing(staff, client):
    lead = everything(staff["avery"])
    client.force_login(staff["sam"])

    assert client.get(reverse("handoff:download", args=[lead.pk])).status_code == 405
    assert not RecordExport.objects.exists()


def test_the_command_writes_the_record_and_prints_one_line(staff, tmp_path):
    lead = everything(staff["avery"])
    output = tmp_path / "maya.json"
    printed = io.StringIO()

    call_command("export_fhir", lead.reference, output=str(output), stdout=printed)

    export = RecordExport.objects.get()
    assert printed.getvalue().strip() == (
        f"Wrote {lead.reference}'s record (12 entries) to {output}; "
        f"listed in its accounting of disclosures as {export.reference}."
    )
    bundles.validate(json.loads(output.read_bytes()))
    assert export.how == RecordExport.How.COMMAND and export.digest == bundles.digest(output.read_bytes())
    assert Disclosure.objects.get(reference=export.reference).channel == "FHIR export (manage.py export_fhir)"
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_repr__contains="export_fhir").exists()


def test_the_command_lists_nothing_when_the_file_cannot_be_written(staff, tmp_path):
    lead = everything(staff["avery"])

    with pytest.raises(Exception, match="Could not write"):
        call_command("export_fhir", lead.reference, output=str(tmp_path / "no-such-folder" / "maya.json"))

    assert not RecordExport.objects.exists() and not Disclosure.objects.filter(channel__contains="FHIR").exists()
