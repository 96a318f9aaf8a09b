"""Staff open Lantern from the SMS alert on their phone: no staff page may scroll sideways there
(a wide table scrolls inside its own box, never the page)."""

import pytest

from intake.models import Lead

from .conftest import PHONE, sign_in_staff


@pytest.mark.django_db(transaction=True)
def test_no_staff_page_scrolls_sideways_on_a_phone(live_server, page_factory, staff):
    staff["sam"].first_name, staff["sam"].last_name = "Samantha", "Okonkwo-Whitfield"
    staff["sam"].save()
    lead = Lead.objects.create(name="Jordan Whitlock", phone="+14155552671")
    page = page_factory(viewport=PHONE)
    sign_in_staff(page, live_server.url, staff["sam"])

    for path in ["/staff/", "/staff/roster/", "/staff/security/", f"/staff/leads/{lead.pk}/", "/staff/metrics/"]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than the phone"
