"""Forms for referrals out: the directory's filter, the referral itself, the Part 2 consent staff
record from the signed form, and a referral's change of state."""

import datetime as dt

from django import forms
from django.utils import timezone

from intake.models import ConsentRevocation
from verification.payers import Payer

from .models import LostReason, Partner, PartnerService, ReferralConsent, ReferralState, Share
from .models.referrals import SHAREABLE

SHARE_CHOICES = [(code, Share(code).label) for code in SHAREABLE]

SELECT = {"class": "form-select"}


class PartnerFilterForm(forms.Form):
    service = forms.ChoiceField(
        label="Level of care or service",
        required=False,
        choices=[("", "Any"), *PartnerService.choices],
        widget=forms.Select(attrs=SELECT),
    )
    payer = forms.ModelChoiceField(
        label="Insurance",
        required=False,
        empty_label="Any",
        queryset=Payer.objects.filter(active=True),
        widget=forms.Select(attrs=SELECT),
    )


class ReferralForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=Partner.objects.active(), widget=forms.RadioSelect)
    level_of_care = forms.ChoiceField(
        label="Level of care", choices=PartnerService.choices, widget=forms.Select(attrs=SELECT)
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text="For the team: who you spoke to at the partner, what was agreed.",
    )
    shares = forms.MultipleChoiceField(
        label="What is shared with the partner",
        required=False,
        choices=SHARE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Nothing, unless the person signed a Part 2 consent naming this partner and covering it.",
    )


class ReferralConsentForm(forms.ModelForm):
    """The facts of a signed consent (42 CFR 2.31(a)), copied from the form on file."""

    kinds = forms.MultipleChoiceField(
        label="What the consent lets us share", choices=SHARE_CHOICES, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReferralConsent
        fields = [
            "partner",
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
            "partner": forms.Select(attrs=SELECT),
            "method": forms.Select(attrs=SELECT),
            "signed_on": forms.DateInput(attrs={"type": "date", "class": "form-control"}),
            "expires_on": forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.active()
        self.fields["partner"].label = "Recipient named on the form"
        self.fields["states_revocation"].required = True
        # 2.31(a)(4)(iii): without the HIPAA redisclosure statement the form is no consent for a partner.
        self.fields["states_hipaa_redisclosure"].required = True
        for name in ("patient_name", "signed_by", "purpose", "kept_at"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean_signed_on(self) -> dt.date:
        signed_on = self.cleaned_data["signed_on"]
        if signed_on > timezone.localdate():
            raise forms.ValidationError("That date is in the future: record the consent once it is signed.")
        return signed_on

    def clean_expires_on(self) -> dt.date:
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < timezone.localdate():
            raise forms.ValidationError("That consent has already expired: nothing may be shared under it.")
        return expires_on


class ConsentRevokeForm(forms.Form):
    """The person took back their consent for one partner: how, and on which day they told us."""

    method = forms.ChoiceField(
        label="How they revoked it", choices=ConsentRevocation.Method.choices, widget=forms.Select(attrs=SELECT)
    )
    said_on = forms.DateField(
        label="The day they told us", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, *args, consent: ReferralConsent, **kwargs):
        kwargs.setdefault("initial", {"said_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.consent = consent
        self.auto_id = f"id_rc{consent.pk}_%s"

    def clean_said_on(self) -> dt.date:
        said_on = self.cleaned_data["said_on"]
        if said_on > timezone.localdate():
            raise forms.ValidationError("That date is in the future: record the revocation once the person said it.")
        if said_on < self.consent.signed_on:
            raise forms.ValidationError("That is before the consent was signed: check the date.")
        return said_on


class ReferralStateForm(forms.Form):
    state = forms.ChoiceField(label="What happened", widget=forms.Select(attrs=SELECT))
    happened_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.ChoiceField(
        label="Why it was lost",
        required=False,
        choices=[("", "—"), *LostReason.choices],
        widget=forms.Select(attrs=SELECT),
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def __init__(self, *args, referral, **kwargs):
        kwargs.setdefault("initial", {"happened_at": timezone.localtime().replace(second=0, microsecond=0)})
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["state"].choices = [(s, ReferralState(s).label) for s in referral.next_states()]
        self.auto_id = f"id_r{referral.pk}_%s"
