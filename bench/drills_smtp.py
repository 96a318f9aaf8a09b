"""The SMTP drills of `make drills` (issue 15): the mail provider refuses every message for twenty
minutes while callbacks arrive, one of them from someone in danger, without and with the team chat.
Judged by what the fake world accepted: who was told of each request, by what, and how soon; and
that every email waiting for the provider arrives once when it takes mail again.
"""

import os
import time
from collections import Counter

from bench.alerts import leads_by_phone
from bench.drill_harness import (
    STAFF_EMAIL,
    DrillTimeout,
    Harness,
    Result,
    close_db,
    kinds,
    not_taken,
    settle,
    time_limit,
)
from bench.stack import wait_until
from bench.visitors import Answer, Visitor, percentile, write_answers

# The length of the refusal: issue 15's twenty minutes unless a trial run asks for less.
SMTP_OUTAGE = int(os.environ.get("DRILL_SMTP_OUTAGE_SECONDS") or 1200)
CALLBACKS = 20
URGENT_AT = CALLBACKS // 2  # the request from someone in danger arrives in the middle
# The drill states the app's fallback window rather than rely on its default, so its bound is known.
FALLBACK_SECONDS = 120
URGENT_BOUND = 120.0  # seconds from the visitor's answer until a person is told of danger
ROUTINE_BOUND = FALLBACK_SECONDS + 60.0
RECOVERY_BOUND = 360.0  # seconds after the provider takes mail again until every email has arrived
QUIET = 30.0  # then this long without a new message, so that a copy sent again shows

SUPERVISOR_EMAIL = "supervisor-drill@lantern.example"
WORKER_MOBILE = "+13125550101"
SUPERVISOR_MOBILE = "+13125550102"
# Person-to-person channels; the team chat is nobody's in particular.
TO_A_PERSON = ("email", "sms")


def drill_smtp_refuse(harness: Harness, result: Result, chat: bool) -> None:
    """The fake SMTP server answers every message with 451 (try again later) for
    DRILL_SMTP_OUTAGE_SECONDS (twenty minutes) while 20 callbacks arrive, evenly over its first half;
    the 11th says someone is in danger. Staff: one on-duty admissions worker who chose email only but
    has a mobile number, one supervisor with email and mobile; texts go to a fake Twilio; the
    centre is open around the clock (CENTRE_HOURS=24/7) and NOTIFICATION_FALLBACK_SECONDS is 120.
    Then the SMTP server takes mail again."""
    http = harness.env["CHAT_WEBHOOK_URL"].rsplit("/hooks/", 1)[0]
    env = {
        "CHAT_WEBHOOK_URL": harness.env["CHAT_WEBHOOK_URL"] if chat else "",
        "SMS_PROVIDER": "twilio",
        "SMS_API_BASE": http,
        "SMS_ACCOUNT_SID": "ACdrill" + "0" * 27,
        "SMS_AUTH_TOKEN": "drill-auth-token",
        "SMS_FROM": "+13125550100",
        "CENTRE_HOURS": "24/7",
        "NOTIFICATION_FALLBACK_SECONDS": str(FALLBACK_SECONDS),
    }
    spacing = SMTP_OUTAGE / 2 / CALLBACKS
    with harness.stack(result.name, env=env) as stack, time_limit(SMTP_OUTAGE + RECOVERY_BOUND + 600):
        seed_fallback_staff()
        visitor = Visitor(stack.site)
        stack.sinks.refuse_mail(True)
        began = time.monotonic()
        answers: list[Answer] = []
        for n in range(CALLBACKS):
            time.sleep(max(0.0, began + n * spacing - time.monotonic()))
            answers.append(visitor.callback(in_danger="yes") if n == URGENT_AT else visitor.callback())
        write_answers(stack.logdir / "answers.tsv", answers)
        time.sleep(max(0.0, began + SMTP_OUTAGE - time.monotonic()))
        stack.sinks.refuse_mail(False)
        recovered = time.time()

        refused = not_taken(answers)
        refs = references(answers)
        result.check(
            f"all {CALLBACKS} callbacks thanked and saved",
            not refused and len(refs) == CALLBACKS,
            f"{len(answers) - len(refused)} thanked ({kinds(answers)}), {len(refs)} saved",
        )
        if not refs:
            raise DrillTimeout("no callback was saved: nothing to follow")
        answered_at = {refs[a.phone]: a.sent_at + a.latency for a in answers if a.phone in refs}
        urgent_ref = refs.get(answers[URGENT_AT].phone, "")
        expected_emails = {f"{STAFF_EMAIL}|{ref}" for ref in answered_at}

        def all_emails_in() -> bool:
            return expected_emails <= {key for _, _, key, what in stack.sinks.messages() if what == "new"}

        wait_until(all_emails_in, RECOVERY_BOUND + 60, interval=1)
        settle(stack.sinks, QUIET)
        messages = stack.sinks.messages()

        # Someone in danger: a person told by text or email, or the team chat (someone reads it).
        told = sorted(
            (when - answered_at[urgent_ref], channel)
            for when, channel, key, _ in messages
            if urgent_ref and key.endswith(f"|{urgent_ref}")
        )
        first_told, how = told[0] if told else (None, "")
        result.check(
            f"the request from someone in danger: a human told within {URGENT_BOUND:.0f} s",
            first_told is not None and first_told <= URGENT_BOUND,
            f"after {first_told:.0f} s, by {how}" if first_told is not None else "nobody told",
        )

        contact = first_contact(messages, answered_at, TO_A_PERSON)
        routine = {ref: contact.get(ref) for ref in answered_at if ref != urgent_ref}
        late = [ref for ref, seconds in routine.items() if seconds is None or seconds > ROUTINE_BOUND]
        reached = [s for s in routine.values() if s is not None]
        result.check(
            f"every routine request reaches a person (a text or an email accepted) within {ROUTINE_BOUND:.0f} s",
            not late,
            f"{len(routine) - len(late)}/{len(routine)} in time"
            + (f"; p50 {percentile(reached, 0.5):.0f} s, max {max(reached):.0f} s" if reached else "; none reached"),
        )

        emails = [(when, key, what) for when, channel, key, what in messages if channel == "email"]
        worker_new = Counter(key for when, key, what in emails if what == "new" and key in expected_emails)
        last_email = max((when for when, key, what in emails if key in expected_emails and what == "new"), default=0)
        once = sum(1 for key in expected_emails if worker_new[key] == 1)
        in_time = last_email and last_email - recovered <= RECOVERY_BOUND
        result.check(
            f"after SMTP recovers, every new-request email to the admissions worker accepted exactly once "
            f"within {RECOVERY_BOUND / 60:.0f} min",
            once == len(expected_emails) and bool(in_time),
            f"{once}/{len(expected_emails)} exactly once, "
            + (f"the last {last_email - recovered:.0f} s after recovery" if last_email else "none after recovery"),
        )
        copies = Counter((channel, key, what) for _, channel, key, what in messages)
        duplicated = {k: n for k, n in copies.items() if n > 1}
        result.check(
            "no alert accepted twice (same person or chat, same lead, same kind of alert)",
            not duplicated,
            f"{len(duplicated)} duplicated"
            + (
                ": " + ", ".join(f"{c} {k} ×{n}" for (c, k, _), n in list(duplicated.items())[:3]) if duplicated else ""
            ),
        )
        rows = notification_statuses()
        result.check("no alert row left failed", not rows.get("failed"), status_line(rows))

        result.figure("outage", f"{SMTP_OUTAGE} s of 451 answers; callbacks {spacing:.0f} s apart over its first half")
        everyone = [s for s in contact.values() if s is not None]
        result.figure(
            "first person told per lead (text or email)",
            f"p50 {percentile(everyone, 0.5):.0f} s, max {max(everyone):.0f} s; "
            f"{len(everyone)}/{len(answered_at)} leads"
            if everyone
            else "no lead",
        )
        result.figure("messages accepted", message_line(messages))
        result.figure("messages refused (451)", f"{len(stack.sinks.messages('refused'))} email attempts")
        after = [when for when, _, _ in emails if when >= recovered]
        result.figure(
            "emails accepted after recovery",
            f"{len(after)}" + (f", the last {max(after) - recovered:.0f} s after it" if after else ""),
        )
        if chat:
            chat_first = first_contact(messages, answered_at, ("webhook",))
            seconds = [s for s in chat_first.values() if s is not None]
            result.figure(
                "team chat",
                f"{len(seconds)}/{len(answered_at)} leads posted, max {max(seconds):.0f} s" if seconds else "none",
            )


