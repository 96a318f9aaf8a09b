"""A centre that upgrades gets one facility, its default, named after the centre, and its leads
belong to it: the single-site case needs no set-up."""

from django.conf import settings
from django.db import migrations


def create_default_facility(apps, schema_editor):
    Facility = apps.get_model("intake", "Facility")
    Lead = apps.get_model("intake", "Lead")
    if Facility.objects.exists():
        return
    facility = Facility.objects.create(name=settings.CENTRE_NAME, is_default=True)
    Lead.objects.filter(facility__isnull=True).update(facility=facility)


class Migration(migrations.Migration):
    dependencies = [("intake", "0016_facilities_sources_clinicians")]

    operations = [migrations.RunPython(create_default_facility, migrations.RunPython.noop)]
