from django.db import migrations

# Clearinghouse payer ids for 270 eligibility requests. Empty: the insurer's id depends on the
# state or plan, so staff verify by phone until an admin fills it in.
PAYERS = [
    ("Aetna", "60054"),
    ("Blue Cross Blue Shield / Anthem", ""),
    ("Cigna", "62308"),
    ("Humana", "61101"),
    ("UnitedHealthcare / Optum", "87726"),
    ("Magellan Healthcare", "01260"),
    ("Ambetter", ""),
    ("Kaiser Permanente", ""),
    ("Molina Healthcare", ""),
    ("Oscar Health", ""),
    ("TRICARE", ""),
    ("Medicaid (state plan)", ""),
]


def seed(apps, schema_editor):
    Payer = apps.get_model("verification", "Payer")
    for position, (name, payer_id) in enumerate(PAYERS):
        Payer.objects.get_or_create(name=name, defaults={"payer_id": payer_id, "position": position * 10})


def unseed(apps, schema_editor):
    apps.get_model("verification", "Payer").objects.filter(name__in=[name for name, _ in PAYERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
