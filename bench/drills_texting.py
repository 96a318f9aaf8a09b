"""The texting drills of `make drills` (issue 19): the SMS provider down for a minute while visitors
ask for calls with texts allowed, and a flood of inbound texts at the webhook. Judged by outcomes:
what the fake Twilio accepted (each text once, none lost), what the database stored once, and how
the webhook and the site answered.
"""

import datetime as dt
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from bench.drill_harness import STAFF_EMAIL, DrillTimeout, Harness, Result, close_db, kinds, not_taken, time_limit
from bench.fakes import FakePhone
from bench.stack import wait_until
from bench.visitors import Answer, Visitor, percentile, write_answers

PROVIDER_OUTAGE = 60  # seconds the SMS provider answers every text with 500
CALLBACKS = 30  # visitors who allow texts, evenly over the outage
DRAIN_BOUND = 180.0  # seconds after the provider recovers until every text and SMS alert is in
QUIET = 20.0  # then this long without a new acceptance, so that a copy sent twice shows

FLOOD_NUMBERS = 200
FLOOD_PER_NUMBER = 10  # 2,000 inbound texts
FLOOD_CONCURRENCY = 16  # the provider's webhook posts at once
REPLAY_EVERY = 20  # every 20th text is posted again with its MessageSid, as Twilio retries a webhook
STOP_EVERY = 10  # every 10th number ends with two opt-out words (the second must not be answered)
DANGER_EVERY = 40  # every 40th number (from the 6th) says it is in danger once
ALERT_BOUND = 180.0  # seconds after the flood until every staff alert is sent

WORKER_MOBILE = "+13125550101"
TOKEN = "drill-auth-token"  # noqa: S105 - the fake account of a throwaway stack
CENTRE_NUMBER = "+13125550100"
ACCOUNT = "ACdrill" + "0" * 27


def sms_env(harness: Harness) -> dict:
    """The stack texts through the fake Twilio and takes its webhooks, at any hour: the quiet hours
    are moved to one minute hours away from the drill, so no text is held for the morning."""
    far = dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)
    return {
        "SMS_PROVIDER": "twilio",
        "SMS_API_BASE": harness.env["CHAT_WEBHOOK_URL"].rsplit("/hooks/", 1)[0],
        "SMS_ACCOUNT_SID": ACCOUNT,
        "SMS_AUTH_TOKEN": TOKEN,
        "SMS_FROM": CENTRE_NUMBER,
        "CENTRE_HOURS": "24/7",
        "TEXT_QUIET_HOURS": f"{far:%H:%M}-{far + dt.timedelta(minutes=1):%H:%M}",
    }


# --- sms-provider-down ----------------------------------------------------------------------------


