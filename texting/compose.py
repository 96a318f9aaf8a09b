"""A text a worker writes to the person, from the lead page: allowed only where the person allowed
texts (their request, or what they told staff on a call) and their number has not replied STOP;
in words that name no condition or treatment unless the person chose plain words; held through
the person's quiet hours, and the worker told till when."""

from django.contrib.auth.models import User
from django.utils import timezone

from intake.consent import may_contact
from intake.models import Lead, WorkflowError

from . import quiet_hours, wording
from .models import LONGEST_TEXT, OutgoingText, Purpose


def refusal(lead: Lead) -> str:
    """Why no text may be written to this person now, in words for the worker; "" when it may."""
    if lead.is_anonymised:
        return "This lead's details were removed; nothing can be sent."
    if lead.texts_stopped_at:
        when = timezone.localtime(lead.texts_stopped_at)
        hour = f"{when:%I:%M}".lstrip("0") + (" a.m." if when.hour < 12 else " p.m.")
        return (
            f"The person's number replied STOP on {when:%b} {when.day} at {hour}: no texts until it "
            "replies START. Call them instead."
        )
    if not may_contact(lead, "text"):
        return (
            "The person did not allow texts. Call them; if they say texts are fine, record it under "
            "“What the person said about texts and voicemail”."
        )
    return ""


def write_text(lead: Lead, body: str, *, by: User, plain_words: bool = False, template: str = "") -> OutgoingText:
    """Queue the worker's text (signed, with the opt-out line on a conversation's first message).
    Raises WorkflowError, in words for the worker, when it may not go."""
    body = " ".join(body.split())
    if not body:
        raise WorkflowError("Write the text first.")
    with lead.worked_by(by):
        if reason := refusal(lead):
            raise WorkflowError(reason)
        if not lead.is_open:
            raise WorkflowError("This lead is closed; reopen it before texting the person.")
        named = wording.telling_words(body)
        if named and not plain_words:
            raise WorkflowError(
                f"This text names {', '.join(repr(w) for w in named)}: anyone holding the phone can read it. "
                "Rephrase it, or tick that the person asked for plain words."
            )
        first = not OutgoingText.objects.conversation_started(lead.phone)
        final = wording.signed(body, first=first, language=lead.language)
        if len(final) > LONGEST_TEXT:
            raise WorkflowError(f"This text is too long: keep it under {LONGEST_TEXT - 60} characters.")
        return OutgoingText.objects.write(
            lead, final, purpose=Purpose.STAFF, by=by, plain_words=bool(named and plain_words), template=template
        )


def held_message(text: OutgoingText) -> str:
    """What the worker is told about a text held for the person's quiet hours, or ""."""
    if not text.held_until:
        return ""
    now = timezone.now()
    return (
        f"It is {quiet_hours.visitor_clock(text.phone, now)} {quiet_hours.zone_words(text.phone)} for the "
        f"person: the text is held and goes at {quiet_hours.visitor_clock(text.phone, text.held_until)} their time."
    )
