"""Delivery channels for staff notifications. Messages carry no PHI: a reference and a link."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def message_context(notification) -> dict:
    lead = notification.lead
    return {
        "notification": notification,
        "reference": lead.reference,
        "lead_id": lead.pk,
        "kind": lead.get_kind_display().lower(),
        "urgent": notification.urgent,
        "repeat": notification.kind == notification.Kind.REPEAT_REQUEST,
        "url": f"{settings.SITE_URL}{lead.get_absolute_url()}",
        "centre_name": settings.CENTRE_NAME,
    }


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """Render a template triple: emails/<name>-subject.txt, -body.txt and -body.html."""
    subject = render_to_string(f"emails/{name}-subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"emails/{name}-body.txt", context)
    html = render_to_string(f"emails/{name}-body.html", context)
    return subject, text, html


def send_email(notification) -> None:
    subject, text, html = render_email(notification.kind.replace("_", "-"), message_context(notification))
    message = EmailMultiAlternatives(subject, text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    message.send()


CHANNELS = {"email": send_email}


def send(notification) -> None:
    CHANNELS[notification.channel](notification)
