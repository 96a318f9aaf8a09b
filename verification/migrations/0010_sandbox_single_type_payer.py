from django.conf import settings
from django.db import migrations

# The sandbox payer that answers one service type per request (verification.eligibility.sandbox,
# SANDBOX_PAYERS): in the demo and in development a visitor can pick it and see a check fan out.
# Listed only where checks go to the sandbox: with a real gateway it is a made-up insurer, kept
# for admins to switch on, never offered to visitors.
NAME = "Sandbox Single-Type Health"
PAYER_ID = "SBXONE"


def add(apps, schema_editor):
    Payer = apps.get_model("verification", "Payer")
    Payer.objects.get_or_create(
        payer_id=PAYER_ID,
        defaults={
            "name": NAME,
            "multiple_service_types": False,
            "active": settings.ELIGIBILITY_GATEWAY == "sandbox",
            "position": 900,
        },
    )


def remove(apps, schema_editor):
    Payer = apps.get_model("verification", "Payer")
    # A payer a request names is kept (its requests protect it), only no longer listed.
    payer = Payer.objects.filter(payer_id=PAYER_ID, name=NAME).first()
    if payer is None:
        return
    named = [apps.get_model("verification", name) for name in ("VerificationRequest", "SecondInsurance")]
    if any(model.objects.filter(payer=payer).exists() for model in named):
        Payer.objects.filter(pk=payer.pk).update(active=False)
    else:
        payer.delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0009_rounds_plans_medicare")]

    operations = [migrations.RunPython(add, remove)]
