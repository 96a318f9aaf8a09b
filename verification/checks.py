"""A clearinghouse the Part 2 consent does not name would receive a disclosure nobody agreed to."""

from django.conf import settings
from django.core.checks import Error, register

from .disclosures import leaves_lantern


@register()
def clearinghouse_named(app_configs, **kwargs) -> list[Error]:
    if leaves_lantern(settings.ELIGIBILITY_GATEWAY) and not settings.ELIGIBILITY_CLEARINGHOUSE_NAME.strip():
        return [
            Error(
                f"ELIGIBILITY_GATEWAY is {settings.ELIGIBILITY_GATEWAY!r} but ELIGIBILITY_CLEARINGHOUSE_NAME is empty: "
                "the visitor's Part 2 consent would not name the company that carries the request to the payer.",
                hint="Set ELIGIBILITY_CLEARINGHOUSE_NAME to the clearinghouse's name.",
                id="verification.E001",
            )
        ]
    return []