def seed_fallback_staff() -> None:
    """The drill's people: the seeded admissions worker (email only) gets a mobile number they did
    not choose for alerts; a supervisor has email and texts."""
    from django.contrib.auth.models import User

    from intake.models import StaffProfile, ensure_staff_groups

    close_db()
    StaffProfile.objects.filter(user__email=STAFF_EMAIL).update(
        mobile=WORKER_MOBILE, notify_by_email=True, notify_by_sms=False
    )
    supervisor = User.objects.create_user("drill-supervisor", email=SUPERVISOR_EMAIL, first_name="Drill")
    supervisor.groups.add(ensure_staff_groups()["supervisor"])
    StaffProfile.objects.update_or_create(
        user=supervisor,
        defaults={"on_duty": False, "mobile": SUPERVISOR_MOBILE, "notify_by_email": True, "notify_by_sms": True},
    )
    close_db()


def references(answers: list[Answer]) -> dict[str, str]:
    return leads_by_phone([a.phone for a in answers if a.phone])


def first_contact(messages: list, answered_at: dict[str, float], channels: tuple[str, ...]) -> dict[str, float]:
    """Seconds from each lead's answer to the first message about it accepted on `channels`."""
    first: dict[str, float] = {}
    for when, channel, key, _ in messages:
        ref = key.rsplit("|", 1)[-1]
        if channel in channels and ref in answered_at and ref not in first:
            first[ref] = when - answered_at[ref]
    return first


def notification_statuses() -> dict[str, int]:
    from django.db.models import Count

    from intake.models import Notification

    close_db()
    return dict(Notification.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))


def status_line(rows: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(rows.items())) or "no rows"


def message_line(messages: list) -> str:
    by = Counter((channel, what) for _, channel, _, what in messages)
    return ", ".join(f"{n} {what} by {channel}" for (channel, what), n in sorted(by.items())) or "none"
