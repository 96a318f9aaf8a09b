"""The metrics' "By referral source" table: per source staff recorded on the lead (and the leads
with none), how many leads, how many were admitted, and how fast the first call came. Worked out
from the LeadFacts the page already has: no query per source."""

from collections import defaultdict
from dataclasses import dataclass

from .metrics import LeadFacts, median, minutes_text, percent
from .models import LeadStatus

NO_SOURCE = "No source recorded"


@dataclass(frozen=True)
class ReferralRow:
    name: str
    leads: int
    admitted: int
    # Of the leads someone has called; None when nobody has been called yet.
    median_minutes: float | None
    is_none: bool = False

    @property
    def admission_percent(self) -> int | None:
        return percent(self.admitted, self.leads)

    @property
    def median_text(self) -> str:
        return minutes_text(self.median_minutes)


def by_referral_source(facts: list[LeadFacts]) -> list[ReferralRow]:
    """Busiest source first (then by name); the leads without a source last."""
    groups: dict[str, list[LeadFacts]] = defaultdict(list)
    for fact in facts:
        groups[fact.referral_source].append(fact)

    def row(name: str, group: list[LeadFacts]) -> ReferralRow:
        return ReferralRow(
            name=name or NO_SOURCE,
            leads=len(group),
            admitted=sum(1 for f in group if f.status == LeadStatus.ADMITTED),
            median_minutes=median([f.minutes_to_contact for f in group if f.minutes_to_contact is not None]),
            is_none=not name,
        )

    named = sorted(((n, g) for n, g in groups.items() if n), key=lambda item: (-len(item[1]), item[0].lower()))
    rows = [row(name, group) for name, group in named]
    if "" in groups:
        rows.append(row("", groups[""]))
    return rows
