"""What a text checks at the moment it goes, not when it was written or claimed: a STOP that came
in meanwhile, a report that beat our record of the send, and the opt-out line on the first text
that reached the person."""

import pytest

from intake.models import Lead
from outbox.tests.helpers import deliver
from texting import compose, wording
from texting.models import IncomingText, OutgoingText, ProviderStatus

from .helpers import JORDAN_PHONE, signed_post, text_params

pytestmark = pytest.mark.django_db


def test_a_text_claimed_before_a_stop_arrived_is_closed_unsent(sms, staff, jordan):
    jordan.claim(by=staff["avery"])
    text = compose.write_text(jordan, "Is now a good time to talk?", by=staff["avery"])
    [claimed] = OutgoingText.objects.filter(pk=text.pk).claim(10)  # the worker holds it, lead loaded
    claimed.lead  # noqa: B018 - loaded as the batch loaded it

    Lead.objects.stop_texts(JORDAN_PHONE, at=text.created_at, word="STOP")
    claimed.deliver()

    claimed.refresh_from_db()
    assert claimed.status == OutgoingText.Status.CLOSED
    assert not [r for r in sms.received("/Messages.json") if b"good+time" in r["body"]]


def test_a_report_that_beats_the_send_record_is_kept(client, sms, staff, jordan, monkeypatch):
    jordan.claim(by=staff["avery"])
    jordan.outgoing_texts.all().delete()
    text = compose.write_text(jordan, "Is now a good time to talk?", by=staff["avery"])
    original = OutgoingText.delivered

    def report_first(self):
        # The provider's "undelivered" arrives between its answer to our send and our save.
        OutgoingText.objects.filter(pk=self.pk).update(provider_status=ProviderStatus.UNDELIVERED)
        original(self)

    monkeypatch.setattr(OutgoingText, "delivered", report_first)
    deliver(text)

    text.refresh_from_db()
    assert text.provider_id and text.provider_status == ProviderStatus.UNDELIVERED


def test_a_report_posted_without_our_id_starts_no_lead(client, sms, settings):
    params = text_params(settings.SMS_FROM, "")
    params.update({"SmsStatus": "delivered", "MessageStatus": "delivered", "To": JORDAN_PHONE})
    params.pop("Body")

    assert signed_post(client, params).status_code == 200
    assert not IncomingText.objects.exists() and not Lead.objects.exists()


def test_the_opt_out_line_is_added_even_when_the_words_say_stop():
    body = wording.signed("Feel free to stop by on Monday.", first=True)
    assert body.endswith(wording.OPT_OUT_LINE)
