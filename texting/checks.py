"""Texting settings that would fail quietly, caught when a management command starts (the web
container's `migrate`, `check`, `runserver`): quiet hours Lantern cannot read, and a Twilio set-up
whose webhook address cannot be the one Twilio signs."""

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.checks import Warning as CheckWarning  # the builtin name stays the builtin's
from django.core.exceptions import ImproperlyConfigured

from . import quiet_hours


@register()
def quiet_hours_readable(app_configs, **kwargs) -> list[CheckMessage]:
    # Read now rather than at the first text of the evening, when a worker would fail on every one.
    try:
        quiet_hours.quiet_hours(settings.TEXT_QUIET_HOURS)
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Two 24-hour times, when texts stop and when they may start again, e.g. 21:00-08:00.",
                id="texting.E001",
            )
        ]
    return []


@register()
def webhook_base_public(app_configs, **kwargs) -> list[CheckMessage]:
    """Twilio signs the exact https URL it posts to; the webhook checks the signature against
    SMS_WEBHOOK_BASE (SITE_URL when empty). A base that is not that public address refuses every
    inbound text and delivery report with 403. On a development machine (DEBUG on) nobody posts."""
    if settings.DEBUG or settings.SMS_PROVIDER != "twilio":
        return []
    base = settings.SMS_WEBHOOK_BASE.strip()
    refused = "inbound texts and delivery reports will be refused (403: signature does not match)"
    if not base:
        return [
            CheckWarning(
                f"SMS_PROVIDER is twilio but SMS_WEBHOOK_BASE is empty: signatures are checked against "
                f"SITE_URL ({settings.SITE_URL}); unless that is the exact public address Twilio posts to, {refused}.",
                hint="Set SMS_WEBHOOK_BASE to the public https base Twilio posts to, e.g. https://lantern.example.org.",
                id="texting.W001",
            )
        ]
    if not base.startswith("https://"):
        return [
            CheckWarning(
                f"SMS_WEBHOOK_BASE is {base!r}: Twilio posts to an https address and signs it, so {refused}.",
                hint="Use the public https base, e.g. https://lantern.example.org.",
                id="texting.W002",
            )
        ]
    return []
