"""The supervisors' metrics page and its CSV export."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake import crypto
from intake.metrics import DateRange, parse_range, percentile
from intake.metrics_figures import LeadMetrics
from intake.models import ContactAttempt, Lead

NY = ZoneInfo("America/New_York")
MARCH = {"from": "2026-03-02", "to": "2026-03-04"}
PEOPLE = {
    "a": ("Alma Quintero", "+14155550101"),
    "b": ("Bruno Castellanos", "+14155550102"),
    "c": ("Cleo Marchetti", "+14155550103"),
    "d": ("Dario Ostrowski", "+14155550104"),
    "e": ("Esme Varga", "+14155550105"),
}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NY)


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


@pytest.fixture(autouse=True)
def _centre_in_new_york(settings):
    settings.CENTRE_TIMEZONE = "America/New_York"
    # Weekdays 8 a.m. to 8 p.m.: a request at 11:30 p.m. or at 7 a.m. is out of call-back hours.
    settings.CENTRE_HOURS = "mon-fri 08:00-20:00; sat-sun 09:00-17:00"


@pytest.fixture
def workers(staff):
    """Avery and Blake as the metrics name them: by full name."""
    staff["avery"].first_name, staff["avery"].last_name = "Avery", "Okafor"
    staff["blake"].first_name, staff["blake"].last_name = "Blake", "Lindqvist"
    for user in (staff["avery"], staff["blake"]):
        user.save()
    return staff


@pytest.fixture
def march(workers):
    """Five leads over Mon 2 - Wed 4 March 2026 (Tuesday has none), and three that must not count.

    |   | created   | hours | kind         | urgent | called | attempts (by)                 | status      | assignee |
    | a | Mon 09:00 | in    | callback     |        | 4 min  | reached (A)                   | reached     | A        |
    | b | Mon 10:00 | in    | callback     |        | 10 min | 2 x no answer (B)             | contacting  | B        |
    | c | Mon 23:30 | out   | callback     | yes    | 30 min | no answer (A), reached (B)    | admitted    | B        |
    | d | Wed 07:00 | out   | verification |        | 60 min | voicemail (A)                 | unreachable |          |
    | e | Wed 09:00 | in    | verification | yes    | never  |                               | new         | B        |

    A is Avery Okafor, B Blake Lindqvist. Each has a 15-minute target, but d has none.
    """

    def lead(key, created, *, contacted_after=None, sla_after=15, attempts=(), **fields):
        name, phone = PEOPLE[key]
        made = Lead.objects.create(
            name=name,
            phone=phone,
            email=f"{key}@example.com",
            created_at=created,
            first_contacted_at=created + minutes(contacted_after) if contacted_after is not None else None,
            sla_due_at=created + minutes(sla_after) if sla_after is not None else None,
            attempt_count=len(attempts),
            **fields,
        )
        for n, (who, outcome) in enumerate(attempts):
            ContactAttempt.objects.create(
                lead=made, staff=workers[who], outcome=outcome, created_at=created + minutes(contacted_after + n)
            )
        return made

    avery, blake = workers["avery"], workers["blake"]
    leads = {
        "a": lead(
            "a",
            at(2026, 3, 2, 9, 0),
            contacted_after=4,
            attempts=[("avery", "reached")],
            status="reached",
            utm_source="google",
            landing_page="/detox/",
            assigned_to=avery,
        ),
        "b": lead(
            "b",
            at(2026, 3, 2, 10, 0),
            contacted_after=10,
            attempts=[("blake", "no_answer"), ("blake", "no_answer")],
            status="contacting",
            utm_source="google",
            landing_page="/detox/",
            assigned_to=blake,
        ),
        # Late on Monday in New York, already Tuesday in UTC: it belongs to Monday.
        "c": lead(
            "c",
            at(2026, 3, 2, 23, 30),
            contacted_after=30,
            attempts=[("avery", "no_answer"), ("blake", "reached")],
            status="admitted",
            urgent=True,
            referrer="www.bing.com",
            landing_page="/",
            assigned_to=blake,
        ),
        "d": lead(
            "d",
            at(2026, 3, 4, 7, 0),
            contacted_after=60,
            sla_after=None,
            attempts=[("avery", "voicemail")],
            status="unreachable",
            kind="verification",
        ),
        "e": lead(
            "e",
            at(2026, 3, 4, 9, 0),
            utm_source="google",
            landing_page="/verify/",
            kind="verification",
            urgent=True,
            assigned_to=blake,
        ),
    }
    Lead.objects.create(name="Early Bird", phone="+14155550201", created_at=at(2026, 3, 1, 23, 59), utm_source="google")
    Lead.objects.create(name="Night Owl", phone="+14155550202", created_at=at(2026, 3, 5, 0, 1), utm_source="google")
    twin = Lead.objects.create(
        name="Merged Twin",
        phone="+14155550101",
        created_at=at(2026, 3, 3, 12, 0),
        status="merged",
        merged_into=leads["a"],
        assigned_to=workers["casey"],
    )
    ContactAttempt.objects.create(
        lead=twin, staff=workers["casey"], outcome="reached", created_at=at(2026, 3, 3, 12, 5)
    )
    return leads


def march_metrics() -> LeadMetrics:
    return LeadMetrics.for_range(DateRange(dt.date(2026, 3, 2), dt.date(2026, 3, 4), NY))


def test_it_takes_the_90th_percentile_as_a_value_nine_in_ten_leads_were_called_within():
    assert percentile(list(range(1, 21)), 90) == 18
    assert percentile([7.0, 1.0, 3.0], 90) == 7.0
    assert percentile([], 90) is None


@pytest.mark.django_db
def test_it_measures_speed_to_lead_sla_and_response_rate_on_known_leads(march):
    m = march_metrics()
    speed = m.overall

    assert m.total == 5
    assert speed.contacted == 4
    assert speed.median_minutes == 20  # 4, 10, 30, 60
    assert speed.p90_minutes == 60
    # a and b called in time; c called late; e never called and long overdue; d had no deadline.
    assert (speed.sla_met, speed.sla_judged, speed.sla_share) == (2, 4, 0.5)
    assert (m.totals.reached, m.totals.reached_percent) == (2, 40)
    # Only c was admitted; a, b and e are still open.
    assert (m.totals.admitted, m.totals.admission_rate, m.totals.still_open) == (1, 0.2, 3)


@pytest.mark.django_db
def test_it_counts_leads_per_local_day_including_days_with_none(march):
    assert march_metrics().per_day == [(dt.date(2026, 3, 2), 3), (dt.date(2026, 3, 3), 0), (dt.date(2026, 3, 4), 2)]


@pytest.mark.django_db
def test_it_counts_outcomes_per_status_with_their_labels_and_without_merged_leads(march):
    outcomes = {o.label: o.count for o in march_metrics().outcomes}

    assert outcomes == {
        "New": 1,
        "Contacting": 1,
        "Reached": 1,
        "Assessment scheduled": 0,
        # The admissions path's stages, each counted even when empty: a supervisor sees where leads stand.
        "Awaiting clinical review": 0,
        "More information needed": 0,
        "Accepted for admission": 0,
        "On a waitlist": 0,
        "Admission scheduled": 0,
        "Referral out recommended": 0,
        "Admitted": 1,
        "Referred elsewhere": 0,
        "Not a fit": 0,
        "Unreachable": 1,
    }


@pytest.mark.django_db
def test_it_does_not_count_a_lead_as_missing_the_sla_before_its_deadline(staff):
    now = timezone.now()
    Lead.objects.create(name="Fresh", phone="+14155550301", created_at=now - minutes(2), sla_due_at=now + minutes(13))
    Lead.objects.create(name="Late", phone="+14155550302", created_at=now - minutes(30), sla_due_at=now - minutes(15))

    m = LeadMetrics.for_range(DateRange.last_days(tz=NY), now=now)

    assert (m.overall.sla_met, m.overall.sla_judged, m.overall.sla_pending) == (0, 1, 1)
    assert m.overall.median_minutes is None and m.overall.p90_minutes is None


@pytest.mark.django_db
def test_it_says_so_when_no_lead_has_been_contacted_yet(client, staff, settings):
    settings.CENTRE_HOURS = "24/7"
    Lead.objects.create(name="Waiting", phone="+14155550401")
    client.force_login(staff["sam"])

    html = client.get(reverse("staff:metrics")).content.decode()

    assert "No contacted leads yet" in html
    # A group with a lead nobody has called, and one with no lead at all, say which it is.
    assert re.search(r"In call-back hours</th>\s*<td[^>]*>1</td>\s*<td[^>]*><span[^>]*>no calls yet<", html)
    assert re.search(r"Out of hours</th>\s*<td[^>]*>0</td>\s*<td[^>]*><span[^>]*>no leads<", html)
    assert ">no leads</text>" in html and ">no calls yet</text>" in html


@pytest.mark.django_db
def test_it_explains_a_bad_date_next_to_the_field_and_shows_the_last_30_days(client, staff):
    Lead.objects.create(name="Today", phone="+14155550501")
    client.force_login(staff["sam"])
    today = timezone.localdate(timezone=NY)

    html = client.get(reverse("staff:metrics"), {"from": "2026-02-30", "to": "2026-03-04"}).content.decode()

    assert 'aria-describedby="id_from_error"' in html
    assert '<div class="invalid-feedback" id="id_from_error">Enter a date like 2026-03-31' in html
    assert "id_to_error" not in html
    assert "last 30 days" in html
    start = today - dt.timedelta(days=29)
    assert f"{start:%b} {start.day}, {start.year} to {today:%b} {today.day}, {today.year}" in html


def test_it_refuses_a_range_that_ends_before_it_starts():
    today = dt.date(2026, 3, 31)

    date_range, errors = parse_range({"from": "2026-03-10", "to": "2026-03-01"}, today=today, tz=NY)

    assert errors == {"from": "The start date must be on or before the end date."}
    assert (date_range.start, date_range.end) == (dt.date(2026, 3, 2), today)


@pytest.mark.django_db
def test_it_counts_whole_local_days_across_a_clock_change():
    # US clocks went forward at 2 a.m. on Sunday 8 March 2026: that day had 23 hours.
    for name, created in [("First", at(2026, 3, 8, 0, 5)), ("Last", at(2026, 3, 8, 23, 55))]:
        Lead.objects.create(name=name, phone="+14155550701", created_at=created)
    Lead.objects.create(name="Monday", phone="+14155550702", created_at=at(2026, 3, 9, 0, 10))

    m = LeadMetrics.for_range(DateRange(dt.date(2026, 3, 8), dt.date(2026, 3, 8), NY))

    assert m.per_day == [(dt.date(2026, 3, 8), 2)]


@pytest.mark.django_db
def test_it_exports_one_row_per_lead_without_phi_and_audits_the_export(client, staff, march):
    client.force_login(staff["sam"])

    response = client.get(reverse("staff:metrics_csv"), MARCH, REMOTE_ADDR="10.1.2.3")
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="lantern-metrics-2026-03-02-2026-03-04.csv"'
    assert "no-store" in response["Cache-Control"]
    assert rows[0] == [
        "reference",
        "created",
        "kind",
        "urgent",
        "in call-back hours",
        "source",
        "landing page",
        "status",
        "minutes to first contact",
        "within target",
        "target",
        "attempts",
        "reached",
        "first call by",
        "assigned to",
        "admitted by",
        "worked by",
        "first call due",
        "facility",
        "referral source",
    ]
    a, b, c, d, e = (march[k].reference for k in "abcde")
    avery, blake = "Avery Okafor", "Blake Lindqvist"
    # fmt: off
    assert rows[1:] == [
        [a, "2026-03-02T09:00:00-05:00", "Callback", "no", "yes", "google", "/detox/", "Reached",
         "4.0", "yes", "met", "1", "yes", avery, avery, "", avery, "2026-03-02T09:15:00-05:00", "", ""],
        [b, "2026-03-02T10:00:00-05:00", "Callback", "no", "yes", "google", "/detox/", "Contacting",
         "10.0", "yes", "met", "2", "no", blake, blake, "", blake, "2026-03-02T10:15:00-05:00", "", ""],
        [c, "2026-03-02T23:30:00-05:00", "Callback", "yes", "no", "www.bing.com", "/", "Admitted",
         "30.0", "no", "missed", "2", "yes", avery, blake, blake, f"{avery}; {blake}", "2026-03-02T23:45:00-05:00",
         "", ""],
        [d, "2026-03-04T07:00:00-05:00", "Insurance verification", "no", "no", "Direct", "Unknown", "Unreachable",
         "60.0", "", "no target", "1", "no", avery, "", "", avery, "", "", ""],
        [e, "2026-03-04T09:00:00-05:00", "Insurance verification", "yes", "yes", "google", "/verify/", "New",
         "", "no", "missed", "0", "no", "", blake, "", blake, "2026-03-04T09:15:00-05:00", "", ""],
    ]
    # fmt: on
    for name, phone in PEOPLE.values():
        assert name not in body and phone not in body and phone[2:] not in body
    assert "@example.com" not in body

    entry = LogEntry.objects.get(object_pk="metrics-export")
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.actor == staff["sam"]
    assert entry.remote_addr == "10.1.2.3"
    assert entry.content_type == ContentType.objects.get_for_model(Lead)
    assert entry.object_repr == "Metrics CSV export"
    assert entry.additional_data == {
        "from": "2026-03-02",
        "to": "2026-03-04",
        "rows": 5,
        "actor": {"id": staff["sam"].pk, "username": "sam", "full_name": "", "email": "sam@lantern.example"},
    }


@pytest.mark.django_db
def test_it_exports_a_source_that_looks_like_a_formula_as_plain_text(client, staff):
    Lead.objects.create(name="Pat", phone="+14155550601", utm_source='=HYPERLINK("http://evil.example","x")')
    client.force_login(staff["sam"])

    rows = list(csv.reader(io.StringIO(client.get(reverse("staff:metrics_csv")).content.decode())))

    assert rows[1][5] == '\'=hyperlink("http://evil.example","x")'


@pytest.mark.django_db
def test_it_builds_the_page_and_export_without_decrypting_any_phi(client, staff, march, monkeypatch):
    client.force_login(staff["sam"])

    def refuse(token):
        raise AssertionError("metrics decrypted a PHI field")

    monkeypatch.setattr(crypto, "decrypt", refuse)

    assert client.get(reverse("staff:metrics"), MARCH).status_code == 200
    assert client.get(reverse("staff:metrics_csv"), MARCH).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["staff:metrics", "staff:metrics_csv"])
def test_it_refuses_admissions_workers_who_are_not_supervisors(client, staff, name):
    client.force_login(staff["avery"])

    assert client.get(reverse(name)).status_code == 403
    assert not LogEntry.objects.filter(object_pk="metrics-export").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["staff:metrics", "staff:metrics_csv"])
def test_it_sends_anonymous_visitors_to_sign_in_instead_of_showing_metrics(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def _leads_with_attempts(count: int, staff_member) -> None:
    now = timezone.now()
    leads = Lead.objects.bulk_create(
        Lead(
            name=f"Bulk {n}",
            phone=f"+1415555{n:04d}",
            created_at=now - minutes(n),
            first_contacted_at=now - minutes(n) + minutes(3),
            sla_due_at=now - minutes(n) + minutes(15),
            utm_source=f"source-{n % 7}",
            landing_page=f"/page-{n % 5}/",
        )
        for n in range(count)
    )
    ContactAttempt.objects.bulk_create(
        ContactAttempt(lead=lead, staff=staff_member, outcome="reached") for lead in leads
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["staff:metrics", "staff:metrics_csv"])
def test_it_keeps_the_same_number_of_queries_however_many_leads_there_are(
    client, staff, django_assert_max_num_queries, name
):
    client.force_login(staff["sam"])
    _leads_with_attempts(10, staff["avery"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name)).status_code == 200

    Lead.objects.all().delete()
    with connection.cursor() as cursor:  # the log refuses DELETE; emptying a test database is TRUNCATE
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check left pending
        cursor.execute("TRUNCATE auditlog_logentry")
    _leads_with_attempts(200, staff["avery"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(name))

    assert response.status_code == 200
    assert "Bulk" not in response.content.decode()
