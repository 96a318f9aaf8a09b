"""Shared by the intake tests (and verification's, for its rows on a lead): a callback received
through the front door, as the view does it; reading the second-factor setup and recovery-code
pages as a person (and their phone) would; a closed lead, a column as stored, a key rotation."""

import base64
import datetime as dt
import io
import re
import time

from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_otp.oath import TOTP

from intake.front_door import Submission
from intake.models import Lead, LeadStatus

JORDAN = {"name": "Jordan Whitlock", "phone": "+14155552671", "email": "jordan.whitlock@example.com"}


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


def raw(model, field: str, pk: int) -> str:
    """The column as stored: the Fernet token, not the value."""
    qn = connection.ops.quote_name
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def closed_lead(
    *, status=LeadStatus.ADMITTED, closed_days_ago: int | None = 400, phone=JORDAN["phone"], **extra
) -> Lead:
    """Jordan's lead, closed `closed_days_ago` days ago (None: still open), with its attribution."""
    now = timezone.now()
    closed_at = None if closed_days_ago is None else now - dt.timedelta(days=closed_days_ago)
    return Lead.objects.create(
        **{**JORDAN, "phone": phone},
        status=status,
        closed_at=closed_at,
        created_at=(closed_at or now) - dt.timedelta(days=3),
        utm_source="google",
        landing_page="/articles/alcohol-detox/",
        **extra,
    )


def rotate_keys(*args) -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()
