"""The SMS provider down for a while: texts written meanwhile wait in the outbox and each reaches
the provider exactly once when it takes texts again; none lost, none sent twice.

Run by the suite's real worker against the fake Twilio (bench/fakes.py), which answers every text
with 500 until its `fail_until`. The outage here is shorter than the first retry's wait
(DELIVERY_RETRY_BASE_SECONDS, 30 s), so every text fails once, waits, and goes on its retry: the
same mechanics as the minute-long outage of `make drills` (sms-provider-down), in under a minute.
"""

import datetime as dt
import time
from collections import Counter
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.utils import timezone

from intake.phones import normalise_phone
from intake.tests.helpers import receive_callback
from outbox.broker import nudge
from tests.support import wait_until
from texting import quiet_hours
from texting.compose import write_text
from texting.models import OutgoingText, Purpose

MESSAGES = "/Messages.json"
# Numbers in zones that cover the whole day between them: the worker keeps the default quiet hours
# (9 p.m. to 8 a.m. where the visitor is), so the test texts people for whom it is daytime now.
NUMBERS_BY_ZONE = ("+1212555{:04d}", "+1787555{:04d}", "+1808555{:04d}", "+1684633{:04d}", "+1671555{:04d}",
                   "+44207946{:04d}")  # fmt: skip


def daytime_numbers(count: int) -> list[str]:
    """`count` numbers of people for whom texts are allowed now and for the next few minutes."""
    now, later = timezone.now(), timezone.now() + dt.timedelta(minutes=3)
    for pattern in NUMBERS_BY_ZONE:
        numbers = [normalise_phone(pattern.format(100 + n)) for n in range(count)]
        if all(numbers) and all(
            quiet_hours.next_allowed(n, now) == now and quiet_hours.next_allowed(n, later) == later for n in numbers
        ):
            return numbers
    raise AssertionError("no zone in NUMBERS_BY_ZONE is in the daytime now")


def posted(inbox, status: int) -> list[tuple[str, str, str]]:
    """(number, words, the provider's id) of every text the fake provider answered with `status`."""
    forms = [(parse_qs(p["body"].decode()), p["sid"]) for p in inbox.received(MESSAGES) if p["status"] == status]
    return [(form["To"][0], form["Body"][0], sid) for form, sid in forms]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_sends_every_text_written_while_the_provider_was_down_exactly_once_afterwards(
    staff, http_inbox, mailbox, celery_worker
):
    outage = settings.DELIVERY_RETRY_BASE_SECONDS * 2 / 3
    numbers = daytime_numbers(4)
    http_inbox.fail_until = time.time() + outage

    # Four visitors allow texts (their automatic first texts), and Avery writes to two of them.
    leads = [
        receive_callback({"name": f"Visitor {n}", "phone": phone, "ok_to_text": "on"})
        for n, phone in enumerate(numbers)
    ]
    time.sleep(outage / 3)  # the worker has tried and failed meanwhile
    write_text(leads[0], "Lantern: is now a good time to call?", by=staff["avery"])
    write_text(leads[1], "Lantern: we tried to call, when suits you?", by=staff["avery"])
    texts = list(OutgoingText.objects.order_by("pk"))
    assert [t.purpose for t in texts].count(Purpose.FIRST) == 4 and len(texts) == 6

    def all_sent() -> bool:
        nudge(OutgoingText, even_if_pending=True)  # beat's safety net, which wakes the worker for retries
        return not OutgoingText.objects.exclude(status=OutgoingText.Status.SENT).exists()

    wait_until(all_sent, settings.DELIVERY_RETRY_BASE_SECONDS * 2 + 15, "every text sent")
    time.sleep(2)  # time for a copy sent twice to arrive

    refused = Counter((to, body) for to, body, _ in posted(http_inbox, 500))
    taken = {}
    for to, body, sid in posted(http_inbox, 201):
        taken.setdefault((to, body), []).append(sid)
    for text in texts:
        text.refresh_from_db()
        assert refused[text.phone, text.body] >= 1, "the text met the outage"
        assert taken[text.phone, text.body] == [text.provider_id], "the provider took it once, and we know its id"
        assert text.attempts >= 2
    assert sum(len(sids) for sids in taken.values()) == len(texts), "nothing else was sent"
