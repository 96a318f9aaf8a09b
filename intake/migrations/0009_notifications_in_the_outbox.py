from django.db import migrations, models


class Migration(migrations.Migration):
    """Notifications become rows of the one outbox (outbox.models.Delivery)."""

    dependencies = [("intake", "0008_lead_merges_kept_for_undo")]

    operations = [
        migrations.RenameField("notification", "sent_at", "finished_at"),
        migrations.AddField("notification", "claim_token", models.UUIDField(blank=True, editable=False, null=True)),
        migrations.RenameIndex(
            "notification", new_name="notification_due_idx", old_name="intake_noti_status_c4e7f8_idx"
        ),
        migrations.AddIndex("notification", models.Index(fields=["claim_token"], name="notification_claim_idx")),
        migrations.AlterField(
            "notification",
            "status",
            models.CharField(
                choices=[("pending", "Waiting"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed")],
                default="pending",
                max_length=20,
            ),
        ),
    ]
