"""The record sent to the clinical record system through the outbox: signed, received and checked
by a stand-in FHIR endpoint on this machine, listed in the person's accounting of disclosures;
refused by the receiver (a wrong key) and failed; retried after an outage; sent by itself on
admission. Rows are delivered here with the same call the worker makes (outbox.deliver_due)."""

import json
import logging

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from handoff import bundle as bundles
from handoff.checks import export_signed
from handoff.models import RecordExport
from intake.models import Disclosure, LeadStatus, LevelOfCare, OutcomeFacts
from outbox.models import ClosableStatus

from .helpers import admitted_lead, consent, everything

pytestmark = pytest.mark.django_db

PHI = [
    "Okonkwo",
    "Maya",
    "LNT100001",
    "LNT600001",
    "LNT600002",
    "GRP-7741",
    "1991-03-14",
    "+16465550173",
    "maya.okonkwo@example.com",
    "Chidi",
]


def due_now() -> None:
    RecordExport.objects.update(due_at=timezone.now())


def test_it_posts_the_signed_record_and_lists_it_in_the_accounting_of_disclosures(staff, client, fhir_server, caplog):
    lead = everything(staff["avery"])
    client.force_login(staff["avery"])

    with caplog.at_level(logging.DEBUG):
        pressed = client.post(reverse("handoff:send", args=[lead.pk]), follow=True)
        RecordExport.objects.deliver_due()

    assert "record is on its way to Clinical record system (EHR)" in pressed.content.decode()
    export = RecordExport.objects.get()
    assert export.status == ClosableStatus.SENT and export.answered == 200 and export.attempts == 1
    (received,) = fhir_server.requests
    assert received["headers"]["Content-Type"].startswith("application/fhir+json")
    assert received["headers"]["X-Lantern-Export"] == export.reference
    (stored,) = fhir_server.bundles  # the receiver found the signature good
    Bundle.model_validate(stored)
    bundles.validate(stored)
    assert len(stored["entry"]) == export.entries == 12
    assert bundles.digest(received["body"]) == export.digest
    disclosure = Disclosure.objects.get(lead=lead, reference=export.reference)
    assert disclosure.recipient_names == [settings.FHIR_EXPORT_RECIPIENT]
    assert disclosure.channel == f"FHIR export (sent by staff user #{staff['avery'].pk})"
    assert disclosure.consent_reference == lead.handoff_consents.get().reference
    assert "Insurance and the benefits the payer stated" in disclosure.what
    assert not any(value in disclosure.what for value in PHI)
    page = client.get(lead.get_absolute_url()).content.decode()
    assert f"FHIR export (sent by staff user #{staff['avery'].pk}) ({export.reference})" in page
    assert "Sent by staff" in page and "avery" in page
    assert not any(value in caplog.text for value in PHI)


def test_a_second_export_updates_the_same_records_rather_than_adding_others(staff, client, fhir_server):
    lead = everything(staff["avery"])
    client.force_login(staff["avery"])

    for _ in range(2):
        client.post(reverse("handoff:send", args=[lead.pk]))
        RecordExport.objects.deliver_due()

    first, second = fhir_server.bundles
    assert [e["request"]["url"] for e in first["entry"]] == [e["request"]["url"] for e in second["entry"]]
    assert Disclosure.objects.filter(lead=lead, channel__startswith="FHIR export").count() == 2


def test_a_receiver_that_finds_the_signature_wrong_refuses_it_and_the_export_fails(staff, fhir_server, settings):
    lead = admitted_lead()
    consent(lead, staff["avery"])
    settings.FHIR_EXPORT_SIGNING_KEY = "a-key-the-receiver-does-not-have"
    RecordExport.objects.queue(lead, how=RecordExport.How.BY_STAFF, by=staff["avery"])

    RecordExport.objects.deliver_due()

    export = RecordExport.objects.get()
    assert export.status == ClosableStatus.FAILED and export.attempts == 1
    assert export.last_error == "The clinical record system refused the record: HTTP 401."
    assert fhir_server.bundles == [] and len(fhir_server.requests) == 1
    # It reached the receiver, refused or not: the accounting says so.
    assert Disclosure.objects.filter(lead=lead, reference=export.reference).count() == 1


