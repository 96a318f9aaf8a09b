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

# The same facts in Spanish, for the /es/ pages (the English stays the reference an admin edits).
DEMO_PROFILE_ES = {
    "treats_es": (
        "la adicción al alcohol, a los opioides y a otras drogas, y atendemos a la vez la ansiedad y la depresión"
    ),
    "why_us_es": "\n".join(
        [
            "Médicos y enfermeras en el centro de día y de noche durante la desintoxicación, para que la abstinencia "
            "se controle de forma segura.",
            "Un solo plan desde la desintoxicación hasta el tratamiento ambulatorio, con el mismo equipo a su lado.",
            "Las familias son bienvenidas: una sesión familiar cada semana, en persona o por video.",
            "Verificamos su seguro médico antes de que llegue y le decimos con claridad qué cubre.",
        ]
    ),
    "phone_answered_by_es": (
        "Cuando llama, le atiende nuestro propio equipo de admisiones, que trabaja aquí en el centro. No somos un "
        "centro de llamadas ni una línea de referidos pagada que vende su llamada a otros programas. Si no somos "
        "el lugar adecuado para usted, se lo diremos y le ayudaremos a encontrar uno que lo sea."
    ),
    "photo_alt_es": (
        "Ilustración del centro: una casa baja con las ventanas encendidas entre colinas verdes al atardecer"
    ),
    "share_image_alt_es": "Ilustración del centro al atardecer, con su nombre",
}

DEMO_PROGRAMMES = [
    (
        LevelOfCare.DETOX,
        "Medical care while alcohol or drugs leave your body. Nurses check on you around the clock and doctors "
        "can give medicine to ease withdrawal and keep it safe.",
        "People who drink or use every day and feel sick, shaky or anxious when they stop, or who have had "
        "seizures or severe withdrawal before.",
        "5 to 7 days",
        {
            "name_es": "Desintoxicación",
            "description_es": "Atención médica mientras el alcohol o las drogas salen de su cuerpo. Las enfermeras lo "
            "revisan a toda hora y los médicos pueden darle medicamentos para aliviar la abstinencia y hacerla segura.",
            "who_for_es": "Personas que beben o consumen todos los días y se sienten mal, temblorosas o "
            "ansiosas cuando dejan de hacerlo, o que ya tuvieron convulsiones o una abstinencia fuerte.",
            "typical_length_es": "De 5 a 7 días",
        },
    ),
    (
        LevelOfCare.RESIDENTIAL,
        "You live at the centre for a while, with therapy every day, meals, and time to rest and rebuild routines "
        "away from the pressures at home.",
        "People who have tried to stop before and relapsed, or whose home is not a safe place to recover yet.",
        "28 to 45 days",
        {
            "name_es": "Tratamiento residencial",
            "description_es": "Usted vive en el centro por un tiempo, con terapia todos los días, comidas y "
            "tiempo para descansar y rehacer sus rutinas lejos de las presiones de casa.",
            "who_for_es": "Personas que ya intentaron dejarlo y recayeron, o cuyo hogar todavía no es un lugar seguro "
            "para recuperarse.",
            "typical_length_es": "De 28 a 45 días",
        },
    ),
    (
        LevelOfCare.PHP,
        "Treatment for most of the day, five days a week, while you sleep at home or in sober housing.",
        "People stepping down from residential care, or who need a lot of support but have a stable place to stay.",
        "2 to 4 weeks",
        {
            "name_es": "Hospitalización parcial (PHP)",
            "description_es": "Tratamiento durante la mayor parte del día, cinco días a la semana, mientras duerme en "
            "su casa o en una vivienda libre de sustancias.",
            "who_for_es": "Personas que terminan el tratamiento residencial, o que necesitan mucho apoyo pero tienen "
            "un lugar estable donde quedarse.",
            "typical_length_es": "De 2 a 4 semanas",
        },
    ),
    (
        LevelOfCare.IOP,
        "Group and one-to-one therapy for about three hours a day, three to five days a week, often in the evening.",
        "People who can keep working or studying and need more than a weekly appointment.",
        "6 to 12 weeks",
        {
            "name_es": "Programa intensivo ambulatorio (IOP)",
            "description_es": "Terapia en grupo e individual unas tres horas al día, de tres a cinco días a la semana, "
            "muchas veces por la tarde o la noche.",
            "who_for_es": "Personas que pueden seguir trabajando o estudiando y necesitan más que una cita por semana.",
            "typical_length_es": "De 6 a 12 semanas",
        },
    ),
    (
        LevelOfCare.OUTPATIENT,
        "Regular appointments, usually once or twice a week, with a counsellor and, if you need it, a doctor who "
        "can prescribe medication for addiction.",
        "People with a steady routine who want ongoing support, or anyone finishing a more intensive programme.",
        "Often several months",
        {
            "name_es": "Tratamiento ambulatorio",
            "description_es": "Citas regulares, por lo general una o dos veces por semana, con un consejero y, si lo "
            "necesita, con un médico que puede recetar medicamentos para la adicción.",
            "who_for_es": "Personas con una rutina estable que quieren apoyo continuo, o cualquiera que termina un "
            "programa más intensivo.",
            "typical_length_es": "A menudo varios meses",
        },
    ),
]

