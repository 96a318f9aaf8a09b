"""Forms for scheduling an admission, the hold's actions and the waitlist."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone

from intake.models import ForWhom

from .models import Programme, WaitlistEntry

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none())
    admit_at = forms.DateTimeField(label="Admission date and time", widget=DATETIME)
    hold_expires_at = forms.DateTimeField(
        label="Hold it until",
        required=False,
        widget=DATETIME,
        help_text=f"Empty: {settings.BED_HOLD_HOURS} hours after the admission time.",
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    email_reminder = forms.BooleanField(label="Email the person a reminder", required=False)

    # Why no reminder goes out, in words for the worker (the schedule page says it).
    LOVED_ONE = (
        "No reminder will be sent: this lead was asked for a loved one, and a reminder of “your appointment” "
        "would reach the caller, not the person coming."
    )

    def __init__(self, *args, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.active().select_related("facility")
        if lead is not None and lead.facility_id:
            programmes = programmes.filter(facility=lead.facility_id) | Programme.objects.filter(
                pk__in=[p for p in [self.initial.get("programme")] if p]
            )
        self.fields["programme"].queryset = programmes.distinct()
        self.fields["programme"].label_from_instance = lambda p: f"{p.title}, {p.facility}"
        reminder = self.fields["email_reminder"]
        if lead is not None and lead.for_whom == ForWhom.LOVED_ONE:
            reminder.disabled, reminder.help_text = True, self.LOVED_ONE
        elif lead is not None and not lead.email:
            reminder.disabled, reminder.help_text = True, "No email address was given."
        elif lead is not None:
            # Only an address they gave for themselves, and only when they asked: the worker records it.
            reminder.label = f"The person asked for an email reminder at {lead.email}"
            reminder.help_text = (
                "The address they gave in their own request. Tick only if they asked for a reminder by email there."
            )

    def name_the_unit(self, programme: Programme | None) -> None:
        """Say "bed" or "place" as the chosen programme counts them."""
        if programme is not None:
            self.fields["hold_expires_at"].label = f"Hold the {programme.unit} until"

    def clean_admit_at(self) -> dt.datetime:
        admit_at = self.cleaned_data["admit_at"]
        if admit_at < timezone.now():
            raise forms.ValidationError("That time has passed: choose a time from now on.")
        return admit_at

    def clean(self):
        cleaned = super().clean()
        admit_at, expires = cleaned.get("admit_at"), cleaned.get("hold_expires_at")
        if admit_at and not expires:
            cleaned["hold_expires_at"] = admit_at + dt.timedelta(hours=settings.BED_HOLD_HOURS)
        elif expires and expires < timezone.now():
            self.add_error("hold_expires_at", "The hold would already have expired: choose a time from now on.")
        elif expires and admit_at and expires < admit_at:
            # A hold gone before the person arrives would give their bed away under them.
            self.add_error("hold_expires_at", "The hold must last at least until the admission time.")
        return cleaned


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the hold released?", max_length=200, help_text="For example: the person postponed."
    )


class DischargeForm(forms.Form):
    discharged_on = forms.DateField(label="Discharged on", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_discharged_on(self) -> dt.date:
        day = self.cleaned_data["discharged_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("That date is in the future: record the discharge once they have left.")
        return day


class JoinWaitlistForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.active())


class LeaveWaitlistForm(forms.Form):
    reason = forms.ChoiceField(label="Why do they leave the waitlist?", choices=WaitlistEntry.LeaveReason.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == WaitlistEntry.LeaveReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why they leave the waitlist.")
        return cleaned


class CheckInForm(forms.Form):
    note = forms.CharField(label="What did they say?", widget=forms.Textarea(attrs={"rows": 2}), required=False)
