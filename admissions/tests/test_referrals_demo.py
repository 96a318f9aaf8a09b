"""The demo shows the directory and the loop: five invented partners, one person the partner has
accepted (with a consent and its disclosure) and one whose follow-up is due; a second run adds nothing."""

import pytest
from django.contrib.auth.models import User

from admissions.demo_partners import seed_demo_partners
from admissions.models import Partner, Referral
from intake.models import Disclosure

pytestmark = pytest.mark.django_db


def test_it_seeds_partners_and_two_referrals_once():
    User.objects.create_user("admissions")

    seed_demo_partners(sender=None)
    again = seed_demo_partners(sender=None)

    assert again is None
    assert Partner.objects.count() == 5
    assert all("555" in partner.phone and "(demo)" in partner.name for partner in Partner.objects.all())
    states = dict(Referral.objects.values_list("partner__name", "state"))
    assert states == {
        "Example Valley Recovery Center (demo)": "accepted",
        "Sample Street Outpatient Clinic (demo)": "sent",
    }
    assert Referral.objects.follow_ups_due().get().state == "sent"
    assert Disclosure.objects.count() == 1
