"""The roster's form: duty, shift, alerts, facilities and the languages a person speaks."""

from django import forms
from django.conf import settings

from .models import ROSTER_FIELDS, Facility, StaffProfile


def spoken_languages_field() -> forms.MultipleChoiceField:
    """English is everyone's; the other languages the visitor side speaks (settings.LANGUAGES) are
    ticked, and nothing else is accepted (the roster form and the admin alike)."""
    return forms.MultipleChoiceField(
        required=False,
        choices=lambda: [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE],
        widget=forms.CheckboxSelectMultiple,
        label="Languages spoken with callers, besides English",
        help_text="Requests in these languages reach this person first while on shift.",
    )


class RosterForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = [*ROSTER_FIELDS, "facilities"]
        widgets = {"facilities": forms.CheckboxSelectMultiple}

    languages = spoken_languages_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A single-site centre has nothing to choose; ModelForm.save leaves a missing field alone.
        if Facility.objects.several():
            field = self.fields["facilities"]
            field.queryset = Facility.objects.active()
            field.label = "Works for"
            field.help_text = "The facilities whose leads this person works. None ticked: all of them."
        else:
            del self.fields["facilities"]
