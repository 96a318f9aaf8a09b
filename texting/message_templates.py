"""Prepared texts staff pick on the lead page ("We tried to call you. When is a good time?"),
edited by admins without a code change. A prepared text is held to the rules a worker's own words
are held to, and stricter: it is used on many phones, so it never names a condition, substance,
treatment or the centre, and it stays short enough to read on a lock screen."""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify

from intake.models import Language
from intake.phones import display_phone

from .wording import telling_words

# A prepared text stays well inside two SMS segments once signed.
LONGEST_TEMPLATE = 300

# What a prepared text may ask to have filled in. The first name is allowed but none of the
# defaults use it: a text is read by whoever holds the phone, and a name tells them who it is for.
PLACEHOLDERS = {
    "centre_phone": "the centre's phone number",
    "first_name": "the first name the person gave (think twice: others may read the phone)",
}


class TextTemplateQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True).order_by("order", "name")

    def for_language(self, language: str):
        """The active ones, the person's language first (the others stay offered: a person may ask
        for English on the call before anyone has corrected their language)."""
        theirs = models.Case(models.When(language=language, then=0), default=1)
        return self.filter(active=True).alias(theirs=theirs).order_by("theirs", "order", "name")


class TextTemplate(models.Model):
    name = models.CharField(max_length=80, unique=True, help_text="What staff see in the list of prepared texts.")
    # Kept with each text sent from it (OutgoingText.template), for the record.
    slug = models.SlugField(max_length=40, unique=True, blank=True, help_text="Filled in from the name if left empty.")
    words = models.TextField(
        help_text=(
            f"At most {LONGEST_TEMPLATE} characters, naming no condition, substance, treatment or the centre. "
            "May use {centre_phone}; {first_name} is possible, but anyone holding the phone reads it."
        )
    )
    # The language of its words: offered first to a worker texting a person who speaks it.
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    active = models.BooleanField(default=True, help_text="Only active texts are offered to staff.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first in the list.")

    objects = TextTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "prepared text"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:40]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = []
        words = self.words or ""
        if len(words) > LONGEST_TEMPLATE:
            errors.append(f"Keep it to {LONGEST_TEMPLATE} characters; it has {len(words)}.")
        unknown = sorted(self.placeholders() - PLACEHOLDERS.keys())
        if unknown:
            errors.append(
                f"Unknown placeholder {', '.join('{' + name + '}' for name in unknown)}: use "
                + " or ".join("{" + name + "}" for name in PLACEHOLDERS)
                + "."
            )
        if named := telling_words(words):
            errors.append(
                f"It names {', '.join(repr(word) for word in named)}: anyone holding the phone would read it. "
                "Prepared texts stay discreet; a worker may name treatment for a person who asked for it."
            )
        if errors:
            raise ValidationError({"words": errors})

    def placeholders(self) -> set[str]:
        try:
            return {field for _, field, _, _ in string.Formatter().parse(self.words or "") if field is not None}
        except ValueError:  # a lone "{": reported as a placeholder nobody knows
            return {"{"}

    def filled(self, lead) -> str:
        """The words for this person, placeholders filled in."""
        first_name = (lead.name or "").split()[0] if (lead.name or "").strip() else ""
        values = {"centre_phone": display_phone(settings.CENTRE_PHONE), "first_name": first_name}
        return self.words.format_map(values)
