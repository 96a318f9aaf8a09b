from django.db import migrations

# Medicare beside the big national insurers (the form lists by position, then name). Its checks go
# to CMS's eligibility service, which answers several service types in one request.
MEDICARE = {"name": "Medicare", "payer_id": "CMS", "kind": "medicare", "position": 45}
# The form's Medicaid entry: the visitor picks it and their state, and the check goes to that
# state's own Medicaid payer when an admin has added one (Payer.in_state).
MEDICAID_ENTRY = "Medicaid (state plan)"
MEDICAID_ENTRY_POSITION = 46
# One state's Medicaid as an example. The payer id is the one a Stedi-style clearinghouse lists
# among New York Medicaid's aliases (its primary id there is MCDNY): to be confirmed with the
# clearinghouse the centre signs with before it is relied on.
STATE_MEDICAIDS = [
    {"name": "New York Medicaid", "payer_id": "SKNY0", "state": "NY"},
]


def seed(apps, schema_editor):
    Payer = apps.get_model("verification", "Payer")
    medicare, created = Payer.objects.get_or_create(name=MEDICARE["name"], defaults=MEDICARE)
    if not created and medicare.kind != "medicare":
        # An admin's own Medicare entry keeps its payer id and place in the list.
        medicare.kind = "medicare"
        medicare.save(update_fields=["kind"])
    entry = Payer.objects.filter(name=MEDICAID_ENTRY).first()
    if entry is not None:
        entry.kind = "medicaid"
        if entry.position == 110:  # where 0002 put it, last: moved up beside Medicare unless an admin moved it
            entry.position = MEDICAID_ENTRY_POSITION
        entry.save(update_fields=["kind", "position"])
    for state_medicaid in STATE_MEDICAIDS:
        Payer.objects.get_or_create(
            name=state_medicaid["name"], defaults={**state_medicaid, "kind": "medicaid", "position": 1000}
        )


def unseed(apps, schema_editor):
    Payer = apps.get_model("verification", "Payer")
    Payer.objects.filter(name__in=[payer["name"] for payer in STATE_MEDICAIDS], verifications=None).delete()
    Payer.objects.filter(name=MEDICARE["name"], payer_id=MEDICARE["payer_id"], verifications=None).delete()
    Payer.objects.filter(name=MEDICAID_ENTRY, position=MEDICAID_ENTRY_POSITION).update(position=110)


class Migration(migrations.Migration):
    dependencies = [("verification", "0010_sandbox_single_type_payer")]

    operations = [migrations.RunPython(seed, unseed)]
