"""Production settings pass Django's deployment checks, and responses carry the security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(**env) -> subprocess.CompletedProcess:
    unset = ("SECRET_KEY", "FIELD_", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SITE_URL": "https://lantern.example",
    "ALLOWED_HOSTS": "lantern.example",
    "EMAIL_URL": "smtp://mail.lantern.example:587",
    "SECRET_KEY": "x7!kq2_production_only_" + "a" * 40,
    "FIELD_HASH_KEY": "hash-key-for-production-" + "b" * 20,
}


def test_it_passes_the_deployment_checks_with_production_settings():
    result = check_deploy(**PRODUCTION, FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_deploy_with_the_development_keys():
    env = {k: v for k, v in PRODUCTION.items() if k not in ("SECRET_KEY", "FIELD_HASH_KEY")}
    result = check_deploy(**env)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # With DEBUG off the settings themselves refuse (intake/tests/test_unsafe_settings.py).
    assert "Lantern will not start with DEBUG off" in output


def test_check_deploy_flags_the_development_keys_even_with_debug_on():
    env = {k: v for k, v in PRODUCTION.items() if k not in ("SECRET_KEY", "FIELD_HASH_KEY")}
    result = check_deploy(**{**env, "DEBUG": "1"})
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "lantern.E001" in output and "lantern.E002" in output and "lantern.E003" in output


@pytest.mark.django_db
def test_it_sends_security_headers_on_every_page(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    for path in ["/", "/callback/", "/verify/", "/articles/", "/staff/login/"]:
        response = client.get(path, secure=True)
        assert response["Strict-Transport-Security"].startswith("max-age=31536000"), path
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        csp = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp and "unsafe-inline" not in csp


@pytest.mark.django_db
def test_it_forbids_caching_of_forms_that_echo_what_a_visitor_typed(client):
    for path in ["/callback/", "/verify/"]:
        assert "no-store" in client.post(path, {"name": "Jordan"})["Cache-Control"], path
    assert "no-store" in client.get("/staff/login/")["Cache-Control"]
