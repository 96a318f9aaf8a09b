"""The other payers an answer names, and in which order they pay: the payer's word on coordination
of benefits for a person with more than one plan.

A 271 names another payer in an EB*R row ("other or additional payer"), with the payer itself in the
row's LS/LE loop: NM1*PRP (the primary payer), SEP (secondary), TTP (tertiary), or a plain PR (a
payer, its order not said). The row may also carry the other plan's insurance type (EB04: MB
Medicare Part B, C1 commercial, 12 to 47 the reasons Medicare pays second), its policy or member
number (REF IG, 1W, NQ, or the NM1's own id with qualifier MI) and the coordination-of-benefits
date (DTP*290). The JSON API sends the same as benefitsInformation code "R" with
benefitsRelatedEntities whose entityIdentifier reads "Primary Payer", "Secondary Payer", "Tertiary
Payer" or just "Payer" when the order could not be determined; `jsonapi` reads them into the same
rows and codes, so this module reads both.

Only a row about the plan as a whole is read so: service type 30 (or none), or a row that gives a
coordination-of-benefits date. Payers also name a "primary payer" for a few service types only,
behavioural health handed to a separate plan: that is a carve-out of this plan (`carve_outs`), not the
order the person's plans pay in. A row naming a company in any other role is a carve-out's too.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from .summary import BenefitRow, BenefitSummary

OTHER_PAYER_ROW = "R"
ORDERS = {"PRP": "primary", "SEP": "secondary", "TTP": "tertiary", "PR": ""}
COB_ENTITIES = frozenset(ORDERS)
# References that carry the other plan's member or policy number: the 271's REF qualifiers, and the
# JSON API's names for them (`jsonapi` keeps those names as the qualifier).
MEMBER_REFERENCES = ("IG", "1W", "NQ", "memberIdNumber", "insurancePolicyNumber", "medicaidRecipientIdNumber")
COB_DATES = ("290", "coordinationOfBenefits")
# The id qualifiers (NM108) under which an NM1 gives the other plan's payer id or member id.
PAYER_ID_QUALIFIERS = ("PI", "NI", "XV")
MEMBER_ID_QUALIFIERS = ("MI",)


@dataclass
class OtherPayer:
    """One other payer an answer names, and what it says of the order they pay in."""

    # "primary", "secondary", "tertiary", or "" when the answer does not say.
    order: str = ""
    name: str = ""
    payer_id: str = ""
    member_id: str = ""
    insurance_type: str = ""
    insurance_type_description: str = ""
    # The coordination-of-benefits date (DTP*290): since when this order holds.
    since: dt.date | None = None
    service_types: list[str] = field(default_factory=list)

    @property
    def described(self) -> str:
        """The payer as staff read it: its name, and the kind of plan where the answer says."""
        name = self.name or "a payer it does not name"
        return f"{name} ({self.insurance_type_description})" if self.insurance_type_description else name


def other_payers(summary: BenefitSummary | None) -> list[OtherPayer]:
    """Every other payer the answer names in an other-payer (EB*R) row, in the order given."""
    if summary is None:
        return []
    found = []
    for person in summary.subscribers[:1]:  # the person the check was about
        for row in person.benefits:
            if not is_coordination_row(row):
                continue
            for entity in row.related_entities:
                if entity.entity_code not in COB_ENTITIES:
                    continue
                found.append(
                    OtherPayer(
                        order=ORDERS[entity.entity_code],
                        name=entity.name,
                        payer_id=entity.id if entity.id_qualifier in PAYER_ID_QUALIFIERS else "",
                        member_id=(entity.id if entity.id_qualifier in MEMBER_ID_QUALIFIERS else "")
                        or _member_reference(row),
                        insurance_type=row.insurance_type,
                        insurance_type_description=row.insurance_type_description
                        if not row.insurance_type_description.startswith("unknown")
                        else "",
                        since=_cob_date(row),
                        service_types=list(row.service_types),
                    )
                )
    return found


def is_coordination_row(row: BenefitRow) -> bool:
    """An other-payer row naming a payer's place in the order for the plan as a whole."""
    if row.eb01 != OTHER_PAYER_ROW or not any(entity.entity_code in COB_ENTITIES for entity in row.related_entities):
        return False
    return not row.service_types or "30" in row.service_types or _cob_date(row) is not None


def _member_reference(row: BenefitRow) -> str:
    return next((ref.value for ref in row.references if ref.qualifier in MEMBER_REFERENCES and ref.value), "")


def _cob_date(row: BenefitRow) -> dt.date | None:
    return next((date.start for date in row.dates if date.qualifier in COB_DATES and date.start), None)


# --- Is the named payer one of ours? --------------------------------------------------------------

# Words every insurer's name may carry: they say nothing about which insurer it is.
_GENERIC = frozenset(
    {"the", "of", "and", "inc", "co", "corp", "corporation", "company", "companies", "insurance", "ins"}
    | {"health", "healthcare", "plan", "plans", "group", "life", "benefit", "benefits", "services", "service"}
    | {"administrators", "mutual"}
)


def same_id(one: str, other: str) -> bool:
    """Two ids written alike once case, spaces and dashes are set aside."""
    return bool(one) and bool(other) and _alnum(one) == _alnum(other)


def same_name(one: str, other: str) -> bool:
    """Two insurer names that can be the same company: the distinctive words of one are all in the
    other ("Cigna" and "CIGNA HEALTH AND LIFE INSURANCE CO"; "Blue Cross Blue Shield / Anthem" and
    "ANTHEM BLUE CROSS")."""
    mine, theirs = _words(one), _words(other)
    return bool(mine) and bool(theirs) and (mine <= theirs or theirs <= mine)


def _alnum(text: str) -> str:
    return "".join(char for char in text.upper() if char.isalnum())


def _words(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", name.lower())) - _GENERIC
