"""What config/settings.py needs besides plain reads of the environment: the development keys,
Django's mailer for an EMAIL_URL, and the refusals to start a process that would be unsafe."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

# Committed, so they protect nothing: a development machine runs on them, production never does
# (refuse_unsafe_keys, and intake.checks for `check --deploy`).
DEV_FIELD_KEY = "bGFudGVybi1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDA="
DEV_HASH_KEY = "lantern-development-only-hash-key"


def unsafe_keys(env, *, secret_key: str, field_keys: list[str], hash_key: str) -> list[str]:
    """What is wrong with the three keys for a production process, in words."""
    problems = []
    if not env.str("SECRET_KEY", default=""):
        problems.append("SECRET_KEY is not set")
    elif secret_key.startswith("django-insecure"):
        problems.append("SECRET_KEY is a development key (django-insecure-...)")
    if not env.str("FIELD_ENCRYPTION_KEYS", default=""):
        problems.append("FIELD_ENCRYPTION_KEYS is not set")
    elif DEV_FIELD_KEY in field_keys:
        problems.append("FIELD_ENCRYPTION_KEYS holds the development key committed in config/environment.py")
    else:
        for position, key in enumerate(field_keys, 1):
            try:
                Fernet(key)
            except ValueError:
                problems.append(f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key")
    if not env.str("FIELD_HASH_KEY", default="").strip():
        problems.append("FIELD_HASH_KEY is not set")
    elif hash_key == DEV_HASH_KEY:
        problems.append("FIELD_HASH_KEY is the development key committed in config/environment.py")
    return problems


def refuse_unsafe_keys(env, **keys) -> None:
    """With DEBUG off this is production, and the committed development keys (or a per-process
    SECRET_KEY) would protect nothing. Every process (web, worker, beat, manage.py) stops here,
    rather than only when someone remembers `check --deploy`."""
    if problems := unsafe_keys(env, **keys):
        raise ImproperlyConfigured(
            "Lantern will not start with DEBUG off and unsafe keys: "
            + "; ".join(problems)
            + ". Set them in the environment (docker-compose.yml says how to generate each), "
            "or set DEBUG=1 on a development machine."
        )


def refuse_unnamed_clearinghouse(gateway: str, clearinghouse: str) -> None:
    """Every process refuses, the worker that sends included (a system check runs only for
    manage.py commands)."""
    if gateway.strip().lower() != "sandbox" and not clearinghouse.strip():
        raise ImproperlyConfigured(
            f"ELIGIBILITY_GATEWAY is {gateway!r} but ELIGIBILITY_CLEARINGHOUSE_NAME is empty: the "
            "visitor's Part 2 consent must name the company that carries the request to the payer."
        )


def mailer(email_url: str, *, timeout: int, default_folder: Path) -> dict:
    """Django 6.1's MAILERS entry for an EMAIL_URL (smtp://user:pass@host:port, consolemail://,
    filemail:///path)."""
    url = environ.Env.email_url_config(email_url)
    backend = url["EMAIL_BACKEND"]
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": url.get("EMAIL_HOST") or "localhost",
            "port": url.get("EMAIL_PORT") or 25,
            "username": url.get("EMAIL_HOST_USER") or "",
            "password": url.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(url.get("EMAIL_USE_TLS")),
            "use_ssl": bool(url.get("EMAIL_USE_SSL")),
            "timeout": timeout,
        }
    elif backend.endswith("filebased.EmailBackend"):
        # django-environ drops the leading slash of filemail:///abs/path; read the URL itself.
        raw = urlsplit(email_url)
        options = {"file_path": (raw.netloc + raw.path) or str(default_folder)}
    return {"BACKEND": backend, "OPTIONS": options}
