"""Delivery channels for staff notifications. Messages carry no PHI: a reference and a link.

Every channel is a function taking the Notification and raising on failure; the outbox records the
error on the row and retries it, unless `is_permanent` says trying again cannot help. A channel
never swallows an error.
"""

import base64
import contextlib
import http.client
import json
import smtplib
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils import timezone

from config.absolute import absolute_url

from . import extensions, sms
from .delivery_errors import TEMPORARY_HTTP, ChannelRefused, DeliveryError, RefusedDelivery

# How much of a provider's error answer is kept on the row: enough to tell why, and short
# enough that a provider echoing a whole request back cannot fill the error column with it.
ERROR_BODY_LIMIT = 200


def is_permanent(exc: Exception) -> bool:
    """Trying again cannot help this recipient: their address refused, a request the provider
    rejects as such, no mobile number. A server saying "not now" (SMTP 4xx, HTTP 5xx or 429) is
    temporary, and so is a broken channel (`breaks_the_channel`), which waits for its fix."""
    if isinstance(exc, RefusedDelivery):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return False


def breaks_the_channel(exc: Exception) -> bool:
    """The channel is broken for everyone, not for this recipient: our login or account refused,
    our sender or every message refused, a configuration error. Someone will fix it, so the alert
    waits for the fix; meanwhile it falls back to other channels at once."""
    if isinstance(exc, ChannelRefused | ImproperlyConfigured):
        return True
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPNotSupportedError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, data refused, ...
        return exc.smtp_code >= 500
    return False


# The admissions path's alerts share one template triple ("work-due"), each kind in its own words.
# Like every alert they carry the reference and a link, never what the person said.
WORK_ALERTS = {
    "red_flag": "A phone screen raised a red flag: a clinician should look now",
    "review_needed": "A screened lead is waiting for clinical review",
    "clinical_decision": "A clinician has decided",
    "admission_reminder": "An admission is coming up",
    "hold_expiring": "A bed hold is about to expire",
    "bed_offered": "A place has come free for a person on the waitlist",
    "waitlist_check_in": "Time to check in with a person on the waitlist",
    "referral_follow_up": "A referral out needs following up",
    "hold_released": "A bed hold expired and the bed was given back",
    "text_received": "The person sent a text: read it on the lead",
    "text_failed": "A text to the person was not delivered: try another way",
    "insurance_changed": "Insurance changed before the admission",
    "insurance_rechecked": "Insurance changed since the last check",
}


