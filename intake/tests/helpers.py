"""Shared by the intake tests: a callback received through the front door, as the view does it;
reading the second-factor setup and recovery-code pages as a person (and their phone) would."""

import base64
import re
import time

from django_otp.oath import TOTP

from intake.front_door import Submission
from intake.models import Lead


def receive_callback(
    data: dict, *, consent_version: str = "callback-2026-11-21", consent_page: str = "/callback/", attribution=None
) -> Lead:
    submission = Submission.from_callback(
        data, consent_version=consent_version, consent_page=consent_page, attribution=attribution or {}
    )
    lead, _ = Lead.objects.receive(submission)
    return lead


def secret_on_page(html: str) -> str:
    """The base32 key the authenticator setup page shows."""
    return re.search(r'class="mfa-secret">([A-Z2-7]+)<', html)[1]


def code_for_key(base32: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app holding `base32` shows now (or `steps_ahead` 30-second steps on,
    a code the server has not seen used yet)."""
    totp = TOTP(base64.b32decode(base32 + "=" * (-len(base32) % 8)))
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def code_on_page(html: str, **kwargs) -> str:
    return code_for_key(secret_on_page(html), **kwargs)


def recovery_codes_on_page(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)
