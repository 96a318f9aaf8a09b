"""What the beds refuse: a colleague's lead, a merge that would strand a bed, an arrival onto a
bed that was given away, and the order locks are taken in."""

import datetime as dt

import pytest
from django.utils import timezone

from admissions.models import Admission, WaitlistEntry

from .beds_helpers import accepted_lead, programme
from .test_beds_scheduling import schedule


@pytest.mark.django_db
def test_it_leaves_the_waitlist_and_the_discharge_of_a_claimed_lead_to_its_worker(client, staff, clinician):
    prog = programme(capacity=1)
    avery = staff["avery"]
    occupant = accepted_lead(avery, clinician, prog, 1)
    schedule(occupant, prog, avery).arrive(by=avery)
    waiting = accepted_lead(avery, clinician, prog, 2)
    entry = WaitlistEntry.join(waiting, prog, by=avery)
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        offered_at=timezone.now(), offer_expires_at=timezone.now() + dt.timedelta(hours=4)
    )
    client.force_login(staff["blake"])
    base = f"/staff/leads/{waiting.pk}/waitlist/{entry.pk}"
    for url, data in [
        (f"{base}/check-in/", {"note": "spoke"}),
        (f"{base}/pass/", {}),
        (f"{base}/leave/", {"reason": "declined"}),
    ]:
        page = client.post(url, data, follow=True).content.decode()
        assert "Nothing was changed" in page, url
    entry.refresh_from_db()
    assert entry.last_check_in_at is None and entry.offered_at is not None and entry.is_waiting
    page = client.post(
        f"/staff/leads/{occupant.pk}/admission/discharge/",
        {"discharged_on": timezone.localdate().isoformat()},
        follow=True,
    ).content.decode()
    assert "Nothing was changed" in page
    assert Admission.objects.get(lead=occupant).state == Admission.State.OCCUPIED
