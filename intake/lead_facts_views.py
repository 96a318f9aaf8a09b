"""The lead page's "Facility and referral source" form: where the lead is worked (only when the
centre runs several facilities), who sent the person, and the language they prefer. Each change is
a LeadEvent naming the old and the new (organisations and languages, not PHI) and an auditlog entry
for the lead's save."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .models import Facility, Language, Lead, ReferralSource, WorkflowError
from .permissions import admissions_required

NO_SOURCE = "None / self"


class LeadFactsForm(forms.Form):
    facility = forms.ModelChoiceField(queryset=Facility.objects.none(), empty_label=None)
    referral_source = forms.ModelChoiceField(
        queryset=ReferralSource.objects.none(), required=False, empty_label=NO_SOURCE, label="Referral source"
    )
    # A person may say on the call that they prefer Spanish: who calls them and what we send them.
    # Not required: a form posted without it (an older page still open) leaves the language alone.
    language = forms.ChoiceField(
        choices=Language.choices,
        required=False,
        label="Language the person prefers",
        help_text="Texts and reminders use it.",
    )

    def __init__(self, *args, lead: Lead, **kwargs):
        kwargs.setdefault(
            "initial",
            {"facility": lead.facility_id, "referral_source": lead.referral_source_id, "language": lead.language},
        )
        super().__init__(*args, **kwargs)
        # The active ones, and whatever the lead has now even if since deactivated: saving the
        # form unchanged must not quietly clear it.
        facilities = Facility.objects.filter(Q(active=True) | Q(pk=lead.facility_id))
        if facilities.filter(active=True).count() > 1:
            self.fields["facility"].queryset = facilities
            self.fields["facility"].error_messages["invalid_choice"] = "Choose one of the active facilities."
        else:
            del self.fields["facility"]
        self.fields["referral_source"].queryset = ReferralSource.objects.filter(
            Q(active=True) | Q(pk=lead.referral_source_id)
        )
        self.fields["referral_source"].error_messages["invalid_choice"] = (
            "That source is no longer active: choose another, or ask an admin to reactivate it."
        )


def lead_facts_form(lead: Lead, data=None) -> LeadFactsForm:
    return LeadFactsForm(data, lead=lead)


@admissions_required
@require_POST
def lead_facts(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = get_object_or_404(Lead.objects.select_related("facility", "referral_source"), pk=lead_id)
    form = LeadFactsForm(request.POST, lead=lead)
    if not form.is_valid():
        # A page of its own, naming the lead by reference only: nothing here is PHI.
        return render(request, "staff/lead_facts.html", {"lead": lead, "form": form}, status=400)
    changed = []
    try:
        # Claimed by someone else or merged: refused, like every other change to a lead.
        with lead.worked_by(request.user):
            if "facility" in form.fields and lead.move_to_facility(form.cleaned_data["facility"], by=request.user):
                changed.append(f"facility {lead.facility}")
            if lead.set_referral_source(form.cleaned_data["referral_source"], by=request.user):
                changed.append(f"referral source {lead.referral_source or NO_SOURCE.lower()}")
            language = form.cleaned_data["language"]
            if language and lead.set_language(language, by=request.user):
                changed.append(f"language {lead.get_language_display()}")
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("staff:lead", lead_id=lead.pk)
    if changed:
        messages.success(request, f"{lead.reference}: {' and '.join(changed)} saved.")
    else:
        messages.info(request, "Nothing changed.")
    return redirect("staff:lead", lead_id=lead.pk)
