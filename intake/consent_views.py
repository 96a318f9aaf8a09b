"""Staff record that a person revoked their 42 CFR Part 2 consent (from the lead page).

From then on nothing about the lead is sent to a payer: verification asks `disclosure_refusal`
before queuing a check and again before sending one.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import ConsentRevocation, Lead
from .permissions import admissions_required


class RevocationForm(forms.Form):
    method = forms.ChoiceField(
        label="How did they say it?",
        choices=ConsentRevocation.Method.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the person revoked their consent."},
    )
    said_on = forms.DateField(
        label="When did they say it?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the day the person told us.", "invalid": "Enter a real date."},
    )

    @staticmethod
    def today():
        return timezone.localdate()

    def clean_said_on(self):
        said_on = self.cleaned_data["said_on"]
        if said_on > timezone.localdate():
            raise forms.ValidationError("A revocation cannot be dated in the future.")
        return said_on


@admissions_required
@require_POST
def record_revocation(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead, pk=lead_id)
    form = RevocationForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
        messages.error(request, f"The revocation was not recorded. {errors}")
        return redirect(lead)
    ConsentRevocation.objects.record(
        lead, method=form.cleaned_data["method"], said_on=form.cleaned_data["said_on"], by=request.user
    )
    done = f"Revocation recorded on {lead.reference}. Nothing more is sent to a payer for this lead."
    messages.success(request, done)
    return redirect(lead)
