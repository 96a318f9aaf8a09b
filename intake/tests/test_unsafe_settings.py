"""With DEBUG off, Lantern will not even import its settings on missing or development keys, and
believes X-Forwarded-Proto only when a proxy is declared."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
DEV_FIELD_KEY = "bGFudGVybi1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDA="
DEV_HASH_KEY = "lantern-development-only-hash-key"
GOOD = {
    "SECRET_KEY": "k3y-for-this-test-only-" + "q" * 40,
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "FIELD_HASH_KEY": "hash-key-for-this-test-only",
}


def import_settings(show: str = "DEBUG", **env) -> subprocess.CompletedProcess:
    """A fresh process importing config.settings with exactly these keys (and none inherited)."""
    chosen = ("SECRET_KEY", "FIELD_", "DEBUG", "TRUSTED", "ELIGIBILITY_")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(chosen)}
    return subprocess.run(
        [sys.executable, "-c", f"import config.settings as s; print(repr(s.{show}))"],
        cwd=ROOT,
        env={**inherited, **{k: v for k, v in env.items() if v is not None}},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "django-insecure-abc123"}, "SECRET_KEY is a development key"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS is not set"),
        ({"FIELD_ENCRYPTION_KEYS": DEV_FIELD_KEY}, "FIELD_ENCRYPTION_KEYS holds the development key"),
        ({"FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{DEV_FIELD_KEY}"}, "holds the development key"),
        ({"FIELD_ENCRYPTION_KEYS": "not-a-key"}, "key 1 is not a Fernet key"),
        ({"FIELD_HASH_KEY": None}, "FIELD_HASH_KEY is not set"),
        ({"FIELD_HASH_KEY": DEV_HASH_KEY}, "FIELD_HASH_KEY is the development key"),
    ],
)
def test_it_refuses_to_import_settings_with_debug_off_and_a_missing_or_development_key(change, complaint):
    result = import_settings(DEBUG="0", **{**GOOD, **change})

    assert result.returncode != 0
    assert "ImproperlyConfigured: Lantern will not start with DEBUG off" in result.stderr
    assert complaint in result.stderr


def test_it_names_every_missing_key_at_once():
    result = import_settings(DEBUG="0")

    assert result.returncode != 0
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        assert f"{name} is not set" in result.stderr


def test_it_starts_with_debug_off_and_keys_of_its_own():
    result = import_settings(DEBUG="0", **GOOD)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_development_machine_starts_without_any_key():
    result = import_settings(DEBUG="1")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("proxies", "header"), [(None, "None"), ("10.0.0.2", "('HTTP_X_FORWARDED_PROTO', 'https')")])
def test_it_believes_x_forwarded_proto_only_when_a_proxy_is_declared(proxies, header):
    result = import_settings("SECURE_PROXY_SSL_HEADER", DEBUG="0", TRUSTED_PROXIES=proxies, **GOOD)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == header


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_clearinghouse_gateway_without_the_clearinghouse_named_does_not_start(debug):
    """Every process refuses, the worker included: the Part 2 consent could not name it."""
    refused = import_settings(DEBUG=debug, ELIGIBILITY_GATEWAY="x12", **GOOD)
    named = import_settings(DEBUG=debug, ELIGIBILITY_GATEWAY="x12", ELIGIBILITY_CLEARINGHOUSE_NAME="Availity", **GOOD)

    assert refused.returncode != 0 and "ELIGIBILITY_CLEARINGHOUSE_NAME is empty" in refused.stderr
    assert named.returncode == 0, named.stderr
