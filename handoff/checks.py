"""An address for the clinical record without a signing key would fail every export, each one after
the record is built: said at start-up instead."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def export_signed(app_configs, **kwargs) -> list[Error]:
    if settings.FHIR_EXPORT_URL and not settings.FHIR_EXPORT_SIGNING_KEY:
        return [
            Error(
                "FHIR_EXPORT_URL is set but FHIR_EXPORT_SIGNING_KEY is empty: the clinical record system could not "
                "tell Lantern's exports from anyone else's, so none is sent.",
                hint="Set FHIR_EXPORT_SIGNING_KEY to the key the receiving system checks signatures with.",
                id="handoff.E001",
            )
        ]
    return []
