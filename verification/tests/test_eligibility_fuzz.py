"""Every fixture keeps every row it holds, and no damaged copy of one crashes the reader.

Payers' answers arrive with segments missing, repeated, out of order or with elements slid along;
the reader must then give a summary (with warnings) or a one-line X12Error/EligibilityError, never
a traceback, and the summary must still store and load.
"""

import json
import random
from pathlib import Path

import pytest

from verification.eligibility import BenefitSummary, EligibilityError, read_271
from verification.eligibility.x12 import parse

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = {"271_bad_se_count.x12", "271_control_mismatch.x12", "271_missing_iea.x12", "271_truncated_isa.x12"}
READABLE = sorted(path.name for path in FIXTURES.glob("271_*.x12") if path.name not in BROKEN)
JUNK = [
    "",
    "X",
    "-5",
    "1840",
    "2500.00",
    "1E+9",
    "9E+99999",
    "NaN",
    "sNaN",
    "Infinity",
    "0.000001",
    "IL",
    "03",
    "2120",
    "Y",
    "ÿ",
]


def segments_of(name: str, segment_id: str) -> list[list[str]]:
    return [seg.elements for seg in _segments(name) if seg.id == segment_id]


def companies_named_for_benefits(name: str) -> int:
    """NM1 segments after a person's first benefit row that name someone other than a person (2120)."""
    count, after_benefits = 0, False
    for seg in _segments(name):
        if seg.id == "HL":
            after_benefits = False
        after_benefits = after_benefits or seg.id == "EB"
        count += after_benefits and seg.id == "NM1" and seg[1] not in ("IL", "03")
    return count


def _segments(name: str) -> list:
    return [seg for transaction in parse((FIXTURES / name).read_text()).transactions for seg in transaction.segments]


@pytest.mark.parametrize("name", READABLE)
def test_it_keeps_every_benefit_row_message_rejection_and_related_entity(name):
    summary = read_271((FIXTURES / name).read_text())
    rows = [row for person in summary.subscribers for row in person.benefits]

    assert len(rows) == len(segments_of(name, "EB"))
    assert sum(len(row.messages) for row in rows) == len(segments_of(name, "MSG"))
    assert len(summary.rejections) == len(segments_of(name, "AAA"))
    assert sum(len(row.related_entities) for row in rows) == companies_named_for_benefits(name)


def _mutate(text: str, rng: random.Random) -> str:
    """The interchange with one body segment deleted, repeated, moved or given a junk element; SE recounted."""
    separator, terminator = text[3], text[105]
    segments = [seg.strip() for seg in text.split(terminator) if seg.strip()]
    start = next(i for i, seg in enumerate(segments) if seg.startswith(f"ST{separator}")) + 1
    end = next(i for i, seg in enumerate(segments) if seg.startswith(f"SE{separator}"))
    body = segments[start:end]
    index = rng.randrange(len(body))
    action = rng.choice(["delete", "repeat", "move", "junk", "junk", "shift"])
    if action == "delete":
        del body[index]
    elif action == "repeat":
        body.insert(rng.randrange(len(body) + 1), body[index])
    elif action == "move":
        body.insert(rng.randrange(len(body)), body.pop(index))
    else:
        elements = body[index].split(separator)
        position = rng.randrange(1, max(len(elements), 2) + 2)
        elements += [""] * (position + 1 - len(elements))
        if action == "junk":
            elements[position] = rng.choice(JUNK)
        else:
            elements.insert(position, rng.choice(JUNK))  # an element slides along
        body[index] = separator.join(elements)
    se = segments[end].split(separator)
    se[1] = str(len(body) + 2)
    return terminator.join([*segments[:start], *body, separator.join(se), *segments[end + 1 :]]) + terminator


@pytest.mark.parametrize("name", READABLE)
def test_it_never_crashes_on_a_damaged_copy_of_a_fixture(name):
    rng = random.Random(f"lantern-{name}")  # the same damage on every run
    text = (FIXTURES / name).read_text()
    for _ in range(60):
        damaged = _mutate(text, rng)
        try:
            summary = read_271(damaged)
        except EligibilityError as error:
            assert "\n" not in str(error)
            continue
        stored = json.loads(json.dumps(summary.to_dict()))
        assert BenefitSummary.from_dict(stored) == summary