def message_context(notification) -> dict:
    lead = notification.lead
    now = timezone.now()
    context = {
        "notification": notification,
        "reference": lead.reference,
        "lead_id": lead.pk,
        "kind": lead.get_kind_display().lower(),
        "urgent": notification.urgent,
        "repeat": notification.kind == notification.Kind.REPEAT_REQUEST,
        "request_count": lead.request_count,
        "url": absolute_url(extensions.alert_link(notification) or lead.get_absolute_url()),
        "centre_name": settings.CENTRE_NAME,
    }
    if notification.kind == notification.Kind.ESCALATION:
        # Rendered when sent, so a retried escalation tells how long the person has waited by then.
        context["minutes_waiting"] = max(int((now - lead.created_at).total_seconds() // 60), 0)
        context["target_minutes"] = settings.LEAD_SLA_MINUTES
        context["minutes_overdue"] = (
            max(int((now - lead.sla_due_at).total_seconds() // 60), 0) if lead.sla_due_at else None
        )
        # A supervisor escalating wants to know whom to ask; staff names are not PHI.
        assignee = lead.assigned_to
        context["assignee"] = (assignee.get_full_name() or assignee.username) if assignee else ""
    if notification.kind == notification.Kind.FOLLOW_UP_DUE:
        context["follow_up_at"] = lead.follow_up_at
    context["work"] = WORK_ALERTS.get(notification.kind, "")
    context["urgent_line"] = urgent_line(notification)
    return context


def urgent_line(notification) -> str:
    """Why a work alert is urgent, in words true of this alert: the danger sentence only when the
    visitor reported danger, never for a red flag a phone screen raised."""
    kind = notification.Kind
    if notification.kind == kind.RED_FLAG:
        return "a phone screen raised a red flag: a clinician should look now."
    if notification.kind == kind.TEXT_RECEIVED and notification.urgent:
        return "the person's text may mention danger or suicide: read it and call now."
    if notification.lead.urgent:
        return "the visitor said someone may be in danger right now."
    if notification.kind == kind.REVIEW_NEEDED:
        return "the phone screen raised a red flag: review it first."
    return "this needs attention now."


def template_name(notification) -> str:
    if notification.kind in WORK_ALERTS:
        return "work-due"
    return notification.kind.replace("_", "-")


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """Render a template triple: emails/<name>-subject.txt, -body.txt and -body.html."""
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def render_text(notification) -> str:
    """The one-line text of an SMS or chat message: notifications/<kind>.txt."""
    text = render_to_string(f"notifications/{template_name(notification)}.txt", message_context(notification))
    return " ".join(text.split())


# --- Outbound HTTP ------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # urllib turns a redirected POST into a GET without the body, whose 200 would look like a
    # delivery; a provider that redirects has not taken the message, so treat it as an error.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _snippet(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= ERROR_BODY_LIMIT else text[: ERROR_BODY_LIMIT - 1] + "…"


def post(url: str, body: bytes, content_type: str, *, what: str, auth: tuple[str, str] | None = None) -> None:
    """POST `body` to `url`; raise DeliveryError unless the answer is 2xx.

    Errors name `what` (e.g. "SMS provider"), never the URL: a chat webhook's URL is its secret.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImproperlyConfigured(f"The {what} URL must start with https:// or http://.")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, data=body, method="POST", headers={"Content-Type": content_type, "User-Agent": "Lantern"}
    )
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with _opener.open(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as response:
            response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        detail = _snippet(exc.read(4 * 1024)) if exc.fp else ""
        exc.close()
        refused = 400 <= exc.code < 500 and exc.code not in TEMPORARY_HTTP
        error = ChannelRefused if exc.code in (401, 403) else RefusedDelivery if refused else DeliveryError
        raise error(f"{what} answered HTTP {exc.code}" + (f": {detail}" if detail else "")) from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"{what} unreachable: {exc.reason}") from None
    except (OSError, http.client.HTTPException) as exc:  # a timeout, reset or garbled answer
        raise DeliveryError(f"{what} unreachable: {type(exc).__name__}: {exc}") from None


# --- The channels -------------------------------------------------------------------------------


@contextlib.contextmanager
def mail_session():
    """One mail connection for several messages, opened by the first one that needs it."""
    connection = mailers.default
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):  # a server gone away has nothing left to close
            connection.close()


def send_templated_email(name: str, to: str, context: dict, *, connection=None, message_id: str = "") -> None:
    """Render the template triple `name` and send it to one address; raises on failure."""
    subject, text, html = render_email(name, context)
    headers = {"Message-ID": message_id} if message_id else None
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    if connection is None:
        mailers.default.send_messages([message])
        return
    try:
        connection.open()  # kept open for the next message of the session; a no-op once open
        connection.send_messages([message])
    except Exception:
        # The session may be broken half-way through a conversation: the next message of the
        # batch opens a fresh one.
        with contextlib.suppress(Exception):
            connection.close()
        raise


def message_id(notification) -> str:
    """The same Message-ID however often the row is sent: should a send ever be repeated (a worker
    killed between the server's answer and our journal), mail systems that de-duplicate by
    Message-ID (many do) show the copies as one."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "lantern.invalid"
    return f"<alert-{notification.pk}-{notification.created_at.timestamp():.0f}@{domain}>"


def send_email(notification, mail=None) -> None:
    send_templated_email(
        template_name(notification),
        notification.recipient.email,
        message_context(notification),
        connection=mail,
        message_id=message_id(notification),
    )


def send_sms(notification) -> None:
    profile = getattr(notification.recipient, "staff_profile", None)
    mobile = profile.mobile if profile else ""
    if not mobile:
        # They removed their number after the row was queued; the error says so on the row.
        raise RefusedDelivery(f"staff member {notification.recipient_id} has no mobile number")
    # Staff alerts carry no PHI, so the console may print the staff member's own number.
    sms.send_text(mobile, render_text(notification), who=mobile)


def send_webhook(notification) -> None:
    """Post to the team chat (a Slack-compatible incoming webhook); the row has no recipient."""
    if not settings.CHAT_WEBHOOK_URL:
        raise ImproperlyConfigured("CHAT_WEBHOOK_URL is empty; the team chat notification cannot be posted.")
    payload = {"text": render_text(notification)}
    post(settings.CHAT_WEBHOOK_URL, json.dumps(payload).encode(), "application/json", what="chat webhook")


def send(notification, *, mail=None) -> None:
    """Send on the row's channel; `mail` is an open mail session (`mail_session`) or None."""
    if notification.channel == "email":
        send_email(notification, mail)
    elif notification.channel == "sms":
        send_sms(notification)
    elif notification.channel == "webhook":
        send_webhook(notification)
    else:
        raise ImproperlyConfigured(f"Unknown notification channel {notification.channel!r}.")
