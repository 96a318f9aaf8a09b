"""Our 270 inquiry: an envelope the reader accepts, and a dependent asked about under the subscriber."""

import datetime as dt

import pytest

from verification.eligibility import EligibilityError, EligibilityRequest, build_270, read_270
from verification.eligibility.x12 import Delimiters, parse

NOW = dt.datetime(2026, 11, 21, 9, 45)


def request(**changes) -> EligibilityRequest:
    """Jamie Chen asks about their own coverage; changes make them someone's dependent."""
    fields = {
        "payer_id": "BWM01",
        "payer_name": "Brightwater Mutual Health",
        "provider_name": "Lantern Recovery Center",
        "provider_npi": "1234567893",
        "member_id": "BWM884120031",
        "first_name": "Jamie",
        "last_name": "Chen",
        "date_of_birth": dt.date(1990, 5, 17),
        "group_number": "GRP-20417",
        "date_of_service": dt.date(2026, 11, 21),
        "trace_number": "TRC-270-1",
    }
    return EligibilityRequest(**{**fields, **changes})


def test_it_builds_an_envelope_whose_counts_and_control_numbers_match():
    text = build_270(request(), control_number=4471, now=NOW)
    interchange = parse(text)  # raises on any count or control number that does not match
    (group,) = interchange.groups
    (transaction,) = group.transactions
    segments = transaction.segments
    se = text.split("~")[-4]

    assert interchange.control_number == "000004471"
    assert text.rstrip("~").endswith("IEA*1*000004471")
    assert (group.functional_id, group.control_number, group.version) == ("HS", "4471", "005010X279A1")
    assert (transaction.set_id, transaction.control_number) == ("270", "0001")
    assert se == f"SE*{len(segments) + 2}*0001"
    assert [seg[3] for seg in segments if seg.id == "HL"] == ["20", "21", "22"]
    assert segments[0].elements == ["BHT", "0022", "13", "TRC-270-1", "20261121", "0945"]


def test_it_asks_about_the_patient_the_payer_will_look_up():
    inquiry = read_270(build_270(request(), now=NOW))

    assert (inquiry.payer_id, inquiry.provider_npi) == ("BWM01", "1234567893")
    assert (inquiry.member_id, inquiry.first_name, inquiry.last_name) == ("BWM884120031", "Jamie", "Chen")
    assert inquiry.date_of_birth == dt.date(1990, 5, 17)
    assert inquiry.group_number == "GRP-20417"
    assert inquiry.trace_number == "TRC-270-1"
    assert inquiry.date_of_service == dt.date(2026, 11, 21)
    assert inquiry.service_types == ["30", "AI", "AJ", "AK", "MH", "A8", "RT", "BB"]
    assert not inquiry.dependent


def test_it_puts_a_dependent_in_an_hl_23_loop_under_the_subscriber():
    text = build_270(
        request(
            relationship="child",
            subscriber_first_name="Taylor",
            subscriber_last_name="Chen",
            subscriber_date_of_birth=dt.date(1966, 2, 3),
        ),
        now=NOW,
    )
    lines = text.split("~")
    inquiry = read_270(text)

    assert "HL*3*2*22*1" in lines
    assert "HL*4*3*23*0" in lines
    assert lines.index("NM1*IL*1*Chen*Taylor****MI*BWM884120031") < lines.index("HL*4*3*23*0")
    # Trace, patient, relationship and the question itself all belong to the dependent's loop.
    dependent_loop = lines[lines.index("HL*4*3*23*0") :]
    assert dependent_loop[1:7] == [
        "TRN*1*TRC-270-1*9LANTERN00",
        "NM1*03*1*Chen*Jamie",
        "DMG*D8*19900517",
        "INS*N*19",
        "DTP*291*D8*20261121",
        "EQ*30^AI^AJ^AK^MH^A8^RT^BB",
    ]
    assert inquiry.dependent and inquiry.relationship == "child"
    assert (inquiry.first_name, inquiry.subscriber_first_name) == ("Jamie", "Taylor")
    assert inquiry.subscriber_date_of_birth == dt.date(1966, 2, 3)
    assert inquiry.hl_levels == ["20", "21", "22", "23"]


def test_it_keeps_phi_out_of_the_requests_repr():
    # A request that ends up in a task's log or a traceback must not carry the patient with it.
    text = repr(request())

    assert "TRC-270-1" in text
    for secret in ("Chen", "Jamie", "BWM884120031", "1990"):
        assert secret not in text


def test_it_keeps_delimiters_typed_into_names_from_breaking_the_inquiry():
    text = build_270(request(last_name="O*Brien~Smith", first_name="Jo^an:ne"), now=NOW)
    inquiry = read_270(text)

    assert (inquiry.last_name, inquiry.first_name) == ("O Brien Smith", "Jo an ne")


def test_it_writes_the_delimiters_it_is_given_and_reads_them_back():
    text = build_270(request(), now=NOW, delimiters=Delimiters("|", "}", "<", "~"), newlines=True)

    assert text[3] == "|" and text[82] == "}" and text[104] == "<" and text[105] == "~"
    assert "EQ|30}AI}AJ}AK}MH}A8}RT}BB~\n" in text
    assert read_270(text).service_types == ["30", "AI", "AJ", "AK", "MH", "A8", "RT", "BB"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"provider_npi": "12345"}, "provider_npi must be the provider's 10-digit NPI"),
        ({"member_id": "  "}, "member_id is empty"),
        ({"relationship": "cousin"}, "relationship 'cousin' is not self/spouse/child/other"),
        ({"service_types": ["30", "MENTAL"]}, "service types must be 1-2 letter or digit codes"),
    ],
)
def test_it_refuses_to_build_an_inquiry_a_payer_would_reject(changes, reason):
    with pytest.raises(EligibilityError, match=reason) as caught:
        build_270(request(**changes), now=NOW)

    assert "Chen" not in str(caught.value) and "1990" not in str(caught.value)
