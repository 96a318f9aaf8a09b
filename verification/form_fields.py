"""The form fields both insurances on the visitor's form use: a date of birth, and an ID from a card."""

import re

from crispy_forms.layout import HTML, Div, Field
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

OTHER_PAYER = "other"
SOMEONE_ELSES = _("Only if the policy is in someone else's name.")
DATE_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y"]
_MEMBER_ID = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")


class BirthDateField(forms.DateField):
    """A real date in the past, for a person of a plausible age."""

    widget = forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault(
            "error_messages",
            {
                # Month first, as US forms and cards write it: say so, a Spanish speaker may expect the day first.
                "invalid": _("Enter a real date, month/day/year, like 04/27/1988."),
                "required": _("Enter the date of birth."),
            },
        )
        super().__init__(**kwargs)

    def clean(self, value):
        date = super().clean(value)
        if date is None:
            return date
        today = timezone.localdate()
        if date >= today:
            raise ValidationError(_("A date of birth must be in the past."))
        if date < today.replace(year=today.year - 110):
            raise ValidationError(_("Please check the year: that would make the person over 110."))
        return date


class MemberIdField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        normalised = re.sub(r"\s+", "", value).upper()
        if not _MEMBER_ID.match(normalised):
            raise ValidationError(_("Use only the letters and numbers printed on the card."))
        return normalised


def policy_holder_section(prefix: str = "") -> Div:
    """The policy holder's name and date of birth, shown when the policy is someone else's: the
    same block for the first card (no prefix) and the second ("second_")."""
    return Div(
        HTML(format_html('<p class="small mb-2">{}</p>', SOMEONE_ELSES)),
        HTML('{% include "verification/_eob_warning.html" %}'),
        Div(
            Div(f"{prefix}subscriber_first_name", css_class="col-sm-6"),
            Div(f"{prefix}subscriber_last_name", css_class="col-sm-6"),
            css_class="row",
        ),
        Field(f"{prefix}subscriber_date_of_birth"),
        css_class=f"{prefix.replace('_', '-')}subscriber-section",
    )