def drill_sms_provider_down(harness: Harness, result: Result) -> None:
    """The fake Twilio answers every text with 500 for 60 s while 30 visitors ask for a call with
    texts allowed, evenly over the minute; the on-duty admissions worker is alerted by email and by
    text (SMS), and the team chat. Then the provider takes texts again. Every visitor's first text
    and every SMS alert must be accepted exactly once afterwards, with the production retry policy
    (DELIVERY_RETRY_BASE_SECONDS 30, doubling)."""
    with harness.stack(result.name, env=sms_env(harness)) as stack, time_limit(PROVIDER_OUTAGE + DRAIN_BOUND + 300):
        alert_by_text()
        visitor = Visitor(stack.site)
        stack.sinks.refuse_texts(True)
        began, outage_began = time.monotonic(), time.time()
        answers: list[Answer] = []
        for n in range(CALLBACKS):
            time.sleep(max(0.0, began + n * PROVIDER_OUTAGE / CALLBACKS - time.monotonic()))
            answers.append(visitor.callback(ok_to_text="on"))
        write_answers(stack.logdir / "answers.tsv", answers)
        time.sleep(max(0.0, began + PROVIDER_OUTAGE - time.monotonic()))
        stack.sinks.refuse_texts(False)
        recovered = time.time()

        refused = not_taken(answers)
        refs = lead_references([a.phone for a in answers])
        result.check(
            f"all {CALLBACKS} callbacks thanked and saved",
            not refused and len(refs) == CALLBACKS,
            f"{len(answers) - len(refused)} thanked ({kinds(answers)}), {len(refs)} saved",
        )
        if not refs:
            raise DrillTimeout("no callback was saved: nothing to follow")
        first_texts = set(refs)  # one to each visitor's number
        alerts = {f"{WORKER_MOBILE}|{ref}" for ref in refs.values()}

        def sms_accepted() -> Counter:
            return Counter(key.split("|", 1)[0] if key.split("|", 1)[0] in first_texts else key
                           for _, _, key in stack.sinks.accepted("sms"))  # fmt: skip

        wait_until(lambda: first_texts | alerts <= set(sms_accepted()), DRAIN_BOUND, interval=1)
        settle_texts(stack.sinks, QUIET)
        accepted = sms_accepted()
        rows = stack.sinks.accepted("sms")
        during = [when for when, _, _ in rows if when < recovered]
        check_once(result, "every visitor's first text accepted exactly once after the outage", first_texts, accepted)
        check_once(result, "every SMS alert to the admissions worker accepted exactly once", alerts, accepted)
        result.check("no text accepted while the provider was down", not during, f"{len(during)} accepted")
        counts = outbox_statuses()
        result.check(
            "no text or alert row left failed or unsent",
            not (counts["texts"].keys() - {"sent"} or counts["alerts"].keys() - {"sent"}),
            f"texts: {status_line(counts['texts'])}; alerts: {status_line(counts['alerts'])}",
        )
        expected_last = max((when for when, _, key in rows if key.split("|", 1)[0] in first_texts or key in alerts),
                            default=recovered)  # fmt: skip
        result.check(
            f"everything waiting is accepted within {DRAIN_BOUND:.0f} s of the provider's recovery",
            expected_last - recovered <= DRAIN_BOUND,
            f"the last {expected_last - recovered:.0f} s after recovery",
        )
        refusals = [when for when, _, _, _ in stack.sinks.messages("refused") if when >= outage_began]
        result.figure("outage", f"{PROVIDER_OUTAGE} s of HTTP 500 to every text; {CALLBACKS} callbacks over it")
        result.figure(
            "texts written / accepted",
            f"{sum(counts['texts'].values())} first texts written, {len(first_texts & set(accepted))} accepted, "
            f"{sum(n - 1 for k, n in accepted.items() if k in first_texts and n > 1)} duplicates",
        )
        result.figure(
            "SMS alerts",
            f"{len(alerts & set(accepted))}/{len(alerts)} accepted, "
            f"{sum(n - 1 for k, n in accepted.items() if k in alerts and n > 1)} duplicates",
        )
        result.figure("tries refused by the provider (500)", str(len(refusals)))
        result.figure("time to drain after recovery", f"{expected_last - recovered:.0f} s")
        reports = stack.sinks.reports()
        result.figure(
            "delivery reports posted back (signed)",
            f"{len(reports)}, answered "
            + ", ".join(
                f"{n}× {code}" for code, n in Counter(what.split()[-1] for _, _, what in reports).most_common()
            ),  # fmt: skip
        )


def alert_by_text() -> None:
    """The seeded on-duty admissions worker chose texts as well as email for alerts."""
    from intake.models import StaffProfile

    close_db()
    StaffProfile.objects.filter(user__email=STAFF_EMAIL).update(
        mobile=WORKER_MOBILE, notify_by_sms=True, notify_by_email=True
    )
    close_db()


def check_once(result: Result, target: str, expected: set[str], accepted: Counter) -> None:
    once = sum(1 for key in expected if accepted[key] == 1)
    missing = sum(1 for key in expected if not accepted[key])
    doubled = sum(1 for key in expected if accepted[key] > 1)
    result.check(target, once == len(expected), f"{once}/{len(expected)} once, {missing} missing, {doubled} doubled")


def settle_texts(sinks, quiet: float) -> None:
    count = len(sinks.accepted("sms"))
    while True:
        time.sleep(quiet)
        now = len(sinks.accepted("sms"))
        if now == count:
            return
        count = now


def lead_references(phones: list[str]) -> dict[str, str]:
    from bench.alerts import leads_by_phone

    close_db()
    return leads_by_phone([p for p in phones if p])


def outbox_statuses() -> dict[str, dict[str, int]]:
    from django.db.models import Count

    from intake.models import Notification
    from texting.models import OutgoingText

    close_db()

    def by_status(rows) -> dict[str, int]:
        return dict(rows.values("status").annotate(n=Count("pk")).values_list("status", "n"))

    texts, alerts = OutgoingText.objects.all(), Notification.objects.filter(channel="sms")
    return {"texts": by_status(texts), "alerts": by_status(alerts)}


def status_line(rows: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(rows.items())) or "none"


# --- sms-inbound-flood ------------------------------------------------------------------------------


