"""The benefits workspace's forms. Staff-only, so English (the visitor's form is in forms.py)."""

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
