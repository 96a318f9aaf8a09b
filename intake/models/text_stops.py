"""A number that replied STOP to the centre's texts: no text goes to it, on any lead, old or new,
until it replies START. Kept by the number's keyed hash, so a STOP from a number with no lead
(yet) still holds when that number later asks for a call with texts allowed."""

from django.db import models
from django.utils import timezone


class TextStop(models.Model):
    phone_hash = models.CharField(max_length=64, unique=True)
    stopped_at = models.DateTimeField(default=timezone.now)
    # The word the person sent ("STOP", "unsubscribe"), or "" when the provider reported the opt-out.
    word = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"Texts stopped #{self.pk}"
