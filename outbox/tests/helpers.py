"""For tests anywhere: perform outbox rows now, in this process, as a worker would."""

from django.utils import timezone


def deliver(*rows) -> None:
    """Claim and perform each row if it is due, then reload it; a row not due is left alone."""
    for row in rows:
        type(row).objects.filter(pk=row.pk).deliver_due()
        row.refresh_from_db()


def retry_now(*rows) -> None:
    """As if each row's retry time had come: perform it now."""
    for row in rows:
        type(row).objects.filter(pk=row.pk, status=row.Status.PENDING).update(due_at=timezone.now())
    deliver(*rows)