DEMO_CREDENTIALS = [
    (Credential.Kind.ACCREDITATION, "Demo Accreditation Council for Behavioral Health", "DEMO-ACC-0001"),
    (Credential.Kind.LICENCE, "State Department of Health (demo)", "DEMO-LIC-12345"),
]

DEMO_INSURANCE = [
    ("Aetna", ""),
    ("Blue Cross Blue Shield", "most PPO plans"),  # note in Spanish: DEMO_INSURANCE_NOTES_ES
    ("Cigna", ""),
    ("UnitedHealthcare", ""),
    ("Humana", ""),
    ("TRICARE", ""),
]

DEMO_INSURANCE_NOTES_ES = {"most PPO plans": "la mayoría de los planes PPO"}

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
# Role and bio in Spanish, by name.
DEMO_TEAM_ES = {
    "Maren Holt": ("Directora médica",
                   "Dirige la atención médica en la desintoxicación y receta medicamentos para el trastorno por "
                   "consumo de opioides y de alcohol."),
    "Luis Ortega": ("Director clínico", "Dirige el programa de terapia y las sesiones familiares de cada semana."),
    "Priya Raman": ("Jefa de enfermería", "Cuida la enfermería de la unidad de desintoxicación, de día y de noche."),
    "Sam Whitaker": ("Coordinador de admisiones",
                     "Contesta muchas de las llamadas que llegan y ayuda a las familias a decidir el siguiente paso."),
}  # fmt: skip
DEMO_TEAM_NOTE_ES = "Una persona inventada para el sitio de demostración; la imagen es una ilustración."

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
    for position, (level, description, who_for, length, spanish) in enumerate(DEMO_PROGRAMMES):
        programme, _ = Programme.objects.get_or_create(
            level=level,
            defaults={"description": description, "who_for": who_for, "typical_length": length, "position": position},
        )
        add_spanish(programme, spanish, unchanged={"description": description})
    add_spanish(profile, DEMO_PROFILE_ES, unchanged={"treats": DEMO_PROFILE["treats"]})
    for plan in profile.insurance_plans.filter(note__in=DEMO_INSURANCE_NOTES_ES):
        add_spanish(plan, {"note_es": DEMO_INSURANCE_NOTES_ES[plan.note]}, unchanged={})
    for position, (name, credentials, role, bio) in enumerate(DEMO_TEAM):
        role_es, bio_es = DEMO_TEAM_ES[name]
        spanish = {
            "role_es": role_es,
            "bio_es": f"{bio_es} {DEMO_TEAM_NOTE_ES}",
            "photo_alt_es": f"Ilustración: las iniciales de {name} en un círculo de color",
        }
        existing = TeamMember.objects.filter(name=name).first()
        if existing is not None:
            add_spanish(existing, spanish, unchanged={"role": role})
            continue
        member = TeamMember(
            **spanish,
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


def add_spanish(obj, spanish: dict[str, str], unchanged: dict[str, str]) -> None:
    """Fill the demo's empty Spanish fields, on a demo site seeded before they existed, but only
    while the English they translate is still the demo's (an admin's own text keeps its blanks)."""
    if any(getattr(obj, field) != value for field, value in unchanged.items()):
        return
    missing = {field: value for field, value in spanish.items() if not getattr(obj, field)}
    if missing:
        for field, value in missing.items():
            setattr(obj, field, value)
        obj.save(update_fields=list(missing))
