"""Staff forms of the hand-off: the signed Part 2 consent naming the clinical record system,
copied from the form on file, and its revocation."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone

from intake.models import ConsentRevocation

from .models import HandoffConsent, Share

SELECT = {"class": "form-select"}
DATE = {"type": "date", "class": "form-control"}


class HandoffConsentForm(forms.ModelForm):
    """The facts of a signed consent (42 CFR 2.31(a)) naming the clinical record system."""

    kinds = forms.MultipleChoiceField(
        label="What the consent lets go to the clinical record",
        choices=Share.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The consents themselves and the notice prohibiting redisclosure always go with the record.",
    )

    class Meta:
        model = HandoffConsent
        fields = [
            "recipient",
            "method",
            "patient_name",
            "signed_by",
            "signed_on",
            "kinds",
            "purpose",
            "expires_on",
            "states_revocation",
            "states_hipaa_redisclosure",
            "kept_at",
        ]
        widgets = {
            "method": forms.Select(attrs=SELECT),
            "signed_on": forms.DateInput(attrs=DATE),
            "expires_on": forms.DateInput(attrs=DATE),
        }

    def __init__(self, *args, lead=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("expires_on", timezone.localdate() + dt.timedelta(days=365))
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.auto_id = "id_hc_%s"
        self.fields["recipient"].help_text = (
            "As the signed form names it. The record goes only under a consent naming "
            f"{settings.FHIR_EXPORT_RECIPIENT}."
        )
        self.fields["states_revocation"].required = True
        self.fields["states_hipaa_redisclosure"].required = True
        for name in ("recipient", "patient_name", "signed_by", "purpose", "kept_at"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean_kinds(self) -> list[str]:
        kinds = self.cleaned_data["kinds"]
        if Share.IDENTITY not in kinds:
            raise forms.ValidationError("A record cannot go without who it is about: the form must cover that too.")
        return kinds

    def clean_signed_on(self) -> dt.date:
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError("That date is in the future: record the consent once it is signed.")
        return signed_on

    def clean_expires_on(self) -> dt.date:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < timezone.localdate():
            raise forms.ValidationError("That consent has already expired: nothing may go under it.")
        return expires_on

    def clean(self):
        data = super().clean()
        signed_on, expires_on = data.get("signed_on"), data.get("expires_on")
        if signed_on and expires_on and expires_on < signed_on:
            self.add_error("expires_on", "That is before the consent was signed: check the date.")
        return data


class HandoffRevokeForm(forms.Form):
    """The person took back their consent to the hand-off: how, and the day they told us."""

    method = forms.ChoiceField(
        label="How they revoked it", choices=ConsentRevocation.Method.choices, widget=forms.Select(attrs=SELECT)
    )
    said_on = forms.DateField(label="The day they told us", widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, consent: HandoffConsent, **kwargs):
        kwargs.setdefault("initial", {"said_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.auto_id = f"id_hc{consent.pk}_%s"

    def clean_said_on(self) -> dt.date:
        said_on = self.cleaned_data["said_on"]
        if said_on > timezone.localdate():
            raise forms.ValidationError("That date is in the future: record the revocation once the person said it.")
        if said_on < self.consent.signed_on:
            raise forms.ValidationError("That is before the consent was signed: check the date.")
        return said_on
