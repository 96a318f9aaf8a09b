"""What a text says, and to which number, is PHI: encrypted at rest, blanked by retention,
re-encrypted by key rotation, listed (never quoted) in the accounting of disclosures, and kept
out of task messages and logs."""

import datetime as dt
import logging

import pytest
from celery.signals import before_task_publish
from cryptography.fernet import Fernet

from intake.models import Disclosure, Lead, LeadStatus
from intake.retention import REMOVED, anonymise_expired
from intake.tests.helpers import raw, receive_callback, rotate_keys
from outbox.tests.helpers import deliver
from texting import compose
from texting.models import IncomingText, OutgoingText

from .helpers import JORDAN_PHONE, inbound

SECRET = "my sister Philippa drinks again"
REPLY = "Hi, we can call Philippa's sister at nine"


def stored_texts(client, staff, jordan) -> tuple[IncomingText, OutgoingText]:
    jordan.claim(by=staff["avery"])
    inbound(client, JORDAN_PHONE, SECRET)
    reply = compose.write_text(jordan, REPLY, by=staff["avery"], plain_words=True)
    return IncomingText.objects.get(), reply


@pytest.mark.django_db
def test_it_stores_words_and_numbers_only_encrypted(client, sms, staff, jordan):
    incoming, outgoing = stored_texts(client, staff, jordan)

    for model, pk in ((IncomingText, incoming.pk), (OutgoingText, outgoing.pk)):
        for column in ("body", "phone", "phone_hash"):
            stored = raw(model, column, pk)
            assert "Philippa" not in stored and "2671" not in stored, (model, column)
    assert IncomingText.objects.get().body == SECRET


@pytest.mark.django_db
def test_it_blanks_the_texts_of_a_lead_past_retention(client, sms, staff, jordan, settings, tmp_path, clock):
    settings.RETENTION_DAYS = 30
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    stored_texts(client, staff, jordan)
    Lead.objects.filter(pk=jordan.pk).update(status=LeadStatus.NOT_A_FIT, closed_at=clock.now())
    clock.set(clock.now() + dt.timedelta(days=31))

    assert anonymise_expired().leads == 1

    for text in [*IncomingText.objects.all(), *OutgoingText.objects.all()]:
        assert text.phone in (REMOVED, "") and text.body in (REMOVED, ""), text
        assert "Philippa" not in text.body
    assert not IncomingText.objects.filter(phone_hash=jordan.phone_hash).exists()


@pytest.fixture
def old_key(settings, tmp_path) -> str:
    """The key everything of this test is written under (asked for before Jordan's lead is)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return settings.FIELD_ENCRYPTION_KEYS[0]


@pytest.mark.django_db
def test_it_re_encrypts_texts_under_a_new_key(old_key, client, sms, staff, jordan, settings):
    old, new = old_key, Fernet.generate_key().decode()
    incoming, outgoing = stored_texts(client, staff, jordan)
    before = raw(IncomingText, "body", incoming.pk)

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    rotate_keys()
    settings.FIELD_ENCRYPTION_KEYS = [new]

    assert raw(IncomingText, "body", incoming.pk) != before
    assert IncomingText.objects.get().body == SECRET
    assert raw(OutgoingText, "body", outgoing.pk) != ""
    assert REPLY in OutgoingText.objects.get(pk=outgoing.pk).body


@pytest.mark.django_db
def test_it_lists_each_sent_text_in_the_accounting_of_disclosures_without_its_words(client, sms, staff, jordan):
    _, reply = stored_texts(client, staff, jordan)
    first = jordan.outgoing_texts.get(purpose="first")

    deliver(first, reply)

    listed = Disclosure.objects.filter(lead=jordan).order_by("pk")
    assert [d.reference for d in listed] == [f"T-{first.pk}", f"T-{reply.pk}"]
    for disclosure in listed:
        said = " ".join([disclosure.what, disclosure.purpose, disclosure.channel, *disclosure.recipient_names])
        assert "Philippa" not in said and "nine" not in said and JORDAN_PHONE not in said
    assert all("names no condition or treatment" in d.what for d in listed)


@pytest.mark.django_db
def test_it_wakes_the_worker_with_a_label_only_and_logs_no_words_or_numbers(
    client, sms, staff, jordan, caplog, django_capture_on_commit_callbacks
):
    published = []

    def keep(sender=None, body=None, headers=None, **kwargs):
        published.append(repr(body) + repr(headers))

    caplog.set_level(logging.DEBUG)
    before_task_publish.connect(keep, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _, reply = stored_texts(client, staff, jordan)
        deliver(reply)
        inbound(client, JORDAN_PHONE, "STOP")
    finally:
        before_task_publish.disconnect(keep)

    assert reply.status == OutgoingText.Status.SENT
    assert any("texting.outgoingtext" in message for message in published)
    everything = "\n".join([*published, caplog.text, *(repr(r.args) for r in caplog.records)])
    for secret in ("Philippa", "sister", JORDAN_PHONE, "415) 555", "555-2671"):
        assert secret not in everything, secret


@pytest.mark.django_db
def test_it_moves_the_texts_with_a_merged_lead(client, sms, staff, jordan, visitor_data):
    incoming, outgoing = stored_texts(client, staff, jordan)
    keeper = receive_callback({**visitor_data, "phone": "+14155550123", "ok_to_text": ""})

    jordan.merge_into(keeper, by=staff["sam"], reason="the same person, another phone")

    assert set(keeper.incoming_texts.all()) == {incoming}
    assert outgoing in set(keeper.outgoing_texts.all())
    assert not IncomingText.objects.filter(lead=jordan).exists()
