"""The benefits workspace's forms. Staff-only, so English (the visitor's form is in forms.py)."""

import re

from django import forms

from .eligibility.coverage import CoverageStatus
from .insurances import Which
from .models import Outcome


class ManualCheckForm(forms.Form):
    """What staff heard when they called a payer that has no electronic eligibility."""

    # Which of the request's plans the call was about; asked only when there are two (`plans`).
    insurance = forms.ChoiceField(label="Which insurance did you call about?", choices=Which.choices, required=False)

    # What a payer's representative can tell staff on a call; "error" is a gateway's outcome only.
    coverage_status = forms.ChoiceField(
        label="Coverage",
        choices=[
            (CoverageStatus.ACTIVE, CoverageStatus.ACTIVE.label),
            (CoverageStatus.INACTIVE, CoverageStatus.INACTIVE.label),
            (CoverageStatus.REJECTED, "Member not found"),
        ],
    )
    payer_rep = forms.CharField(label="Payer representative and call reference", max_length=120)
    plan_name = forms.CharField(label="Plan name", max_length=120, required=False)
    deductible_total = forms.DecimalField(label="Deductible (individual, in network)", required=False, min_value=0)
    deductible_remaining = forms.DecimalField(label="Deductible remaining", required=False, min_value=0)
    oop_total = forms.DecimalField(label="Out-of-pocket maximum (individual, in network)", required=False, min_value=0)
    oop_remaining = forms.DecimalField(label="Out-of-pocket remaining", required=False, min_value=0)
    coinsurance_percent = forms.DecimalField(
        label="Coinsurance (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    prior_auth = forms.ChoiceField(
        label="Prior authorization for residential / detox",
        choices=[("", "Not said"), ("Y", "Required"), ("N", "Not required")],
        required=False,
    )
    notes = forms.CharField(label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plans: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None and len(plans) > 1:
            self.fields["insurance"].choices = [(plan.which, f"{plan.label}: {plan.payer_name}") for plan in plans]
            self.fields["insurance"].required = True
        else:
            del self.fields["insurance"]

    def clean_insurance(self) -> str:
        return self.cleaned_data.get("insurance") or Which.FIRST


class VerifyForm(forms.Form):
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect)
    summary = forms.CharField(
        label="Summary for the visitor call", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NeverShown(forms.TextInput):
    """An input that never writes its value back into the page: a form shown again with an
    error asks for the number again rather than carry it in the HTML."""

    def format_value(self, value):
        return None


class MbiLookupForm(forms.Form):
    """Find a Medicare beneficiary's MBI on a call. The SSN is optional: without it Medicare
    searches by name, date of birth and state. It is used for this one request: never saved."""

    ssn = forms.CharField(
        label="Social Security number (optional)",
        required=False,
        max_length=11,
        help_text="Sent to Medicare for this lookup only; Lantern does not keep it.",
        widget=NeverShown(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args, state: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state

    def clean_ssn(self) -> str:
        digits = re.sub(r"[\s-]+", "", self.cleaned_data["ssn"])
        if not digits:
            return ""
        if not re.fullmatch(r"\d{9}", digits):
            raise forms.ValidationError("An SSN has 9 digits, like 123-45-6789.")
        area, group, serial = digits[:3], digits[3:5], digits[5:]
        if area in ("000", "666") or area >= "900" or group == "00" or serial == "0000":
            raise forms.ValidationError("That number is not one Social Security issues: check it with the person.")
        return digits

    def clean(self):
        data = super().clean()
        if "ssn" not in self.errors and not data.get("ssn") and not self.state:
            self.add_error("ssn", "Enter the SSN: without it Medicare searches by state, and the visitor gave none.")
        return data
