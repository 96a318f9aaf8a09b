"""Coordination of benefits: which of a person's plans pays first. FIRST VERSION (foundation): the
first plan, basis unknown; the coordination-of-benefits work replaces this with the payers' word."""

from dataclasses import dataclass, field


@dataclass
class Coordination:
    # "first" / "second" (insurances.Which), or "" when the answers do not say.
    primary: str = ""
    secondary: str = ""
    # In words for staff: what said so (or that nothing did).
    basis: str = ""
    notes: list[str] = field(default_factory=list)


def coordinate(verification) -> Coordination:
    return Coordination(primary="first", basis="")
