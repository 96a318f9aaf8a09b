"""The demo screens and decisions `manage.py seed_demo` makes, and its demo clinician."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from admissions.demo_screens import DEMO_SCREENS
from admissions.models import ClinicalDecision, PhoneScreen
from intake.models import Lead, LeadStatus, is_clinician

DEMO_NAMES = {name for name, *_ in DEMO_SCREENS}


@pytest.mark.django_db
def test_it_seeds_a_clinician_and_three_screened_leads_once(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())
    assert is_clinician(User.objects.get(username="clinician"))
    assert "user: clinician  TOTP key:" in out.getvalue()
    # Other apps' demo leads may carry screens of their own (the hand-off's admitted person): these three are ours.
    ours = [screen for screen in PhoneScreen.objects.select_related("lead") if screen.lead.name in DEMO_NAMES]
    assert len(ours) == 3
    # Intake's own fortnight of demo leads is still made beside them.
    assert Lead.objects.count() > 3

    statuses = {screen.lead.name: screen.lead.status for screen in ours}
    assert statuses == {
        "Lee Harmon": LeadStatus.AWAITING_REVIEW,
        "Rowan Ellis": LeadStatus.ACCEPTED,
        "Parker Quinn": LeadStatus.MORE_INFO,
    }
    flagged = PhoneScreen.objects.get(lead__in=Lead.objects.filter(status=LeadStatus.AWAITING_REVIEW))
    assert any(flag.title == "Medical urgency" for flag in flagged.flags())
    accepted = ClinicalDecision.objects.get(kind=ClinicalDecision.Kind.ACCEPT)
    assert (accepted.programme.level, accepted.programme.facility.name) == ("residential", "Maple House")
