"""The demo centre for `manage.py seed_demo`: a profile, five programmes, two accreditations and
licences with clearly invented numbers, an illustrated team and three featured articles.

Idempotent: a second run adds nothing and leaves what an admin has changed alone. Pictures are
drawn in code (centre.pictures) and written to MEDIA_ROOT the first time.
"""

from django.conf import settings
from django.dispatch import receiver

from articles.models import Article
from intake.models import LevelOfCare
from intake.signals import seed_demo_content

from . import pictures
from .models import CentreProfile, Credential, FeaturedArticle, InsurancePlan, Programme, TeamMember

DEMO_PROFILE = {
    "treats": "alcohol, opioid and other drug addiction, with care for anxiety and depression alongside",
    "why_us": "\n".join(
        [
            "Doctors and nurses on site day and night during detox, so withdrawal is managed safely.",
            "One plan from detox to outpatient care, with the same team following you.",
            "Families are welcome: a weekly family session, in person or by video.",
            "We check your insurance before you arrive and tell you plainly what it covers.",
        ]
    ),
    "street_address": "200 Example Road",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "phone_answered_by": (
        "When you call, you reach our own admissions team, who work here at the centre. We are not a call "
        "centre, and we are not a paid referral line that sells your call to other programmes. If we are "
        "not the right place for you, we will say so and help you find one that is."
    ),
    "photo_alt": "An illustration of the centre: a low house with lit windows among green hills at dusk",
    "share_image_alt": "An illustration of the centre at dusk, with its name",
}

DEMO_PROGRAMMES = [
    (
        LevelOfCare.DETOX,
        "Medical care while alcohol or drugs leave your body. Nurses check on you around the clock and doctors "
        "can give medicine to ease withdrawal and keep it safe.",
        "People who drink or use every day and feel sick, shaky or anxious when they stop, or who have had "
        "seizures or severe withdrawal before.",
        "5 to 7 days",
    ),
    (
        LevelOfCare.RESIDENTIAL,
        "You live at the centre for a while, with therapy every day, meals, and time to rest and rebuild routines "
        "away from the pressures at home.",
        "People who have tried to stop before and relapsed, or whose home is not a safe place to recover yet.",
        "28 to 45 days",
    ),
    (
        LevelOfCare.PHP,
        "Treatment for most of the day, five days a week, while you sleep at home or in sober housing.",
        "People stepping down from residential care, or who need a lot of support but have a stable place to stay.",
        "2 to 4 weeks",
    ),
    (
        LevelOfCare.IOP,
        "Group and one-to-one therapy for about three hours a day, three to five days a week, often in the evening.",
        "People who can keep working or studying and need more than a weekly appointment.",
        "6 to 12 weeks",
    ),
    (
        LevelOfCare.OUTPATIENT,
        "Regular appointments, usually once or twice a week, with a counsellor and, if you need it, a doctor who "
        "can prescribe medication for addiction.",
        "People with a steady routine who want ongoing support, or anyone finishing a more intensive programme.",
        "Often several months",
    ),
]

DEMO_CREDENTIALS = [
    (Credential.Kind.ACCREDITATION, "Demo Accreditation Council for Behavioral Health", "DEMO-ACC-0001"),
    (Credential.Kind.LICENCE, "State Department of Health (demo)", "DEMO-LIC-12345"),
]

DEMO_INSURANCE = [
    ("Aetna", ""),
    ("Blue Cross Blue Shield", "most PPO plans"),
    ("Cigna", ""),
    ("UnitedHealthcare", ""),
    ("Humana", ""),
    ("TRICARE", ""),
]

DEMO_TEAM = [
    ("Maren Holt", "MD, addiction medicine (demo)", "Medical director",
     "Leads medical care in detox and prescribes medication for opioid and alcohol use disorder."),
    ("Luis Ortega", "LCSW (demo)", "Clinical director",
     "Runs the therapy programme and the weekly family sessions."),
    ("Priya Raman", "RN (demo)", "Nursing lead",
     "Looks after nursing on the detox unit, day and night."),
    ("Sam Whitaker", "CADC (demo)", "Admissions coordinator",
     "Answers many of the calls that come in, and helps families work out the next step."),
]  # fmt: skip
DEMO_TEAM_NOTE = "An invented person for the demo site; the picture is an illustration."

# Demo articles (articles.demo) shown on the home page, in this order.
DEMO_FEATURED = ["levels-of-care-explained", "how-insurance-verification-works", "supporting-a-loved-one"]


@receiver(seed_demo_content)
def seed_demo_centre(sender, **kwargs) -> str | None:
    profile = CentreProfile.objects.current()
    created = profile is None
    if created:
        profile = CentreProfile(name=settings.CENTRE_NAME, **DEMO_PROFILE)
        profile.photo.save("centre.jpg", pictures.jpeg_file(pictures.centre_landscape(), "centre.jpg"), save=False)
        share = pictures.share_picture(profile.name)
        profile.share_image.save("share.jpg", pictures.jpeg_file(share, "share.jpg"), save=False)
        profile.save()
        for position, (name, note) in enumerate(DEMO_INSURANCE):
            InsurancePlan.objects.create(profile=profile, name=name, note=note, position=position)
        for position, (kind, body, number) in enumerate(DEMO_CREDENTIALS):
            Credential.objects.create(profile=profile, kind=kind, body=body, number=number, position=position)
    for position, (level, description, who_for, length) in enumerate(DEMO_PROGRAMMES):
        Programme.objects.get_or_create(
            level=level,
            defaults={"description": description, "who_for": who_for, "typical_length": length, "position": position},
        )
    for position, (name, credentials, role, bio) in enumerate(DEMO_TEAM):
        if TeamMember.objects.filter(name=name).exists():
            continue
        member = TeamMember(
            name=name,
            credentials=credentials,
            role=role,
            bio=f"{bio} {DEMO_TEAM_NOTE}",
            photo_alt=f"Illustration: the initials of {name} on a coloured circle",
            position=position,
        )
        avatar = pictures.jpeg_file(pictures.initials_avatar(name, position), f"team-{position + 1}.jpg", quality=85)
        member.photo.save(avatar.name, avatar, save=False)
        member.save()
    if created:
        for position, slug in enumerate(DEMO_FEATURED):
            article = Article.objects.filter(slug=slug).first()
            if article is not None:
                FeaturedArticle.objects.get_or_create(profile=profile, article=article, defaults={"position": position})
    return "Created the demo centre profile, programmes and team" if created else None