def flood_messages() -> list[tuple[str, str, str]]:
    """(number, words, MessageSid) of the flood: ten texts from each of 200 numbers, as people text
    (several in a row, many people at once: blocks of 20 numbers, each block's texts shuffled);
    every 10th number ends with STOP twice (in two spellings), a few say they are in danger; every
    20th text is posted again with the same MessageSid soon after, as Twilio retries a webhook."""
    rng = random.Random(19)
    messages = []
    for block in range(0, FLOOD_NUMBERS, 20):
        texts = []
        for i in range(block, block + 20):
            number = f"+1773555{1000 + i:04d}"
            words = [f"Drill text {k} from number {i}: can you call me later?" for k in range(FLOOD_PER_NUMBER)]
            if i % STOP_EVERY == 0:
                words[-2:] = ["STOP", " stop! "]
            if i % DANGER_EVERY == 5:
                words[3] = "I don't want to live anymore"
            texts += [(number, text, f"SM{rng.getrandbits(128):032x}") for text in words]
        rng.shuffle(texts)
        messages += texts
    flood = list(messages)
    for n, replay in enumerate(messages[::REPLAY_EVERY]):
        flood.insert(min(len(flood), (n + 1) * REPLAY_EVERY + 5 + n), replay)
    return flood


def drill_sms_inbound_flood(harness: Harness, result: Result) -> None:
    """2,000 signed inbound texts from 200 numbers posted to POST /sms/inbound/ as fast as 16
    connections at once allow, with 100 of them posted again with the same MessageSid (Twilio
    retrying a webhook), 20 numbers ending with STOP twice and 5 numbers saying they are in danger.
    Meanwhile a visitor reads the home page and an article. Each unique text must be stored once,
    each STOP answered once, staff alerts coalesced (one routine alert per lead while one is waiting),
    danger alerting urgently, and the webhook answering without errors."""
    with harness.stack(result.name, env=sms_env(harness)) as stack, time_limit(900):
        flood = flood_messages()
        phone = FakePhone(stack.app.base, auth_token=TOKEN, to=CENTRE_NUMBER, account_sid=ACCOUNT)
        answers: list[tuple[float, int]] = []
        lock = threading.Lock()

        def post(message: tuple[str, str, str]) -> None:
            started = time.monotonic()
            status = phone.send(message[0], message[1], sid=message[2])
            with lock:
                answers.append((time.monotonic() - started, status))

        stop, pages = threading.Event(), []
        reader = threading.Thread(target=read_pages, args=(stack.site, stop, pages))
        reader.start()
        began = time.monotonic()
        try:
            with ThreadPoolExecutor(FLOOD_CONCURRENCY) as pool:
                list(pool.map(post, flood))
        finally:
            stop.set()
            reader.join()
        burst = time.monotonic() - began
        flood_over = time.time()

        latencies = [seconds for seconds, _ in answers]
        errors = Counter(status for _, status in answers if status != 200)
        result.check(
            f"every one of the {len(flood):,} webhook posts answered 200",
            not errors and len(answers) == len(flood),
            f"{len(answers) - sum(errors.values()):,} answered 200"
            + (f"; {', '.join(f'{n}× HTTP {s}' for s, n in errors.items())}" if errors else ""),
        )
        unique = {sid: (number, words) for number, words, sid in flood}
        stored = stored_texts()
        result.check(
            "every unique text stored exactly once (replays not again)",
            stored["ids"] == set(unique) and stored["rows"] == len(unique),
            f"{stored['rows']:,} rows for {len(unique):,} unique texts; {len(flood) - len(unique)} replays posted",
        )
        stop_numbers = {number for number, words in unique.values() if words.strip().upper().strip("!") == "STOP"}

        wait_until(lambda: alerts_settled(), ALERT_BOUND, interval=1)
        settle_texts(stack.sinks, 10.0)
        replies = Counter(key.split("|", 1)[0] for _, _, key in stack.sinks.accepted("sms"))
        once = sum(1 for number in stop_numbers if replies[number] == 1)
        others = sum(n for number, n in replies.items() if number not in stop_numbers)
        stopped = stopped_numbers(stop_numbers)
        result.check(
            "each number that sent STOP (twice) is stopped and answered exactly once",
            once == len(stop_numbers) and stopped == len(stop_numbers) and not others,
            f"{once}/{len(stop_numbers)} answered once, {stopped} stopped, {others} texts to other numbers",
        )
        alerts = alert_figures()
        result.check(
            "routine text alerts coalesced: never a second one queued while one waits for the same person",
            alerts["overlapping"] == 0 and alerts["routine alerts"] > 0,
            f"{alerts['overlapping']} queued while another waited; {alerts['routine alerts']:,} routine text alerts "
            f"for {alerts['routine texts']:,} texts on existing leads, to {alerts['recipients']} recipients "
            f"(per lead p50 {alerts['per lead p50']}, max {alerts['per lead max']})",
        )
        result.check(
            "every number that mentioned danger made its lead urgent and alerted urgently",
            alerts["danger leads urgent"] == alerts["danger leads"] > 0,
            f"{alerts['danger leads urgent']}/{alerts['danger leads']} urgent with an urgent alert sent",
        )
        result.check(
            "every staff alert sent, none failed",
            alerts["alert statuses"].keys() <= {"sent"},
            status_line(alerts["alert statuses"]),
        )
        page_errors = [a for a in pages if a.status != 200]
        result.check(
            "the site's other pages kept answering during the flood",
            pages and not page_errors,
            f"{len(pages) - len(page_errors)}/{len(pages)} pages answered 200, "
            f"p95 {percentile([a.latency for a in pages], 0.95):.2f} s",
        )
        result.figure(
            "webhook latency",
            f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms",
        )
        result.figure("burst", f"{len(flood):,} posts in {burst:.0f} s ({len(flood) / burst:.0f}/s), "
                               f"{FLOOD_CONCURRENCY} at once")  # fmt: skip
        result.figure("leads", f"{alerts['leads']} (one per number that sent more than an opt-out word)")
        result.figure("alerts accepted after the flood", f"{alerts_after(stack.sinks, flood_over)}")


