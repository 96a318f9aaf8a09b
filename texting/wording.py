"""The words Lantern itself puts in a text, and the check on the words staff write.

A text is read on a lock screen, over a shoulder, by whoever shares the phone: what we write names
no condition, substance or treatment, and is signed with DISCREET_SENDER_NAME, not the centre's
name, unless the person chose plain words. Every first message of a conversation says how to stop.

Everything Lantern writes to the person is in their language (`lead.language`): each function takes
it and renders under translation.override. A Spanish text names STOP beside ALTO: STOP is the word
every carrier and provider honours, ALTO the one we honour ourselves (texting.keywords).
"""

import re

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

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
    # The same in Spanish (stems chosen not to catch everyday words: "sobrio" but not "sobrino",
    # "seguro médico" but not "seguro", "bebida" but not "bebé").
    "adicci",
    "adict",
    "bebid",
    "beber",
    "borrach",
    "drog",
    "opiáce",
    "opiace",
    "heroín",
    "fentanil",
    "metanfet",
    "cocaín",
    "sustanc",
    "desintox",
    "rehabilit",
    "recuperaci",
    "tratamient",
    "abstinenc",
    "sobredosi",
    "sobrio",
    "sobria",
    "sobriedad",
    "recaíd",
    "recaid",
    "clínic",
    "terapi",
    "terapé",
    "consejer",
    "psiquiátr",
    "psicólog",
    "psicolog",
    "metadona",
    "buprenorf",
    "naloxona",
    "internamient",
    "internaci",
    "trastorn",
    "hospitaliz",
    "residencial",
    "admisi",
    "diagnós",
    "seguro médico",
    "seguro medico",
    "aseguradora",
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


def opt_out_line(language: str = "en") -> str:
    with translation.override(language):
        return _("Reply STOP to opt out.")


def signed(text: str, *, first: bool, language: str = "en") -> str:
    """A text as it leaves: signed with the discreet sender name, and, on the first message of a
    conversation, the opt-out line in the person's language (unless the writer put it in already)."""
    sender = settings.DISCREET_SENDER_NAME
    body = text.strip()
    if not body.lower().startswith(sender.lower()):
        body = f"{sender}: {body}"
    line = opt_out_line(language)
    if first and line.lower() not in body.lower():
        body = f"{body} {line}"
    return body


def first_text(lead_request, at=None, *, language: str | None = None) -> str:
    """Right after a request, in the language of the page the person used: we have it, who will call
    and from which number, and when (the same promise as the thank-you page, as of `at`: a text held
    through the night says "today", not the "tomorrow" it would have said when written), and how to
    stop. `language`: the lead's, when staff have since corrected it."""
    moment = at or lead_request.created_at
    language = language or lead_request.language
    with translation.override(language):
        when = call_expectation(moment, best_time=lead_request.best_time, urgent=lead_request.urgent)
        return _(
            "%(sender)s: we got your request. A member of our team will call you from %(phone)s %(when)s%(period)s "
            "%(opt_out)s"
        ) % {
            "sender": settings.DISCREET_SENDER_NAME,
            "phone": display_phone(settings.CENTRE_PHONE),
            "when": when,
            "period": "" if when.endswith(".") else ".",
            "opt_out": opt_out_line(language),
        }


def stop_reply(language: str = "en") -> str:
    with translation.override(language):
        return _(
            "%(sender)s: you will get no more texts from this number. Reply START to get them again. "
            "To talk, call %(phone)s."
        ) % {"sender": settings.DISCREET_SENDER_NAME, "phone": display_phone(settings.CENTRE_PHONE)}


def start_reply(language: str = "en") -> str:
    with translation.override(language):
        return _("%(sender)s: texts from this number are back on. %(opt_out)s") % {
            "sender": settings.DISCREET_SENDER_NAME,
            "opt_out": opt_out_line(language),
        }


def help_reply(language: str = "en") -> str:
    """HELP and INFO (AYUDA): the centre's own name and phone, as the carriers require. Only ever
    sent to a number that asked who is texting it."""
    with translation.override(language):
        return _(
            "%(centre)s: to talk to us call %(phone)s. %(opt_out)s In an emergency call 911; to talk to "
            "someone now, call or text 988."
        ) % {
            "centre": settings.CENTRE_NAME,
            "phone": display_phone(settings.CENTRE_PHONE),
            "opt_out": opt_out_line(language),
        }
