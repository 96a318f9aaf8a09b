"""How soon staff hear of a request under `make bench`: alert latency at a steady rate, and how long a
burst takes to drain. Measured by outcomes only, from the visitor's POST to the fake SMTP server
accepting the staff email (bench/fakes.py logs the time of each), matched by the reference of the
lead the visitor's phone number was saved on, which the email's subject carries. How the app
delivers is not read.
"""

import time
from dataclasses import dataclass

from bench.fakes import FakeWorldProcess
from bench.stack import wait_until
from bench.visitors import Site, percentile, submit_callbacks


def emails_since(world: FakeWorldProcess, since: float) -> list[tuple[float, str]]:
    """(when, lead reference) of every email accepted since `since` (time.time())."""
    return [(when, key.rsplit("|", 1)[1]) for when, _, key in world.accepted("email") if when >= since]


def wait_for_emails(world: FakeWorldProcess, since: float, count: int, limit: float, idle: float = 30.0) -> float:
    """Wait until `count` emails have been accepted since `since`, or none has come for `idle`
    seconds, or `limit` has passed; the time the last of them was accepted (0.0 if none)."""
    started = last_change = time.monotonic()
    seen = 0
    while time.monotonic() - started < limit:
        now = len(emails_since(world, since))
        if now >= count:
            break
        if now != seen:
            seen, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > idle:
            break
        time.sleep(0.2)
    return max((when for when, _ in emails_since(world, since)), default=0.0)


@dataclass
class Latency:
    rate: float
    seconds: float
    posted: int
    taken: int
    latencies: list[float]

    @property
    def missing(self) -> int:
        return self.taken - len(self.latencies)

    def p(self, fraction: float) -> float:
        return percentile(self.latencies, fraction)


def leads_by_phone(phones: list[str]) -> dict[str, str]:
    """The reference of the lead each of `phones` (E.164) was saved on; numbers not saved are left out."""
    # Imported here: the drivers import this module before they set Django up with the stack's settings.
    from django.db import connections

    from intake.crypto import keyed_hash
    from intake.models import Lead

    connections.close_all()  # the database may have restarted since this process last asked
    by_hash = {keyed_hash(phone): phone for phone in phones}
    found = Lead.objects.filter(phone_hash__in=list(by_hash)).values_list("phone_hash", "pk")
    return {by_hash[digest]: Lead(pk=pk).reference for digest, pk in found}


def steady_latency(site: Site, world: FakeWorldProcess, rate: float = 20.0, seconds: float = 30.0) -> Latency:
    """Callbacks at a steady `rate` per second for `seconds`, each sent on schedule whatever the
    answers before it took; for each, the time from its POST to the staff email being accepted."""
    answers = submit_callbacks(site, int(rate * seconds), 16, rate=rate)
    references = leads_by_phone([a.phone for a in answers if a.status == 302])
    sent = {references[a.phone]: a.sent_at for a in answers if a.phone in references}
    since = min(sent.values(), default=time.time())
    wait_until(lambda: set(sent) <= {ref for _, ref in emails_since(world, since)}, 120, interval=0.5)
    first: dict[str, float] = {}
    for when, ref in emails_since(world, since):
        first.setdefault(ref, when)
    latencies = [first[ref] - sent_at for ref, sent_at in sent.items() if ref in first]
    return Latency(rate, seconds, len(answers), len(sent), latencies)


@dataclass
class Drain:
    posted: int
    taken: int
    burst_seconds: float
    delivered: int
    drain_seconds: float


def burst_drain(site: Site, world: FakeWorldProcess, count: int = 1000, concurrency: int = 16) -> Drain:
    """`count` callbacks as fast as `concurrency` visitors can post them; the time from the last
    answer to the last of their staff emails being accepted."""
    began = time.time()
    answers = submit_callbacks(site, count, concurrency)
    ended = max(a.sent_at + a.latency for a in answers)
    taken = sum(1 for a in answers if a.kind == "ok" and a.status == 302)
    last = wait_for_emails(world, began, taken, limit=1800)
    delivered = len({ref for _, ref in emails_since(world, began)})
    return Drain(len(answers), taken, ended - began, delivered, max(0.0, last - ended))
