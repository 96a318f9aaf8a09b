from decimal import Decimal

from django import template

from intake.audit import describe_actor
from intake.models import staff_name as _staff_name
from intake.phones import display_phone

register = template.Library()


@register.filter(name="phone")
def phone_filter(e164: str) -> str:
    """+13125550131 -> (312) 555-0131."""
    return display_phone(e164) if e164 else ""


@register.filter
def money(value) -> str:
    """Decimal("1500") -> $1,500; Decimal("12.5") -> $12.50; None -> empty."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value))
    return f"${amount:,.0f}" if amount == amount.to_integral() else f"${amount:,.2f}"


@register.filter
def percent(value) -> str:
    """A fraction as a percentage: Decimal("0.2") -> 20%."""
    if value is None or value == "":
        return ""
    pct = Decimal(str(value)) * 100
    return f"{pct.normalize():f}%"


@register.filter
def full_stop(text) -> str:
    """End a sentence after a value that may end in an abbreviation: "8 p.m." stays "8 p.m.",
    "today" becomes "today."."""
    text = str(text)
    return text if text.endswith(".") else f"{text}."


@register.filter
def audit_actor(entry) -> str:
    """Who made an audit entry, from the copy the entry keeps when the account is gone."""
    return describe_actor(entry)


@register.filter
def staff_name(user) -> str:
    """A colleague by full name ("Avery Lee"), the username only where no name is set."""
    return _staff_name(user)


@register.filter
def workable_by(lead, user) -> bool:
    """Whether `user` may change this lead: unclaimed, theirs, or they supervise."""
    return lead.may_be_worked_by(user)
