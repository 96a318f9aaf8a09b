"""The supervisors' metrics page in a real browser: axe-core finds nothing serious on it, its folded
tables included, on a phone and on a desktop; and on a phone the page itself never scrolls
sideways (a wide table scrolls inside its own box)."""

import datetime as dt

import pytest
from django.utils import timezone

from intake.models import ContactAttempt, Lead, LeadStatus

from .conftest import DESKTOP, PHONE, sign_in_staff
from .test_accessibility import AxeAudit, RequestLog


def leads_to_measure(staff) -> None:
    """A morning's leads of each kind, source and outcome, with calls by two named workers."""
    staff["avery"].first_name, staff["avery"].last_name = "Avery", "Okafor"
    staff["avery"].save()
    now = timezone.now()
    for n, (kind, status, source, page, waited) in enumerate(
        [
            ("callback", LeadStatus.ADMITTED, "google", "/articles/alcohol-withdrawal-timeline/", 4),
            ("callback", LeadStatus.CONTACTING, "", "/", 12),
            ("verification", LeadStatus.REFERRED, "newsletter", "/verify/", 35),
            ("verification", LeadStatus.NEW, "google", "/articles/what-is-detox/", None),
        ]
    ):
        created = now - dt.timedelta(hours=3, minutes=10 * n)
        lead = Lead.objects.create(
            name=f"Person {n}",
            phone=f"+1415555070{n}",
            kind=kind,
            status=status,
            urgent=n == 0,
            utm_source=source,
            landing_page=page,
            created_at=created,
            sla_due_at=created + dt.timedelta(minutes=15),
            first_contacted_at=created + dt.timedelta(minutes=waited) if waited is not None else None,
            assigned_to=staff["avery"] if n % 2 == 0 else staff["blake"],
        )
        if waited is not None:
            ContactAttempt.objects.create(
                lead=lead, staff=staff["avery"], outcome="reached", created_at=created + dt.timedelta(minutes=waited)
            )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")])
def test_it_has_no_serious_axe_violations_on_the_metrics_page(live_server, page_factory, staff, viewport, request):
    leads_to_measure(staff)
    page = page_factory(viewport=viewport, bypass_csp=True)
    requests = RequestLog(page, live_server.url)
    audit = AxeAudit(page, f"metrics-{request.node.callspec.id}")

    sign_in_staff(page, live_server.url, staff["sam"])
    page.goto(f"{live_server.url}/staff/metrics/")
    for summary in page.locator("details.chart-data > summary").all():
        summary.click()  # the folded tables are read too
    audit.check("metrics")

    audit.assert_clean()
    assert requests.foreign() == []
    assert page.locator("svg[role=img]").count() == 7  # speed in and out of hours charted apart
    assert (
        page.get_by_role("cell", name="Avery Okafor").count()
        + page.get_by_role("rowheader", name="Avery Okafor").count()
        == 1
    )
    overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
