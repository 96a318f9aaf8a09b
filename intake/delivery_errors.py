"""What a delivery can fail with, shared by every channel (intake.channels, intake.sms) and the
outbox rows that use them."""

import re
import smtplib


class DeliveryError(Exception):
    """The provider could not take the message now (unreachable, busy); the delivery is retried."""


class RefusedDelivery(DeliveryError):
    """The provider refused the message for a reason a retry cannot change (a 4xx answer to the
    request itself, a staff member without a mobile number)."""


class ChannelRefused(DeliveryError):
    """The provider refused us, not the message: our credentials or account (HTTP 401, 403)."""


# HTTP answers that mean "not now" rather than "never": timeout, too early, too many requests.
TEMPORARY_HTTP = {408, 425, 429}


def describe_failure(exc: Exception) -> str:
    """What failed, without the person, for a delivery to a visitor: a provider's error body may
    echo the number it refused, and an SMTP refusal names the address, so only the class, the HTTP
    or SMTP status and the provider's error code are kept."""
    name = type(exc).__name__
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"{name}: SMTP {', '.join(str(code) for code, _ in exc.recipients.values())}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name}: SMTP {exc.smtp_code}"
    if not isinstance(exc, DeliveryError):
        return name
    words = str(exc)
    if status := re.search(r"answered HTTP (\d{3})", words):
        # A JSON error body's "code", or the code intake.sms puts in its own words.
        code = re.search(r"[\"']code[\"']\s*:\s*\"?(\d{1,8})|error code (\d{1,8})", words)
        number = code and (code[1] or code[2])
        return f"{name}: the provider answered HTTP {status[1]}" + (f", error code {number}" if number else "")
    return f"{name}: the provider was unreachable" if "unreachable" in words else name