def read_pages(site, stop: threading.Event, pages: list[Answer]) -> None:
    """A visitor reading the site while the flood goes on."""
    from bench.drill_harness import ARTICLE_SLUG

    while not stop.is_set():
        for path in ("/", f"/articles/{ARTICLE_SLUG}/"):
            answer, _, _ = site.request("GET", path)
            pages.append(answer)
        stop.wait(0.5)


def stored_texts() -> dict:
    from texting.models import IncomingText

    close_db()
    ids = set(IncomingText.objects.values_list("provider_id", flat=True))
    return {"rows": IncomingText.objects.count(), "ids": ids}


def alerts_settled() -> bool:
    from intake.models import Notification
    from texting.models import OutgoingText

    close_db()
    busy = ("pending", "sending")
    alerts, texts = Notification.objects.filter(status__in=busy), OutgoingText.objects.filter(status__in=busy)
    return not (alerts.exists() or texts.exists())


def stopped_numbers(numbers: set[str]) -> int:
    from intake.crypto import keyed_hash
    from intake.models.text_stops import TextStop

    close_db()
    return TextStop.objects.filter(phone_hash__in=[keyed_hash(n) for n in numbers]).count()


def alert_figures() -> dict:
    """What the database says of the leads the flood made and the alerts they raised."""
    from django.db.models import Count

    from intake.models import Lead, Notification
    from texting.models import IncomingText

    close_db()
    kind = Notification.Kind.TEXT_RECEIVED
    routine = Notification.objects.filter(kind=kind, urgent=False)
    per_lead = list(routine.values("lead").annotate(n=Count("pk")).values_list("n", flat=True)) or [0]
    # Texts after the one that started a lead, neither keywords nor danger: those that may alert.
    texts_per_lead = IncomingText.objects.filter(keyword="", mentions_danger=False, lead__isnull=False).values(
        "lead").annotate(n=Count("pk")).values_list("n", flat=True)  # fmt: skip
    # A row waits from its creation until a worker first takes it (claimed) or it is closed.
    overlapping, waited_until = 0, {}
    rows = routine.filter(fallback_of__isnull=True).order_by("created_at", "pk")
    for lead, recipient, channel, created, claimed, finished in rows.values_list(
        "lead", "recipient", "channel", "created_at", "claimed_at", "finished_at"
    ):
        key = (lead, recipient, channel)
        if key in waited_until and (waited_until[key] is None or created < waited_until[key]):
            overlapping += 1
        waited_until[key] = claimed or finished
    danger_leads = set(IncomingText.objects.filter(mentions_danger=True).values_list("lead", flat=True))
    urgent_sent = set(
        Notification.objects.filter(lead__in=danger_leads, urgent=True, status="sent").values_list("lead", flat=True)
    )
    urgent = set(Lead.objects.filter(pk__in=danger_leads, urgent=True).values_list("pk", flat=True))
    return {
        "leads": Lead.objects.count(),
        "routine alerts": routine.count(),
        "routine texts": sum(max(n - 1, 0) for n in texts_per_lead),
        "overlapping": overlapping,
        "recipients": len({(recipient, channel) for _, recipient, channel in waited_until}),
        "per lead p50": int(percentile(per_lead, 0.5)),
        "per lead max": max(per_lead),
        "danger leads": len(danger_leads),
        "danger leads urgent": len(urgent & urgent_sent),
        "alert statuses": dict(
            Notification.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
        ),
    }


def alerts_after(sinks, since: float) -> str:
    rows = [(channel, what) for when, channel, _, what in sinks.messages() if when >= since and channel != "sms"]
    return ", ".join(f"{n} {what} by {channel}" for (channel, what), n in Counter(rows).most_common()) or "none"
