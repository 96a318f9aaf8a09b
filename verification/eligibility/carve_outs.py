"""Companies a payer names for (part of) the benefits: carve-outs, other payers, authorization contacts.
(A payer named for the plan as a whole is the person's other plan: `other_payers` reads it.)

An EB*R or EB*U row names another company. When it names one for a level's codes or for
behavioural health, and the payer gave no rows of its own for the level, the level is carved out to
that company. A company named only for authorizations (a utilization-management organization, or a
row whose messages are about authorization) is a contact, listed with the carve-outs, not a
carve-out of any level.
"""

from .codes import CARVE_OUT_CODES, join_words
from .other_payers import is_coordination_row
from .sources import BEHAVIOURAL, Source
from .summary import BenefitRow, CarveOut

BEHAVIOURAL_WORDS = ("behavioral", "behavioural", "mental health", "substance", "chemical dependency")
AUTHORIZATION_WORDS = ("authoriz", "authoris", "certification", "precert", "pre-cert", "notification")
# Hospital inpatient and office visits are not behavioural health: a company named for them
# does not hold a level's benefits.
_NOT_CARVED_OUT = frozenset({"48", "98"})


def carve_outs(rows: list[BenefitRow]) -> list[CarveOut]:
    """One carve-out per company an EB*R or EB*U row names (or per such row, if it names none)."""
    found = []
    for row in rows:
        if row.eb01 not in CARVE_OUT_CODES:
            continue
        if is_coordination_row(row):
            # The person's other plan and the order they pay in, not a company holding part of
            # this plan's benefits: see `other_payers`.
            continue
        entities = [entity for entity in row.related_entities if entity.name or entity.id] or [None]
        for entity in entities:
            carve_out = CarveOut(
                eb01=row.eb01,
                service_types=list(row.service_types),
                service_type_descriptions=list(row.service_type_descriptions),
                messages=list(row.messages),
            )
            if entity:
                carve_out.name = entity.name
                carve_out.id = entity.id
                carve_out.id_qualifier = entity.id_qualifier
                carve_out.entity_code = entity.entity_code
                carve_out.entity = entity.entity
                carve_out.phone = entity.phone
                carve_out.contacts = list(entity.contacts)
            carve_out.for_authorization = is_for_authorization(carve_out)
            carve_out.text = _text(carve_out)
            found.append(carve_out)
    return found


def is_for_authorization(carve_out: CarveOut) -> bool:
    """A utilization-management company, or one named in messages about authorization: a contact only."""
    words = " ".join(carve_out.messages).lower()
    return (
        carve_out.entity_code == "X3"
        or "utilization management" in carve_out.entity.lower()
        or any(word in words for word in AUTHORIZATION_WORDS)
    )


def carved_out_to(sources: list[Source], carve_outs: list[CarveOut]) -> str:
    """The company holding the benefits of the level these sources serve, or "" when none does.

    Only asked when the payer gave no rows of its own for the level.
    """
    codes = BEHAVIOURAL.union(*(source.codes for source in sources if not source.plan)) - _NOT_CARVED_OUT
    for carve_out in carve_outs:
        if carve_out.for_authorization:
            continue
        text = " ".join(carve_out.messages).lower()
        if set(carve_out.service_types) & codes or any(word in text for word in BEHAVIOURAL_WORDS):
            return carve_out.name or "another company"
    return ""


def _text(carve_out: CarveOut) -> str:
    services = join_words(carve_out.service_type_descriptions) or "these benefits"
    who = carve_out.name or "another company (not named)"
    if carve_out.for_authorization:
        text = f"For authorizations ({services}), contact {who}"
    elif carve_out.eb01 == "R":
        text = f"{who} is another payer for {services}"
    else:
        text = f"Contact {who} for {services}"
    if carve_out.phone:
        text += f", phone {carve_out.phone}"
    return text + "."
