from django import template

from intake.phones import display_phone

register = template.Library()


@register.filter(name="phone")
def phone_filter(e164: str) -> str:
    """+13125550131 -> (312) 555-0131."""
    return display_phone(e164) if e164 else ""
