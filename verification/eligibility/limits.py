"""Visit, day and other quantity limits, in the words staff read ("30 days per calendar year")."""

from decimal import Decimal

from .codes import REMAINING_PERIODS
from .summary import BenefitRow, Limit

UNITS = {"DY": "days", "VS": "visits", "HS": "hours", "MN": "months", "YY": "years", "P6": "services"}
# Quantities that describe who a benefit is for, not how much of it there is.
_NOT_LIMITS = frozenset({"S7", "S8"})
_NETWORKS = {"Y": "in", "N": "out", "W": "both"}
_NETWORK_WORDS = {"in": " (in network)", "out": " (out of network)", "both": " (in and out of network)", "unstated": ""}


def is_limit(row: BenefitRow) -> bool:
    """A row stating a quantity of care (days, visits...), not a quantity of people."""
    return row.quantity is not None and bool(row.quantity_qualifier) and row.quantity_qualifier not in _NOT_LIMITS


def limit_of(row: BenefitRow) -> Limit:
    """The limit a row states, with its sentence for staff."""
    network = _NETWORKS.get(row.network, "unstated")
    unit = UNITS.get(row.quantity_qualifier, row.quantity_qualifier_description or row.quantity_qualifier)
    remaining = row.time_period in REMAINING_PERIODS
    quantity = format_quantity(row.quantity)
    if remaining:
        text = f"{quantity} {unit} remaining"
    elif row.quantity_qualifier == "99":
        text = f"{quantity} used" + (f" ({row.time_period_description})" if row.time_period else "")
    elif row.time_period:
        text = f"{quantity} {unit} per {row.time_period_description}"
    else:
        text = f"{quantity} {unit}"
    return Limit(
        quantity=row.quantity,
        qualifier=row.quantity_qualifier,
        unit=unit,
        time_period=row.time_period,
        time_period_description=row.time_period_description,
        network=network,
        remaining=remaining,
        text=text + _NETWORK_WORDS[network],
    )


def format_quantity(value: Decimal | None) -> str:
    """A quantity as staff write it: "30", not "3E+1" or "30.00"."""
    if value is None:
        return ""
    normal = value.normalize()
    return f"{normal:f}" if normal == normal.to_integral_value() else str(value)
