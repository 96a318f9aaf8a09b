"""A small, tolerant X12 reader and writer: envelopes, segments and delimiters, nothing more.

Reading follows the interchange header: the ISA segment is fixed-width (106 characters), so its
own characters say which delimiters the rest uses: the element separator at index 3, the
repetition separator at 82 (ISA11), the component separator at 104 (ISA16) and the segment
terminator at 105. Segments may be followed by newlines or not.

It is strict about the envelope only, because a broken envelope means a lost or mangled message:
a truncated ISA, an SE whose count or control number does not match its ST, a missing SE, GE or
IEA. Inside a transaction it accepts any segment and any code; the 271 reader decides what they
mean. Errors are one-line `X12Error`s naming segments and control numbers, never their contents.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .errors import X12Error

ISA_LENGTH = 106
# Where the element separator must sit in a well-formed ISA: after "ISA" and each fixed-width field.
_ISA_SEPARATORS = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)


@dataclass(frozen=True)
class Delimiters:
    element: str = "*"
    repetition: str = "^"
    component: str = ":"
    segment: str = "~"


STANDARD = Delimiters()


@dataclass
class Segment:
    """One segment; `seg[1]` is its first element, as the guides number them ("" when absent)."""

    elements: list[str]
    delimiters: Delimiters = STANDARD
    position: int = 0

    @property
    def id(self) -> str:
        return self.elements[0]

    def __getitem__(self, index: int) -> str:
        return self.elements[index] if index < len(self.elements) else ""

    def repeats(self, index: int) -> list[str]:
        """A repeating element (EB03, EQ01) split on the repetition separator, empty parts dropped."""
        value = self[index]
        parts = value.split(self.delimiters.repetition) if self.delimiters.repetition else [value]
        return [part.strip() for part in parts if part.strip()]

    def components(self, index: int) -> list[str]:
        return self[index].split(self.delimiters.component)


@dataclass
class Transaction:
    set_id: str
    control_number: str
    version: str
    segments: list[Segment] = field(default_factory=list)


@dataclass
class FunctionalGroup:
    functional_id: str
    sender_id: str
    receiver_id: str
    control_number: str
    version: str
    transactions: list[Transaction] = field(default_factory=list)


@dataclass
class Interchange:
    delimiters: Delimiters
    sender_id: str
    receiver_id: str
    control_number: str
    usage: str
    groups: list[FunctionalGroup] = field(default_factory=list)
    # Interchange acknowledgements (TA1) sit outside any group.
    acknowledgements: list[Segment] = field(default_factory=list)

    @property
    def transactions(self) -> list[Transaction]:
        return [transaction for group in self.groups for transaction in group.transactions]


def read_delimiters(text: str) -> Delimiters:
    """The delimiters an interchange declares in its ISA; X12Error if the ISA is not whole."""
    if not text.startswith("ISA"):
        raise X12Error("Not an X12 interchange: it must start with an ISA segment.")
    if len(text) < ISA_LENGTH:
        raise X12Error(f"Truncated ISA segment: it must be {ISA_LENGTH} characters, the input has only {len(text)}.")
    element = text[3]
    if element.isalnum() or element.isspace():
        raise X12Error(f"Malformed ISA segment: {element!r} cannot be an element separator.")
    if any(text[index] != element for index in _ISA_SEPARATORS) or text[:ISA_LENGTH].count(element) != 16:
        raise X12Error(
            f"Truncated or malformed ISA segment: its 16 fields must have their fixed widths ({ISA_LENGTH} characters)."
        )
    repetition, component, terminator = text[82], text[104], text[105]
    if terminator.isalnum() or terminator in (element, component):
        raise X12Error(f"Malformed ISA segment: {terminator!r} cannot be a segment terminator.")
    # Before version 00501 ISA11 was a standards identifier ("U"), not a repetition separator.
    if repetition.isalnum() or repetition in (element, component, terminator):
        repetition = ""
    return Delimiters(element=element, repetition=repetition, component=component, segment=terminator)


def split_segments(text: str) -> tuple[Delimiters, list[Segment]]:
    text = text.lstrip("\ufeff \t\r\n")
    delimiters = read_delimiters(text)
    segments = []
    for raw in text.split(delimiters.segment):
        raw = raw.strip()
        if raw:
            elements = [element.strip() for element in raw.split(delimiters.element)]
            elements[0] = elements[0].upper()
            segments.append(Segment(elements, delimiters, position=len(segments) + 1))
    return delimiters, segments


def parse(text: str) -> Interchange:
    """Read one interchange, checking its envelope; X12Error with a one-line reason if it is broken."""
    delimiters, segments = split_segments(text)
    isa = segments[0]
    interchange = Interchange(
        delimiters=delimiters,
        sender_id=isa[6].strip(),
        receiver_id=isa[8].strip(),
        control_number=isa[13].strip(),
        usage=isa[15].strip(),
    )
    group: FunctionalGroup | None = None
    transaction: Transaction | None = None
    transaction_start = 0
    closed = False
    for seg in segments[1:]:
        if closed:
            raise X12Error(f"Unexpected {seg.id} segment after the IEA trailer (segment {seg.position}).")
        if seg.id == "ISA":
            raise X12Error(f"A second ISA segment (segment {seg.position}) starts before the first interchange's IEA.")
        if seg.id == "TA1" and group is None:
            interchange.acknowledgements.append(seg)
        elif seg.id == "GS":
            if group is not None:
                raise X12Error(f"Functional group {group.control_number} has no GE trailer before the next GS.")
            group = FunctionalGroup(seg[1], seg[2], seg[3], seg[6], seg[8])
        elif seg.id == "ST":
            if group is None:
                raise X12Error(f"ST segment {seg[2]!r} is outside a functional group (no GS before it).")
            if transaction is not None:
                raise X12Error(f"Transaction {transaction.control_number} has no SE trailer before the next ST.")
            transaction = Transaction(seg[1], seg[2], seg[3])
            transaction_start = seg.position
        elif seg.id == "SE":
            if transaction is None:
                raise X12Error(f"SE segment (segment {seg.position}) has no ST before it.")
            _check_se(seg, transaction, seg.position - transaction_start + 1)
            group.transactions.append(transaction)
            transaction = None
        elif seg.id == "GE":
            if group is None:
                raise X12Error(f"GE segment (segment {seg.position}) has no GS before it.")
            if transaction is not None:
                raise X12Error(f"Transaction {transaction.control_number} has no SE trailer.")
            _check_count("GE", seg[1], len(group.transactions), "transactions", f"group {group.control_number}")
            _check_control("GE", seg[2], "GS", group.control_number)
            interchange.groups.append(group)
            group = None
        elif seg.id == "IEA":
            if transaction is not None:
                raise X12Error(f"Transaction {transaction.control_number} has no SE trailer.")
            if group is not None:
                raise X12Error(f"Functional group {group.control_number} has no GE trailer.")
            _check_count("IEA", seg[1], len(interchange.groups), "functional groups", "the interchange")
            _check_control("IEA", seg[2], "ISA", interchange.control_number)
            closed = True
        elif transaction is not None:
            transaction.segments.append(seg)
        else:
            raise X12Error(f"{seg.id} segment (segment {seg.position}) is outside any transaction.")
    if not closed:
        if transaction is not None:
            raise X12Error(f"The input is cut short: transaction {transaction.control_number} has no SE trailer.")
        if group is not None:
            raise X12Error(f"The input is cut short: functional group {group.control_number} has no GE trailer.")
        raise X12Error("The input is cut short: the interchange has no IEA trailer.")
    return interchange


def _check_se(se: Segment, transaction: Transaction, counted: int) -> None:
    if not se[1].isdigit():
        raise X12Error(f"Transaction {transaction.control_number}: SE01 {se[1]!r} is not a segment count.")
    if int(se[1]) != counted:
        raise X12Error(
            f"Transaction {transaction.control_number}: SE says {int(se[1])} segments, "
            f"but there are {counted} from ST to SE."
        )
    if se[2] != transaction.control_number:
        raise X12Error(
            f"SE control number {se[2]!r} does not match its ST control number {transaction.control_number!r}."
        )


def _check_count(trailer: str, value: str, counted: int, what: str, where: str) -> None:
    if not value.isdigit() or int(value) != counted:
        raise X12Error(f"{trailer} says {value!r} {what}, but {where} has {counted}.")


def _check_control(trailer: str, value: str, header: str, expected: str) -> None:
    same = value == expected or (value.isdigit() and expected.isdigit() and int(value) == int(expected))
    if not same:
        raise X12Error(f"{trailer} control number {value!r} does not match the {header} control number {expected!r}.")


# --- Writing ------------------------------------------------------------------------------------


class Writer:
    """Builds one interchange with one functional group, cleaning values of delimiter characters.

    An element given as a list or tuple is written as repetitions (EQ01, EB03); a `Composite` is
    written with the component separator.
    """

    def __init__(self, delimiters: Delimiters = STANDARD, *, newlines: bool = False):
        self.delimiters = delimiters
        self.newlines = newlines

    def clean(self, value: object) -> str:
        text = "" if value is None else str(value)
        d = self.delimiters
        for char in {d.element, d.repetition, d.component, d.segment, "\r", "\n"} - {""}:
            text = text.replace(char, " ")
        return " ".join(text.split())

    def element(self, value: object) -> str:
        if isinstance(value, Composite):
            return self.delimiters.component.join(self.clean(part) for part in value.parts).rstrip(
                self.delimiters.component
            )
        if isinstance(value, list | tuple):
            return self.delimiters.repetition.join(self.clean(part) for part in value if self.clean(part))
        return self.clean(value)

    def segment(self, seg_id: str, *elements: object) -> str:
        values = [self.element(value) for value in elements]
        while values and not values[-1]:
            values.pop()  # trailing empty elements are left out, as the standard asks
        return self.delimiters.element.join([seg_id, *values])

    def interchange(
        self,
        transactions: Sequence[tuple[str, str, Iterable[Sequence[object]]]],
        *,
        functional_id: str,
        sender_id: str,
        receiver_id: str,
        control_number: int,
        now: dt.datetime,
        usage: str = "P",
        version: str = "005010X279A1",
    ) -> str:
        """ISA/GS ... GE/IEA around `transactions`, each (set id, control number, body segments)."""
        d = self.delimiters
        isa = d.element.join(
            [
                "ISA",
                "00",
                " " * 10,
                "00",
                " " * 10,
                "ZZ",
                self.clean(sender_id)[:15].ljust(15),
                "ZZ",
                self.clean(receiver_id)[:15].ljust(15),
                now.strftime("%y%m%d"),
                now.strftime("%H%M"),
                d.repetition or "U",
                "00501",
                f"{control_number:09d}",
                "0",
                usage,
                d.component,
            ]
        )
        lines = [isa]
        group_control = str(control_number % 10**9)
        lines.append(
            self.segment(
                "GS",
                functional_id,
                sender_id,
                receiver_id,
                now.strftime("%Y%m%d"),
                now.strftime("%H%M"),
                group_control,
                "X",
                version,
            )
        )
        for set_id, st_control, body in transactions:
            written = [self.segment("ST", set_id, st_control, version)]
            written += [self.segment(*seg) for seg in body]
            written.append(self.segment("SE", len(written) + 1, st_control))
            lines += written
        lines.append(self.segment("GE", len(transactions), group_control))
        lines.append(self.segment("IEA", 1, f"{control_number:09d}"))
        joiner = d.segment + ("\n" if self.newlines else "")
        return joiner.join(lines) + d.segment + ("\n" if self.newlines else "")


@dataclass(frozen=True)
class Composite:
    parts: tuple[object, ...]

    def __init__(self, *parts: object):
        object.__setattr__(self, "parts", parts)


def parse_date(value: str) -> dt.date | None:
    """A CCYYMMDD date, or None when it is not one."""
    try:
        return dt.datetime.strptime(value.strip(), "%Y%m%d").date()
    except ValueError:
        return None


def parse_date_range(value: str) -> tuple[dt.date | None, dt.date | None]:
    """A D8 date or an RD8 range ("CCYYMMDD-CCYYMMDD") as (start, end)."""
    if "-" in value:
        start, _, end = value.partition("-")
        return parse_date(start), parse_date(end)
    date = parse_date(value)
    return date, date
