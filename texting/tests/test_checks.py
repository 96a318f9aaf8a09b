"""`manage.py check` (run by the web container before it serves) stops on quiet hours it cannot
read, and warns an operator that a Twilio set-up without its public https webhook base would
refuse every text people send and every delivery report."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
# With DEBUG off the settings refuse to load without keys of their own.
KEYS = {
    "SECRET_KEY": "k3y-for-this-test-only-" + "t" * 40,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FIELD_HASH_KEY": "hash-key-for-this-test-only",
}
TWILIO = {
    "SMS_PROVIDER": "twilio",
    "SMS_ACCOUNT_SID": "ACtest0000000000000000000000000000",
    "SMS_AUTH_TOKEN": "test-auth-token",
    "SMS_FROM": "+15005550006",
}


def manage_check(**env) -> subprocess.CompletedProcess:
    """`manage.py check`, failing on warnings too, in a process with exactly these settings."""
    chosen = ("SMS_", "TEXT_", "DEBUG", "SECRET_KEY", "FIELD_")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(chosen)}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("spec", ["9pm-8am", "21:00", "21:00-21:00", "25:00-08:00"])
def test_it_will_not_start_on_quiet_hours_it_cannot_read(spec):
    result = manage_check(DEBUG="1", TEXT_QUIET_HOURS=spec)

    assert result.returncode != 0
    assert "texting.E001" in result.stderr and "TEXT_QUIET_HOURS" in result.stderr


def test_it_starts_on_quiet_hours_of_the_centres_choosing():
    result = manage_check(DEBUG="1", TEXT_QUIET_HOURS="20:30-09:00")

    assert result.returncode == 0, result.stderr


def test_it_warns_that_texts_and_reports_will_be_refused_when_twilio_has_no_webhook_base():
    result = manage_check(DEBUG="0", **KEYS, **TWILIO, SITE_URL="https://lantern.example")

    assert result.returncode != 0
    assert "texting.W001" in result.stderr
    assert "inbound texts and delivery reports will be refused" in result.stderr
    assert "https://lantern.example" in result.stderr  # what the signatures are checked against instead


def test_it_warns_about_a_webhook_base_twilio_cannot_have_signed():
    result = manage_check(DEBUG="0", **KEYS, **TWILIO, SMS_WEBHOOK_BASE="http://lantern.example")

    assert result.returncode != 0
    assert "texting.W002" in result.stderr and "will be refused" in result.stderr


def test_it_starts_quietly_with_the_public_https_webhook_base():
    result = manage_check(DEBUG="0", **KEYS, **TWILIO, SMS_WEBHOOK_BASE="https://lantern.example")

    assert result.returncode == 0, result.stderr


def test_it_does_not_warn_a_development_machine_or_the_console_provider():
    assert manage_check(DEBUG="1", **TWILIO).returncode == 0
    assert manage_check(DEBUG="0", **KEYS, SMS_PROVIDER="console").returncode == 0
