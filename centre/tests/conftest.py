"""The centre as an admin has described it, for the centre's tests.

Models are imported inside the fixtures: pytest loads this file before Django is set up when it
is given `centre` on the command line."""

import pytest


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded and seeded pictures go to a folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def profile(db, media_root):
    """Harbour House, in Burlington: two programmes shown and one hidden, a licence, a team."""
    from centre import pictures
    from centre.models import CentreProfile, Credential, InsurancePlan, Programme, TeamMember

    profile = CentreProfile(
        name="Harbour House Recovery",
        treats="alcohol and opioid addiction",
        why_us="Nurses on site day and night.\nOne team from detox to outpatient care.",
        street_address="12 Pine Street",
        city="Burlington",
        state="VT",
        postal_code="05401",
        phone_answered_by="Our own admissions team answers, here at the centre. We are not a call centre.",
        photo_alt="The front porch of Harbour House",
    )
    profile.photo.save("house.jpg", pictures.jpeg_file(pictures.centre_landscape((300, 200)), "house.jpg"), save=False)
    profile.save()
    InsurancePlan.objects.create(profile=profile, name="Cigna", position=1)
    InsurancePlan.objects.create(profile=profile, name="Aetna", note="most plans", position=0)
    Credential.objects.create(
        profile=profile,
        kind=Credential.Kind.LICENCE,
        body="Vermont Department of Health",
        number="VT-TEST-42",
        verification_url="https://licences.example.org/VT-TEST-42",
    )
    Programme.objects.create(
        level="detox",
        description="Medical care while alcohol leaves your body.",
        who_for="People who feel sick when they stop drinking.",
        typical_length="5 to 7 days",
        position=0,
    )
    Programme.objects.create(
        level="iop", description="Evening groups three times a week.", who_for="People who work.", position=1
    )
    Programme.objects.create(
        level="residential", description="Not offered this year.", who_for="Nobody yet.", position=2, shown=False
    )
    TeamMember.objects.create(name="Ada Brook", credentials="MD", role="Medical director", bio="Leads detox care.")
    TeamMember.objects.create(name="Hidden Person", credentials="RN", role="Former nurse", shown=False)
    return profile


@pytest.fixture
def category(db):
    from articles.models import Category

    return Category.objects.create(name="Treatment", slug="treatment")
