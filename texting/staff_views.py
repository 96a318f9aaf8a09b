"""The conversation with the person on the staff lead page, and the text a worker writes there.

GET /staff/leads/<id>/texts/ is the page's live poll: 204 (nothing read, nothing audited) while the
conversation is as the page last showed it, else the list, which is an audited access and marks
the person's texts read. POST on the same path writes a text (texting.compose). Every render of the
conversation, on the lead page (texting.templatetags.conversation) or here, goes through
`shown_conversation`: one audit row naming the lead (no words, no number) whenever a text is shown.
"""

import datetime as dt
import hashlib
import re

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from intake.audit import record_access
from intake.models import Lead, WorkflowError, staff_name
from intake.permissions import admissions_required

from . import compose, quiet_hours
from .forms import LONGEST_TYPED, TextForm
from .models import IncomingText, OutgoingText, Purpose, conversation

# A text that mentions danger raises the crisis protocol over the conversation for this long: long
# enough for every worker who opens the lead that day, not forever over a person who is safe now.
# The text itself keeps its "Mentions danger" mark.
DANGER_SHOWN_FOR = dt.timedelta(hours=24)

KEYWORD_DID = {
    IncomingText.Keyword.STOP: "Opt-out word: texts to this number stopped until it replies START.",
    IncomingText.Keyword.START: "Opt-in word: texts to this number are back on.",
    IncomingText.Keyword.HELP: "Help word: Lantern answered with the centre's name and phone.",
}

_ERROR_CODE = re.compile(r"error code (\d{1,8})")


def _lead_or_404(lead_id: int) -> Lead:
    return get_object_or_404(Lead.objects.select_related("assigned_to", "merged_into"), pk=lead_id)


@admissions_required
@require_http_methods(["GET", "POST"])
def texts(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(lead_id)
    if request.method == "POST":
        return _send(request, lead)
    after = request.GET.get("after", "")
    if after and after == conversation_marker(lead):
        return HttpResponse(status=204)
    return render(request, "texting/_conversation_list.html", shown_conversation(request, lead))


def _send(request: HttpRequest, lead: Lead) -> HttpResponse:
    form = TextForm(request.POST, lead=lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            text = compose.write_text(
                lead, data["body"], by=request.user, plain_words=data["plain_words"], template=form.template_slug
            )
        except WorkflowError as exc:
            # Nothing was saved (write_text's one transaction): the worker keeps what they typed.
            form.add_error("body", str(exc))
        else:
            messages.success(request, compose.held_message(text) or "Text queued.")
            return redirect(f"{lead.get_absolute_url()}#conversation")
    return render(request, "texting/write.html", {"lead": lead, "form": form}, status=400)


# --- What the conversation shows ---------------------------------------------------------------


def conversation_marker(lead: Lead) -> str:
    """A fingerprint of what the conversation shows (which texts, each of ours in which state),
    read without decrypting anything. The page sends back the one it was given; an equal one means
    there is nothing new to show. Equality, not "newer than": a text committed after a later one
    (two webhooks at once) is still seen."""
    incoming = list(IncomingText.objects.filter(lead=lead).order_by("pk").values_list("pk", flat=True))
    outgoing = list(
        OutgoingText.objects.filter(lead=lead)
        .order_by("pk")
        .values_list("pk", "status", "attempts", "provider_status", "held_until")
    )
    return hashlib.sha256(repr((incoming, outgoing)).encode()).hexdigest()[:20]


def shown_conversation(request: HttpRequest, lead: Lead) -> dict:
    """Everything the conversation's list needs, read for `request.user`: an audited access when
    there is a text to show, and the person's texts marked read once shown (the ones unread until
    now marked "New")."""
    marker = conversation_marker(lead)  # before reading: a text arriving in between is shown next time too
    now = timezone.now()
    texts = conversation(lead)
    if texts:
        # "No texts yet" shows nobody's words: the lead page's own entry covers that page.
        record_access(request, lead, label=f"{lead.reference} texts viewed", lead_id=lead.pk)
    for text in texts:
        describe(text, now)
    IncomingText.objects.mark_read(lead, by=request.user)
    danger = any(t.incoming and t.mentions_danger and now - t.received_at < DANGER_SHOWN_FOR for t in texts)
    return {"lead": lead, "texts": texts, "marker": marker, "danger": danger}


def panel_context(request: HttpRequest, lead: Lead, form: TextForm | None = None) -> dict:
    """The whole panel: the conversation, and the form to write, or why no text may be written."""
    context = shown_conversation(request, lead)
    refusal = why_no_text(lead, request.user)
    if form is None and not refusal:
        form = TextForm(lead=lead)
    context.update(refusal=refusal, form=form, longest=LONGEST_TYPED, request=request, user=request.user)
    return context


def why_no_text(lead: Lead, user: User) -> str:
    """Why `user` may not text this person now, in words for them, or ""."""
    if lead.merged_into_id:
        return lead.refusal_for(user) or ""
    if reason := compose.refusal(lead):
        return reason
    if not lead.is_open:
        return "This lead is closed; reopen it before texting the person."
    return lead.refusal_for(user) or ""


def describe(text, now: dt.datetime) -> None:
    """Sets, for the template: `at`, `who`, `state` (words) and its `tone`, `is_new`, `version`
    (what the page's script compares to know a text changed)."""
    text.is_new = False
    if text.incoming:
        text.at, text.who = text.received_at, "The person"
        text.is_new = text.read_at is None
        text.state, text.tone = KEYWORD_DID.get(text.keyword, ""), "plain"
        text.version = "in"
        return
    text.at = text.created_at
    if text.purpose == Purpose.STAFF:
        text.who = staff_name(text.written_by) or "A former staff member"
    else:
        text.who = "Lantern, automatically"
    text.state, text.tone = _state(text, now)
    held = text.held_until.isoformat() if text.held_until else ""
    text.version = f"{text.status}.{text.attempts}.{text.provider_status}.{held}"


def _state(text: OutgoingText, now: dt.datetime) -> tuple[str, str]:
    if text.status == OutgoingText.Status.CLOSED:
        return text.last_error or "Closed unsent.", "plain"
    if text.not_delivered:
        code = text.provider_error or (m[1] if (m := _ERROR_CODE.search(text.last_error)) else "")
        which = f" (provider error {code})" if code else ""
        return f"Not delivered{which}: call them instead.", "danger"
    if text.status == OutgoingText.Status.PENDING:
        if text.held_until and text.held_until > now:
            return f"Held: goes at {quiet_hours.visitor_clock(text.phone, text.held_until)} their time.", "warning"
        if text.attempts:
            return "Waiting: the provider did not take it yet; trying again.", "warning"
        return "Waiting to be sent.", "plain"
    if text.status == OutgoingText.Status.SENDING:
        return "Sending.", "plain"
    if text.provider_status == "delivered":
        return "Delivered.", "good"
    return "Sent.", "plain"
