from django.db import migrations, models


class Migration(migrations.Migration):
    """Eligibility checks become rows of the one outbox (outbox.models.Delivery)."""

    dependencies = [("verification", "0004_verification_by_phone")]

    operations = [
        migrations.RenameField("eligibilitycheck", "started_at", "claimed_at"),
        migrations.RenameField("eligibilitycheck", "error", "last_error"),
        migrations.AddField("eligibilitycheck", "claim_token", models.UUIDField(blank=True, editable=False, null=True)),
        migrations.AddIndex(
            "eligibilitycheck", models.Index(fields=["status", "due_at"], name="eligibilitycheck_due_idx")
        ),
        migrations.AddIndex(
            "eligibilitycheck", models.Index(fields=["claim_token"], name="eligibilitycheck_claim_idx")
        ),
    ]
