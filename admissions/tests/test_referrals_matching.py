"""Lantern suggests partners that fit the person: the clinician's level of care, their insurer and
their age; the best first, each with why, and the others shown marked rather than hidden."""

import datetime as dt

import pytest
from django.urls import reverse

from admissions.models import ClinicalDecision, suggest
from intake.models import LeadStatus

from .referrals_helpers import insured, partner, payer, reached_lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    return {
        "sample": partner("Sample Street Clinic", ["iop", "outpatient"], ["Aetna"]),
        "valley": partner("Example Valley", ["residential", "detox"], ["Aetna"]),
        "youth": partner("Placeholder Youth", ["iop"], ["Aetna"], min_age=12, max_age=17),
        "pines": partner("Fictional Pines", ["iop"], ["Cigna"]),
    }


def test_it_puts_partners_offering_the_level_and_taking_the_insurer_first_with_reasons(directory):
    matches = suggest(service="iop", payer=payer("Aetna"), age=30)

    assert matches[0].partner == directory["sample"]
    assert matches[0].why == "Takes Aetna · IOP · ages 18+"
    assert matches[0].fits
    others = {m.partner.name: m.misses for m in matches[1:]}
    assert others["Example Valley"] == ["No IOP"]
    assert others["Placeholder Youth"] == ["Only ages 12-17"]
    assert others["Fictional Pines"] == ["Does not list Aetna"]
    assert len(matches) == 4  # nothing hidden


def test_it_matches_the_clinicians_refer_out_level_and_the_latest_insurer(client, staff, clinician, directory):
    lead = reached_lead(status=LeadStatus.AWAITING_REVIEW)
    ClinicalDecision.decide(
        lead, kind=ClinicalDecision.Kind.REFER_OUT, note="More structure.", by=clinician, level_needed="residential"
    )
    insured(lead, "Aetna", born=dt.date(1980, 5, 1))
    client.force_login(staff["avery"])

    page = client.get(reverse("admissions:refer", args=[lead.pk]))

    assert page.status_code == 200
    assert page.context["service"] == "residential"
    assert page.context["recommended"] == "residential"
    assert page.context["matches"][0].partner == directory["valley"]
    assert "Takes Aetna · Residential · ages 18+" in page.content.decode()
    assert "Does not match" in page.content.decode()


def test_it_lets_staff_filter_the_directory_by_level_and_payer(client, staff, directory):
    client.force_login(staff["blake"])

    page = client.get(reverse("admissions:partners"), {"service": "iop", "payer": payer("Cigna").pk})

    names = [m.partner.name for m in page.context["matches"] if m.fits]
    assert names == ["Fictional Pines"]
