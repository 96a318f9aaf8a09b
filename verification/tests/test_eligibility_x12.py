"""The X12 envelope: delimiters from the ISA, newlines or none, and broken files refused in one line."""

import datetime as dt
from pathlib import Path

import pytest

from verification.eligibility import EligibilityError, EligibilityRequest, X12Error, build_270, read_271
from verification.eligibility.x12 import parse

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def comparable(summary) -> dict:
    data = summary.to_dict()
    data.pop("checked_at")
    return data


def test_it_takes_its_delimiters_from_the_isa_even_when_they_are_unusual():
    # Element "|", repetition "}", component "<": a "*" is then plain data, part of a name.
    summary = read_271(fixture("271_custom_delimiters.x12"))
    person = summary.subscriber

    assert summary.payer_name == "STAR*CARE HEALTH PLAN"
    assert person.plan_name == "STAR*CARE SELECT HMO"
    assert person.benefits[0].service_types == ["30", "AI", "AJ", "AK"]
    assert person.benefits[-1].procedure == "HC:90837"
    assert person.levels["detox"].in_network.deductible_individual.remaining == 640


def test_it_reads_the_same_answer_with_newlines_without_them_and_with_crlf():
    with_newlines = fixture("271_active_behavioural.x12")
    one_line = with_newlines.replace("\n", "")
    crlf = with_newlines.replace("\n", "\r\n")

    expected = comparable(read_271(with_newlines))
    assert expected["subscribers"][0]["levels"]["residential"]["in_network"]["deductible_individual"]["remaining"]
    assert comparable(read_271(one_line)) == expected
    assert comparable(read_271(crlf)) == expected


def test_it_splits_repeating_elements_on_the_declared_repetition_separator():
    interchange = parse(fixture("271_active_behavioural.x12"))
    first_eb = next(seg for seg in interchange.transactions[0].segments if seg.id == "EB")

    assert interchange.delimiters.repetition == "^"
    assert first_eb.repeats(3) == ["30", "AI", "AJ", "AK", "MH", "A8", "RT", "BB"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("271_bad_se_count.x12", "Transaction 0001: SE says 14 segments, but there are 15 from ST to SE."),
        ("271_truncated_isa.x12", "Truncated ISA segment: it must be 106 characters, the input has only 60."),
        ("271_missing_iea.x12", "The input is cut short: the interchange has no IEA trailer."),
        ("271_control_mismatch.x12", "SE control number '0002' does not match its ST control number '0001'."),
    ],
)
def test_it_refuses_a_broken_envelope_with_one_clear_line(name, reason):
    with pytest.raises(X12Error) as caught:
        read_271(fixture(name))

    assert str(caught.value) == reason
    assert isinstance(caught.value, EligibilityError)


def test_it_refuses_an_isa_whose_fields_lost_their_fixed_width():
    text = fixture("271_inactive.x12").replace("*ZZ*BRIGHTWATER    *", "*ZZ*BRIGHTWATER*", 1)

    with pytest.raises(X12Error, match="fixed widths"):
        read_271(text)


def test_it_keeps_member_details_out_of_its_error_messages():
    # Errors are logged and shown on task records: they name segments, never their contents.
    broken = fixture("271_inactive.x12").replace("SE*15*0001", "SE*99*0001")

    with pytest.raises(X12Error) as caught:
        read_271(broken)

    for secret in ("NOVAK", "CASEY", "BWM551902277", "19810130"):
        assert secret not in str(caught.value)


def test_it_says_so_when_handed_a_270_instead_of_a_271():
    request = EligibilityRequest(
        payer_id="BWM01",
        payer_name="Brightwater Mutual Health",
        provider_name="Lantern Recovery Center",
        provider_npi="1234567893",
        member_id="BWM884120031",
        first_name="Alex",
        last_name="Rivera",
        date_of_birth=dt.date(1988, 3, 14),
    )

    with pytest.raises(EligibilityError, match=r"no 271 transaction \(found 270\)"):
        read_271(build_270(request))


def test_it_explains_a_999_rejection_of_our_270():
    ack = (
        "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*LANTERN        *261115*0930*^*00501*000000012*0*P*:~"
        "GS*FA*CLEARINGHOUSE*LANTERN*20261115*0930*12*X*005010X231A1~"
        "ST*999*0001*005010X231A1~AK1*HS*4471*005010X279A1~AK2*270*0001~IK5*R*5~AK9*R*1*1*0~SE*6*0001~"
        "GE*1*12~IEA*1*000000012~"
    )

    with pytest.raises(EligibilityError, match=r"999 acknowledgement \(AK9 R\), not a 271"):
        read_271(ack)