def test_an_outage_is_retried_until_the_record_is_taken(staff, fhir_server):
    lead = everything(staff["avery"])
    fhir_server.answer_next = [503]
    RecordExport.objects.queue(lead, how=RecordExport.How.BY_STAFF, by=staff["avery"])

    RecordExport.objects.deliver_due()

    export = RecordExport.objects.get()
    assert export.status == ClosableStatus.PENDING and export.due_at > timezone.now()
    assert export.last_error == "The clinical record system answered HTTP 503, a temporary error."
    due_now()
    RecordExport.objects.deliver_due()
    export.refresh_from_db()
    assert export.status == ClosableStatus.SENT and export.attempts == 2 and len(fhir_server.bundles) == 1
    assert Disclosure.objects.filter(lead=lead, reference=export.reference).count() == 1


def test_an_outage_that_outlasts_the_tries_fails_the_export(staff, fhir_server, settings):
    settings.FHIR_EXPORT_MAX_ATTEMPTS = 2
    lead = admitted_lead()
    consent(lead, staff["avery"])
    fhir_server.answer_next = [503, 502]
    RecordExport.objects.queue(lead, how=RecordExport.How.BY_STAFF, by=staff["avery"])

    RecordExport.objects.deliver_due()
    due_now()
    RecordExport.objects.deliver_due()

    export = RecordExport.objects.get()
    assert export.status == ClosableStatus.FAILED and export.attempts == 2 and fhir_server.bundles == []


def test_it_sends_the_record_by_itself_when_the_person_is_admitted(staff, fhir_server):
    lead = admitted_lead(status=LeadStatus.ADMISSION_SCHEDULED)
    consent(lead, staff["avery"])

    lead.close(
        OutcomeFacts(status=LeadStatus.ADMITTED, admitted_on=timezone.localdate(), level_of_care=LevelOfCare.DETOX),
        by=staff["avery"],
    )
    RecordExport.objects.deliver_due()

    export = RecordExport.objects.get()
    assert export.how == RecordExport.How.ON_ADMISSION and export.status == ClosableStatus.SENT
    assert export.requested_by == staff["avery"]
    (stored,) = fhir_server.bundles
    assert stored["entry"][0]["request"]["url"].endswith(f"|{lead.reference}")
    assert Disclosure.objects.get(lead=lead).channel == "FHIR export (sent on admission)"


def test_nothing_is_queued_on_admission_without_an_address_or_a_consent(staff, settings):
    settings.FHIR_EXPORT_URL = ""
    configured_off = admitted_lead(status=LeadStatus.ADMISSION_SCHEDULED)
    consent(configured_off, staff["avery"])
    facts = OutcomeFacts(status=LeadStatus.ADMITTED, admitted_on=timezone.localdate(), level_of_care=LevelOfCare.DETOX)
    configured_off.close(facts, by=staff["avery"])
    settings.FHIR_EXPORT_URL = "http://127.0.0.1:9/fhir"
    unconsented = admitted_lead(status=LeadStatus.ADMISSION_SCHEDULED)
    unconsented.close(facts, by=staff["avery"])

    assert not RecordExport.objects.exists()


def test_it_keeps_no_copy_of_what_it_sent_only_counts_and_a_digest(staff, fhir_server):
    lead = everything(staff["avery"])
    RecordExport.objects.queue(lead, how=RecordExport.How.BY_STAFF, by=staff["avery"])
    RecordExport.objects.deliver_due()

    stored = json.dumps([list(row.values()) for row in RecordExport.objects.values()], default=str)
    assert not any(value in stored for value in PHI)


def test_an_address_without_a_signing_key_is_an_error_at_start_up(settings):
    settings.FHIR_EXPORT_URL, settings.FHIR_EXPORT_SIGNING_KEY = "https://ehr.example/fhir", ""
    assert [error.id for error in export_signed(None)] == ["handoff.E001"]
    settings.FHIR_EXPORT_SIGNING_KEY = "shared"
    assert export_signed(None) == []
