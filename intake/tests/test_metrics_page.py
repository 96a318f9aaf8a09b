"""The metrics page as a supervisor reads it (tables, charts with their scales and values) and the
CSV beside it: every figure on the page can be worked out again from the export."""

import csv
import io
import re
import statistics
from collections import Counter, defaultdict
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from intake.metrics import minutes_text, percent, percentile

# The March leads and the centre's clock and hours they are worked out in.
from .test_metrics import MARCH, PEOPLE, _centre_in_new_york, march, workers  # noqa: F401


class Page(HTMLParser):
    """The page's tables by id (rows of cell texts, and whether folded in a <details>) and the
    words drawn in each chart, by the chart's id."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.folded: dict[str, bool] = {}
        self.charts: dict[str, list[str]] = {}
        self._details = 0
        self._table = self._chart = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details":
            self._details += 1
        elif tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
            self.folded[self._table] = self._details > 0
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "svg" and attrs.get("role") == "img":
            self._chart = attrs["aria-labelledby"].split()[0].removesuffix("-title")
            self.charts[self._chart] = []
        elif tag == "text" and self._chart:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "details":
            self._details -= 1
        elif tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "text" and self._chart and self._cell is not None:
            self.charts[self._chart].append("".join(self._cell))
            self._cell = None
        elif tag == "svg":
            self._chart = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def rows(self, table: str) -> dict[str, list[str]]:
        """Body rows by their first cell, without the header row or group headings."""
        return {row[0]: row[1:] for row in self.tables[table][1:] if len(row) > 1}


@pytest.fixture
def response(client, staff, request):
    request.getfixturevalue("march")
    client.force_login(staff["sam"])
    response = client.get(reverse("staff:metrics"), MARCH)
    assert response.status_code == 200
    return response


@pytest.fixture
def page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_it_shows_supervisors_the_key_figures_for_the_chosen_range(response, page):
    assert "no-store" in response["Cache-Control"]
    assert "Mar 2, 2026 to Mar 4, 2026" in page
    cards = re.findall(r'<p class="metric-value">([^<]+)</p>\s*<p class="metric-note">([^<]+)</p>', page)
    assert cards == [
        ("5", "3 still open"),
        # e was never called: the median and percentile are of the other four, and say so.
        ("20 min", "over 4 called leads; 1 not called yet"),
        ("60 min", "9 in 10 of the called leads were first called within this; 1 not called yet"),
        ("50%", "2 of 4"),
        ("40%", "2 of 5 spoken to"),
        ("20%", "1 of 5 admitted"),
    ]
    assert "style=" not in page and "<script" not in page
    for name, phone in PEOPLE.values():
        assert name not in page and phone not in page


@pytest.mark.django_db
def test_it_tables_speed_to_lead_by_request_type_urgency_and_hours(page):
    speed = Page(page).rows("speed-table")

    # Count, median and 90th percentile of the called ones, not called yet, called within target.
    assert speed == {
        "All leads": ["5", "20 min", "60 min", "1", "50% (2 of 4)"],
        "Callback": ["3", "10 min", "30 min", "0", "67% (2 of 3)"],
        "Insurance verification": ["2", "60 min", "60 min", "1", "0% (0 of 1)"],
        "Urgent": ["2", "30 min", "30 min", "1", "0% (0 of 2)"],
        "Not urgent": ["3", "10 min", "60 min", "0", "100% (2 of 2)"],
        "In call-back hours": ["3", "7 min", "10 min", "1", "67% (2 of 3)"],
        "Out of hours": ["2", "45 min", "60 min", "0", "0% (0 of 1)"],
    }
    headings = [row[0] for row in Page(page).tables["speed-table"] if len(row) == 1]
    assert headings == ["Request type", "Urgency", "When they asked"]


@pytest.mark.django_db
def test_it_draws_speed_to_lead_in_and_out_of_hours_on_scales_of_their_own_with_both_values_on_every_bar(page):
    parsed = Page(page)
    in_hours, out_of_hours = parsed.charts["speed-in-hours"], parsed.charts["speed-out-of-hours"]

    # In hours a (4 min) and b (10 min) were called, e not yet; out of hours c (30) and d (60).
    assert in_hours[:3] == ["0", "5", "10"] and out_of_hours[:4] == ["0", "20", "40", "60"]
    assert "Minutes from request to first call" in in_hours and "Minutes from request to first call" in out_of_hours
    at = in_hours.index("All leads")
    assert in_hours[at + 1 : at + 4] == ["median 7 min", "90% by 10 min", "1 not called yet"]
    assert in_hours[in_hours.index("Insurance verification") + 1] == "no calls yet"
    at = out_of_hours.index("All leads")
    assert out_of_hours[at + 1 : at + 3] == ["median 45 min", "90% by 60 min"]
    assert out_of_hours[at + 3] == "Callback"  # everyone was called: nothing more to say
    # The second series is told apart by its hatching and by its words, never by colour alone.
    assert 'fill="url(#speed-in-hours-hatch)"' in page
    assert "90th percentile: 9 in 10 of the called leads were called by then" in page
    # Each chart has its table, folded beneath it, with the same figures.
    assert parsed.folded["speed-in-hours-table"] and parsed.folded["speed-out-of-hours-table"]
    assert parsed.rows("speed-in-hours-table") == {
        "All leads": ["3", "7 min", "10 min", "1", "67% (2 of 3)"],
        "Callback": ["2", "7 min", "10 min", "0", "100% (2 of 2)"],
        "Insurance verification": ["1", "no calls yet", "1", "0% (0 of 1)"],
        "Urgent": ["1", "no calls yet", "1", "0% (0 of 1)"],
        "Not urgent": ["2", "7 min", "10 min", "0", "100% (2 of 2)"],
    }
    assert parsed.rows("speed-out-of-hours-table") == {
        "All leads": ["2", "45 min", "60 min", "0", "0% (0 of 1)"],
        "Callback": ["1", "30 min", "30 min", "0", "0% (0 of 1)"],
        "Insurance verification": ["1", "60 min", "60 min", "0", "—"],
        "Urgent": ["1", "30 min", "30 min", "0", "0% (0 of 1)"],
        "Not urgent": ["1", "60 min", "60 min", "0", "—"],
    }


@pytest.mark.django_db
def test_it_draws_outcomes_once_with_their_table_folded_beneath(page):
    parsed = Page(page)
    chart = parsed.charts["outcomes"]

    assert chart[chart.index("Admitted") + 1] == "1 (20%)"
    assert chart[chart.index("Referred elsewhere") + 1] == "0 (0%)"
    assert "Leads" in chart  # the scale's title
    # The same figures as a table, folded away under the chart rather than repeated beside it.
    assert parsed.folded["outcomes-table"] is True
    assert parsed.rows("outcomes-table")["Admitted"] == ["1", "20%"]
    status_tables = [t for t, rows in parsed.tables.items() if any(r[:1] == ["Assessment scheduled"] for r in rows)]
    assert status_tables == ["outcomes-table"]


@pytest.mark.django_db
def test_it_gives_each_chart_a_text_alternative_a_scale_and_a_table_with_the_same_numbers(page):
    parsed = Page(page)

    assert set(parsed.charts) == {
        "speed-in-hours",
        "speed-out-of-hours",
        "periods",
        "outcomes",
        "admitted-kinds",
        "admitted-sources",
        "admitted-pages",
    }
    assert page.count('role="img"') == 7
    for chart_id in parsed.charts:
        assert f'<desc id="{chart_id}-desc">' in page
    # A bar a day: Tuesday had none, and says 0 rather than leaving a gap.
    days = parsed.charts["periods"]
    assert days[days.index("Tue Mar 3") - 1] == "0"
    assert parsed.rows("periods-table")["Tue Mar 3, 2026"] == ["0"]
    admitted = parsed.charts["admitted-sources"]
    assert admitted[admitted.index("www.bing.com") + 1] == "100% · 1 of 1"
    assert admitted[:5] == ["0", "25", "50", "75", "100"]
    assert admitted[-1] == "% of leads admitted"


@pytest.mark.django_db
def test_it_tables_outcomes_by_request_type_source_and_landing_page(page):
    parsed = Page(page)

    # Leads, reached, admitted, admission rate, referred, not a fit, unreachable, still open.
    assert parsed.rows("kinds-table") == {
        "Callback": ["3", "2", "1", "33%", "0", "0", "0", "2"],
        "Insurance verification": ["2", "0", "0", "0%", "0", "0", "1", "1"],
    }
    assert parsed.rows("sources-table") == {
        "google": ["3", "1", "0", "0%", "0", "0", "0", "3"],
        "Direct": ["1", "0", "0", "0%", "0", "0", "1", "0"],
        "www.bing.com": ["1", "1", "1", "100%", "0", "0", "0", "0"],
    }
    assert parsed.rows("pages-table")["/detox/"] == ["2", "1", "0", "0%", "0", "0", "0", "2"]


@pytest.mark.django_db
def test_it_lists_each_worker_by_full_name_with_what_they_did(page):
    assert Page(page).rows("workers-table") == {
        # Avery's median first-call time is a's alone: c and d came out of call-back hours.
        "Avery Okafor": ["3", "3", "4 min (of 1)", "0"],
        "Blake Lindqvist": ["3", "1", "10 min (of 1)", "1"],
    }
    assert "casey" not in page


def _csv(client) -> list[dict]:
    response = client.get(reverse("staff:metrics_csv"), MARCH)
    return list(csv.DictReader(io.StringIO(response.content.decode())))


GROUP_COLUMNS = {"Urgent": ("urgent", "yes"), "Not urgent": ("urgent", "no")}


def _speed_cells(rows: list[dict]) -> list[str]:
    minutes = [float(r["minutes to first contact"]) for r in rows if r["minutes to first contact"]]
    judged = [r["within target"] for r in rows if r["within target"]]
    met = judged.count("yes")
    pending = [r for r in rows if r["target"] == "not due yet"]
    within = f"{percent(met, len(judged))}% ({met} of {len(judged)})" if judged else "—"
    called = [minutes_text(statistics.median(minutes)), minutes_text(percentile(minutes, 90))] if minutes else []
    return [
        str(len(rows)),
        *(called or ["no calls yet"]),
        str(len(rows) - len(minutes)),
        within + (f" {len(pending)} not due yet" if pending else ""),
    ]


@pytest.mark.django_db
def test_it_exports_a_csv_from_which_every_figure_on_the_page_is_worked_out_again(client, page):
    rows = _csv(client)
    parsed = Page(page)

    speed = parsed.rows("speed-table")
    assert speed["All leads"] == _speed_cells(rows)
    for column, value, group in [
        ("kind", "Callback", "Callback"),
        ("kind", "Insurance verification", "Insurance verification"),
        ("urgent", "yes", "Urgent"),
        ("urgent", "no", "Not urgent"),
        ("in call-back hours", "yes", "In call-back hours"),
        ("in call-back hours", "no", "Out of hours"),
    ]:
        assert speed[group] == _speed_cells([r for r in rows if r[column] == value]), group
    for table, hours in [("speed-in-hours-table", "yes"), ("speed-out-of-hours-table", "no")]:
        within = [r for r in rows if r["in call-back hours"] == hours]
        chart_rows = parsed.rows(table)
        assert chart_rows.pop("All leads") == _speed_cells(within), table
        for group, cells in chart_rows.items():
            column, value = GROUP_COLUMNS.get(group, ("kind", group))
            assert cells == _speed_cells([r for r in within if r[column] == value]), (table, group)

    for table, column in [("kinds-table", "kind"), ("sources-table", "source"), ("pages-table", "landing page")]:
        for name, cells in parsed.rows(table).items():
            group = [r for r in rows if r[column] == name]
            statuses = Counter(r["status"] for r in group)
            admitted = statuses["Admitted"]
            assert cells[:4] == [
                str(len(group)),
                str(sum(r["reached"] == "yes" for r in group)),
                str(admitted),
                f"{percent(admitted, len(group))}%",
            ], (table, name)
        assert sum(int(cells[0]) for cells in parsed.rows(table).values()) == len(rows)

    worked, admissions, first_calls = Counter(), Counter(), defaultdict(list)
    for r in rows:
        worked.update(r["worked by"].split("; ") if r["worked by"] else [])
        if r["admitted by"]:
            admissions[r["admitted by"]] += 1
        if r["first call by"]:
            first_calls[r["first call by"]].append(r)
    in_hours = {
        name: [float(r["minutes to first contact"]) for r in calls if r["in call-back hours"] == "yes"]
        for name, calls in first_calls.items()
    }
    assert parsed.rows("workers-table") == {
        name: [
            str(count),
            str(len(first_calls[name])),
            f"{minutes_text(statistics.median(in_hours[name]))} (of {len(in_hours[name])})",
            str(admissions[name]),
        ]
        for name, count in worked.items()
    }

    per_day = Counter(r["created"][:10] for r in rows)
    assert {day: int(cells[0]) for day, cells in parsed.rows("periods-table").items()} == {
        "Mon Mar 2, 2026": per_day["2026-03-02"],
        "Tue Mar 3, 2026": per_day["2026-03-03"],
        "Wed Mar 4, 2026": per_day["2026-03-04"],
    }
