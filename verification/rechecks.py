"""Which verification requests are due a re-check before their person's admission (mixed into
`models.VerificationQuerySet`). Admissions imports verification: its models are read inside the
method, never at import."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from .rounds import EligibilityRound, RoundReason


class DueForRecheck:
    def latest_first(self):
        return self.order_by("-created_at", "-pk")

    def reverifiable(self):
        """Requests a check can be sent again for: a plan with electronic eligibility, and a
        visitor who did not ask us to leave their insurer out of it."""
        # Payer.electronic, in SQL: the payer has a clearinghouse payer id.
        electronic = models.Q(payer__payer_id__gt="") | models.Q(second_insurance__payer__payer_id__gt="")
        return self.filter(electronic, by_phone=False)

    def due_for_reverification(self, now: dt.datetime | None = None, *, days: int | None = None, again: bool = False):
        """The request to check again, one per lead (its latest that can be), for each lead with
        an admission scheduled within `days` (REVERIFY_DAYS_BEFORE_ADMISSION; 0: none) whose bed
        is still held, and not re-checked before the admission since it was scheduled (unless
        `again`). A rescheduled admission is a new one: it is re-checked again."""
        from admissions.models import Admission  # admissions imports verification

        now = now or timezone.now()
        days = settings.REVERIFY_DAYS_BEFORE_ADMISSION if days is None else days
        if days <= 0:
            return self.none()
        upcoming = Admission.objects.holding(now).filter(
            lead=models.OuterRef("lead"), admit_at__gt=now, admit_at__lte=now + dt.timedelta(days=days)
        )
        if not again:
            rechecked = EligibilityRound.objects.filter(
                verification__lead=models.OuterRef(models.OuterRef("lead")),
                reason=RoundReason.BEFORE_ADMISSION,
                created_at__gte=models.OuterRef("created_at"),
            )
            upcoming = upcoming.exclude(models.Exists(rechecked))
        candidates = self.reverifiable()
        latest = candidates.filter(lead=models.OuterRef("lead")).latest_first().values("pk")[:1]
        return candidates.filter(models.Exists(upcoming), pk=models.Subquery(latest))
