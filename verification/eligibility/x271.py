"""Read a 271 eligibility response into a `BenefitSummary`.

The reader walks the HL tree (20 payer, 21 provider, 22 subscriber, 23 dependent) and keeps every
EB row with what follows it. It is tolerant: an unknown code is kept and described as "unknown code
X", an unknown segment is skipped, an amount that is not a number becomes a warning. Only a broken
envelope (see `x12.parse`) or an answer that is not a 271 at all is refused.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from .codes import (
    CONTACT_KINDS,
    COVERAGE_LEVELS,
    DATE_QUALIFIERS,
    ELIGIBILITY_CODES,
    ENTITY_CODES,
    GENDERS,
    INSURANCE_TYPES,
    NETWORK,
    PLACES_OF_SERVICE,
    QUANTITY_QUALIFIERS,
    REFERENCE_QUALIFIERS,
    RELATIONSHIP_CODES,
    SERVICE_TYPES,
    TIME_PERIODS,
    YES_NO_UNKNOWN,
    describe,
)
from .doubts import check_row
from .errors import EligibilityError
from .finish import finish
from .rejections import make_rejection
from .summary import (
    BenefitRow,
    BenefitSummary,
    DateInfo,
    Reference,
    Rejection,
    RelatedEntity,
    SubscriberSummary,
)
from .x12 import Interchange, Segment, Transaction, parse, parse_date, parse_date_range

LOOP_LETTERS = {"20": "A", "21": "B", "22": "C", "23": "D"}
# No benefit figure has more digits before the point than this: a longer one is garbage.
LARGEST_DIGITS = 12
# NM101 of the person a 2100C or 2100D loop is about.
PERSON_ENTITIES = frozenset({"IL", "03"})


def read_271(text: str, *, gateway: str = "", checked_at: dt.datetime | None = None) -> BenefitSummary:
    """The benefit summary of a 271 interchange; X12Error or EligibilityError if it cannot be one."""
    interchange = parse(text)
    transactions = [transaction for transaction in interchange.transactions if transaction.set_id == "271"]
    if not transactions:
        raise EligibilityError(_not_a_271(interchange))
    reader = _Reader()
    for transaction in transactions:
        reader.read(transaction)
    summary = reader.summary
    summary.gateway = gateway
    summary.checked_at = checked_at or dt.datetime.now(dt.UTC)
    return finish(summary)


def _not_a_271(interchange: Interchange) -> str:
    if interchange.acknowledgements:
        ack = interchange.acknowledgements[0]
        return f"The interchange was refused (TA1 acknowledgement code {ack[4] or '?'}, note {ack[5] or '?'}): no 271."
    found = [transaction.set_id for transaction in interchange.transactions]
    if "999" in found:
        ack = next(t for t in interchange.transactions if t.set_id == "999")
        ak9 = next((seg for seg in ack.segments if seg.id == "AK9"), None)
        verdict = f" (AK9 {ak9[1]})" if ak9 else ""
        return f"The answer is a 999 acknowledgement{verdict}, not a 271: the 270 was refused as sent."
    if found:
        return f"The input holds no 271 transaction (found {', '.join(sorted(set(found)))})."
    return "The input holds no 271 transaction."


def rejection(loop: str, aaa: Segment) -> Rejection:
    code, follow_up = aaa[3], aaa[4]
    return make_rejection(loop, code, follow_up, valid_request=aaa[1])


def to_decimal(value: str, what: str, warnings: list[str]) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        warnings.append(f"{what} {value[:12]!r} is not a number; it was left out.")
        return None
    if number.is_finite() and number.adjusted() > LARGEST_DIGITS:
        warnings.append(f"{what} {value[:12]!r} is too large to be a benefit figure; it was left out.")
        return None
    return number if number.is_finite() else None


class _Reader:
    def __init__(self):
        self.summary = BenefitSummary()
        self.level = ""
        self.loop = ""
        self.people: dict[str, SubscriberSummary] = {}
        self.parents: dict[str, str] = {}
        self.person: SubscriberSummary | None = None
        self.row: BenefitRow | None = None
        self.entity: RelatedEntity | None = None
        self.in_ls = False
        self.transactions = 0

    @property
    def letter(self) -> str:
        return LOOP_LETTERS.get(self.level, "?")

    def read(self, transaction: Transaction) -> None:
        # HL numbers restart in each transaction; keep people of different transactions apart.
        self.transactions += 1
        self.level, self.loop, self.person, self.row, self.entity, self.in_ls = "", "", None, None, None, False
        for seg in transaction.segments:
            handler = getattr(self, f"on_{seg.id.lower()}", None)
            if handler:
                handler(seg)
        # A subscriber loop that only leads to its dependents is not an answer about anyone.
        parents = set(self.parents.values())
        self.summary.subscribers = [
            person
            for hl_id, person in self.people.items()
            if hl_id not in parents or person.benefits or person.rejections
        ]

    # --- structure

    def on_hl(self, seg: Segment) -> None:
        self.level = seg[3]
        self.loop = f"2000{self.letter}"
        self.row, self.entity, self.in_ls = None, None, False
        self.person = None
        if self.level in ("22", "23"):
            person = SubscriberSummary(is_dependent=self.level == "23")
            hl_id, parent_id = f"{self.transactions}.{seg[1]}", f"{self.transactions}.{seg[2]}"
            parent = self.people.get(parent_id)
            if parent and self.level == "23":
                self.parents[hl_id] = parent_id
                person.member_id = person.subscriber_member_id = parent.member_id
                person.subscriber_first_name, person.subscriber_last_name = parent.first_name, parent.last_name
                person.group_number, person.group_name = parent.group_number, parent.group_name
                person.plan_name = parent.plan_name
            self.people[hl_id if seg[1] else f"{self.transactions}.#{len(self.people)}"] = person
            self.person = person

    def on_ls(self, seg: Segment) -> None:
        self.in_ls = True
        self.loop = f"2120{self.letter}"

    def on_le(self, seg: Segment) -> None:
        self.in_ls, self.entity = False, None
        self.loop = f"2110{self.letter}"

    # --- names

    def on_nm1(self, seg: Segment) -> None:
        name = _name(seg)
        if self.row is not None and not self.in_ls and seg[1] in PERSON_ENTITIES:
            # The person's own name comes before their benefit rows (2100C/D); one sent after
            # them, outside a related-entity loop, is not a new name or member ID for them.
            self.summary.warnings.append(
                f"The payer repeated a person's name after the benefit rows (segment {seg.position}); "
                "the subscriber's name and member ID were kept as first given."
            )
            return
        if self.row is not None:
            if not self.in_ls:
                # Some payers leave out LS/LE around a company they name for a benefit: it is
                # still that benefit's related entity (2120), never the subscriber.
                who = describe(ENTITY_CODES, seg[1]) or "no role given"
                self.summary.warnings.append(
                    f"A name the payer sent after a benefit row without a related-entity loop (segment "
                    f"{seg.position}, {who}) was read as that row's contact."
                )
            self.entity = RelatedEntity(
                entity_code=seg[1],
                entity=describe(ENTITY_CODES, seg[1]),
                name=name,
                id_qualifier=seg[8],
                id=seg[9],
            )
            self.row.related_entities.append(self.entity)
            return
        if self.in_ls:
            self.summary.warnings.append(
                f"A related-entity loop before any benefit row (segment {seg.position}) was skipped."
            )
            return
        self.loop = f"2100{self.letter}"
        if self.level == "20":
            self.summary.payer_name, self.summary.payer_id = name, seg[9]
        elif self.level == "21":
            self.summary.provider_name, self.summary.provider_npi = name, seg[9]
        elif self.person is not None:
            self.person.first_name, self.person.last_name, self.person.middle_name = seg[4], seg[3], seg[5]
            if seg[9]:
                self.person.member_id = seg[9]

    def on_per(self, seg: Segment) -> None:
        contacts = [
            (describe(CONTACT_KINDS, seg[index]), seg[index + 1])
            for index in (3, 5, 7)
            if seg[index] and seg[index + 1]
        ]
        readable = [f"{kind} {value}" for kind, value in contacts]
        if self.entity is not None:
            self.entity.contact_name = self.entity.contact_name or seg[2]
            self.entity.contacts += readable
            phone = next((value for kind, value in contacts if kind == "phone"), "")
            self.entity.phone = self.entity.phone or phone
        elif self.level == "20":
            self.summary.payer_contacts += [f"{seg[2]}: {text}" if seg[2] else text for text in readable]

    def on_n3(self, seg: Segment) -> None:
        if self.entity is not None:
            self.entity.address = " ".join(part for part in (self.entity.address, seg[1], seg[2]) if part)

    def on_n4(self, seg: Segment) -> None:
        if self.entity is not None:
            place = " ".join(part for part in (f"{seg[1]}," if seg[1] else "", seg[2], seg[3]) if part)
            self.entity.address = ", ".join(part for part in (self.entity.address, place) if part)

    # --- the person

    def on_trn(self, seg: Segment) -> None:
        if self.person is not None and seg[2]:
            self.person.trace_numbers.append(seg[2])
            # TRN01 2 echoes the trace number of our 270; 1 is the payer's own.
            if seg[1] == "2" and not self.summary.trace_number:
                self.summary.trace_number = seg[2]

    def on_dmg(self, seg: Segment) -> None:
        if self.person is not None and self.row is None:
            if seg[1] in ("D8", ""):
                self.person.date_of_birth = parse_date(seg[2])
            self.person.gender = describe(GENDERS, seg[3])

    def on_ins(self, seg: Segment) -> None:
        if self.person is not None and self.row is None:
            self.person.relationship = describe(RELATIONSHIP_CODES, seg[2])

    def on_ref(self, seg: Segment) -> None:
        reference = Reference(
            qualifier=seg[1], description=describe(REFERENCE_QUALIFIERS, seg[1]), value=seg[2], text=seg[3]
        )
        if self.in_ls or self.entity is not None:
            return
        if self.row is not None:
            self.row.references.append(reference)
        elif self.person is not None:
            self.person.references.append(reference)
            if seg[1] == "1W" and (self.person.is_dependent or not self.person.member_id):
                # A dependent's own member ID (2100D); the card holder's stays in subscriber_member_id.
                self.person.member_id = seg[2]
            elif seg[1] == "6P" or (seg[1] == "1L" and not self.person.group_number):
                self.person.group_number, self.person.group_name = seg[2], seg[3] or self.person.group_name
            elif seg[1] == "18" and seg[3] and not self.person.plan_name:
                self.person.plan_name = seg[3]

    def on_dtp(self, seg: Segment) -> None:
        start, end = parse_date_range(seg[3]) if seg[2] in ("D8", "RD8", "") else (None, None)
        if start is None and end is None:
            self.summary.warnings.append(
                f"DTP segment {seg.position} ({seg[1]}) has no readable date; it was left out."
            )
            return
        info = DateInfo(qualifier=seg[1], description=describe(DATE_QUALIFIERS, seg[1]), start=start, end=end)
        if self.in_ls:
            return
        if self.row is not None:
            self.row.dates.append(info)
            return
        if self.person is None:
            return
        self.person.dates.append(info)
        person = self.person
        if seg[1] == "291":
            person.plan_begin, person.plan_end = start, (end if seg[2] == "RD8" else person.plan_end)
        elif seg[1] == "346":
            person.plan_begin = start
        elif seg[1] == "347":
            person.plan_end = start
        elif seg[1] == "307":
            person.eligibility_begin, person.eligibility_end = start, (end if seg[2] == "RD8" else None)
        elif seg[1] == "356":
            person.eligibility_begin = start
        elif seg[1] == "357":
            person.eligibility_end = start

    def on_aaa(self, seg: Segment) -> None:
        found = rejection(self.loop, seg)
        self.summary.rejections.append(found)
        if self.row is not None and not self.in_ls:
            self.row.rejections.append(found)
        if self.person is not None:
            self.person.rejections.append(found)

    # --- benefits

    def on_eb(self, seg: Segment) -> None:
        if self.person is None:
            self.summary.warnings.append(f"EB segment {seg.position} is outside a subscriber or dependent; skipped.")
            return
        self.in_ls, self.entity = False, None
        self.loop = f"2110{self.letter}"
        warnings = self.summary.warnings
        where = f"EB segment {seg.position}:"
        service_types = seg.repeats(3)
        row = BenefitRow(
            loop=self.loop,
            eb01=seg[1],
            eb01_description=describe(ELIGIBILITY_CODES, seg[1]),
            coverage_level=seg[2],
            coverage_level_description=describe(COVERAGE_LEVELS, seg[2]),
            service_types=service_types,
            service_type_descriptions=[describe(SERVICE_TYPES, code) for code in service_types],
            insurance_type=seg[4],
            insurance_type_description=describe(INSURANCE_TYPES, seg[4]),
            plan_description=seg[5],
            time_period=seg[6],
            time_period_description=describe(TIME_PERIODS, seg[6]),
            amount=to_decimal(seg[7], f"{where} amount", warnings),
            percent=to_decimal(seg[8], f"{where} percent", warnings),
            percent_sent=seg[8],
            quantity_qualifier=seg[9],
            quantity_qualifier_description=describe(QUANTITY_QUALIFIERS, seg[9]),
            quantity=to_decimal(seg[10], f"{where} quantity", warnings),
            auth_required=seg[11],
            network=seg[12],
            network_description=describe(NETWORK, seg[12]),
            procedure=":".join(part for part in seg.components(13) if part),
        )
        if row.auth_required and row.auth_required not in YES_NO_UNKNOWN:
            warnings.append(f"{where} authorization indicator {row.auth_required[:4]!r} is not Y, N or U.")
        check_row(row, warnings)
        self.person.benefits.append(row)
        self.row = row

    def on_msg(self, seg: Segment) -> None:
        if self.row is not None and seg[1]:
            self.row.messages.append(seg[1])

    def on_iii(self, seg: Segment) -> None:
        # Only places of service (ZZ) tell staff anything; diagnosis codes echo the inquiry.
        if self.row is not None and seg[1] == "ZZ" and seg[2]:
            self.row.places_of_service.append(seg[2])
            self.row.place_of_service_descriptions.append(describe(PLACES_OF_SERVICE, seg[2]))

    def on_hsd(self, seg: Segment) -> None:
        if self.row is None:
            return
        parts = []
        if seg[2]:
            parts.append(f"{seg[2]} {describe(QUANTITY_QUALIFIERS, seg[1]) if seg[1] else ''}".strip())
        if seg[5]:
            count = f"{seg[6]} " if seg[6] else ""
            parts.append(f"per {count}{describe(TIME_PERIODS, seg[5])}")
        if seg[7]:
            parts.append(f"delivery frequency {seg[7]}")
        if seg[8]:
            parts.append(f"delivery pattern {seg[8]}")
        self.row.delivery.append(" ".join(parts) or "service delivery not described")


def _name(seg: Segment) -> str:
    if seg[2] == "1":
        return " ".join(part for part in (seg[4], seg[5], seg[3], seg[7]) if part)
    return seg[3]
