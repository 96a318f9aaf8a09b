"""The words Lantern itself puts in a text, and the check on the words staff write.

A text is read on a lock screen, over a shoulder, by whoever shares the phone: what we write names
no condition, substance or treatment, and is signed with DISCREET_SENDER_NAME, not the centre's
name, unless the person chose plain words. Every first message of a conversation says how to stop.
"""

import re

from django.conf import settings

from intake.phones import display_phone
from intake.timing import call_expectation

OPT_OUT_LINE = "Reply STOP to opt out."

# Words that would tell a reader what the text is about. Matched on word starts ("detoxing",
# "alcoholic"); the centre's own name is added when it says what it is ("... Recovery Center").
TELLING_WORDS = (
    "addict",
    "alcohol",
    "drink",
    "drug",
    "opioid",
    "opiate",
    "heroin",
    "fentanyl",
    "meth",
    "cocaine",
    "benzo",
    "substance",
    "detox",
    "rehab",
    "recovery",
    "treatment",
    "withdraw",
    "overdos",
    "sober",
    "relapse",
    "clinic",
    "therap",
    "counsel",
    "mental",
    "psychiatr",
    "methadone",
    "suboxone",
    "buprenorphine",
    "naloxone",
    "narcan",
    "inpatient",
    "residential",
    "admission",
    "diagnos",
    "insurance",
    "medicaid",
)
_TELLING = re.compile(r"\b(" + "|".join(TELLING_WORDS) + r")", re.IGNORECASE)


def telling_words(text: str) -> list[str]:
    """The words in `text` that name a condition, substance or treatment (or the centre), each once."""
    found = dict.fromkeys(match.group(0).lower() for match in _TELLING.finditer(text))
    centre = settings.CENTRE_NAME.strip()
    if (
        centre
        and centre.casefold() != settings.DISCREET_SENDER_NAME.casefold()
        and centre.casefold() in text.casefold()
    ):
        found[centre] = None
    return list(found)


def signed(text: str, *, first: bool) -> str:
    """A text as it leaves: signed with the discreet sender name, and, on the first message of a
    conversation, the opt-out line (unless the writer put it in already)."""
    sender = settings.DISCREET_SENDER_NAME
    body = text.strip()
    if not body.lower().startswith(sender.lower()):
        body = f"{sender}: {body}"
    if first and OPT_OUT_LINE.lower() not in body.lower():
        body = f"{body} {OPT_OUT_LINE}"
    return body


def first_text(lead_request, at=None) -> str:
    """Right after a request: we have it, who will call and from which number, and when (the same
    promise as the thank-you page, as of `at`: a text held through the night says "today", not the
    "tomorrow" it would have said when written), and how to stop."""
    moment = at or lead_request.created_at
    when = call_expectation(moment, best_time=lead_request.best_time, urgent=lead_request.urgent)
    phone = display_phone(settings.CENTRE_PHONE)
    return (
        f"{settings.DISCREET_SENDER_NAME}: we got your request. A member of our team will call you from "
        f"{phone} {when}{'' if when.endswith('.') else '.'} {OPT_OUT_LINE}"
    )


def stop_reply() -> str:
    return (
        f"{settings.DISCREET_SENDER_NAME}: you will get no more texts from this number. "
        f"Reply START to get them again. To talk, call {display_phone(settings.CENTRE_PHONE)}."
    )


def start_reply() -> str:
    return f"{settings.DISCREET_SENDER_NAME}: texts from this number are back on. {OPT_OUT_LINE}"


def help_reply() -> str:
    """HELP and INFO: the centre's own name and phone, as the carriers require. Only ever sent to a
    number that asked who is texting it."""
    return (
        f"{settings.CENTRE_NAME}: to talk to us call {display_phone(settings.CENTRE_PHONE)}. "
        f"{OPT_OUT_LINE} In an emergency call 911; to talk to someone now, call or text 988."
    )
