"""`manage.py check --deploy` refuses the development keys in production."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from config.environment import DEV_FIELD_KEY, DEV_HASH_KEY


@register(Tags.security, deploy=True)
def development_keys(app_configs, **kwargs) -> list[Error]:
    errors = []
    if DEV_FIELD_KEY in settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS includes the built-in development key.",
                hint="Generate one with Fernet.generate_key() and set FIELD_ENCRYPTION_KEYS.",
                id="lantern.E001",
            )
        )
    if settings.FIELD_HASH_KEY == DEV_HASH_KEY:
        errors.append(
            Error("FIELD_HASH_KEY is the built-in development key.", hint="Set FIELD_HASH_KEY.", id="lantern.E002")
        )
    if not settings.SECRET_KEY_FROM_ENV:
        errors.append(
            Error(
                "SECRET_KEY is not set: each process invents its own, so sessions break across restarts and workers.",
                hint="Set SECRET_KEY to a long random string.",
                id="lantern.E003",
            )
        )
    return errors
