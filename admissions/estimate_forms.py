"""The forms of the Good Faith Estimate page: what to estimate, and sending it to the person."""

from django import forms

from intake.models import LevelOfCare

from .estimates import Stay
from .models import Programme, SelfPayReason
from .models.estimates import provider_gaps

LEVEL_ORDER = [level for level, _ in LevelOfCare.choices]


def estimable_programmes() -> list[Programme]:
    """Active programmes a self-pay person may be estimated for, in the order care goes (detox, then
    residential, then day programmes)."""
    programmes = Programme.objects.active().filter(accepts_self_pay=True).select_related("facility")
    return sorted(programmes, key=lambda p: (LEVEL_ORDER.index(p.level), p.facility.name))


class GoodFaithEstimateForm(forms.Form):
    programmes = forms.ModelMultipleChoiceField(
        queryset=Programme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Programmes to estimate",
        help_text="Tick each level the person would go through; they are estimated in the order shown.",
        error_messages={"required": "Choose at least one programme to estimate."},
    )
    self_pay_reason = forms.ChoiceField(
        choices=SelfPayReason.choices,
        widget=forms.RadioSelect,
        label="Why the person pays for their own care",
        error_messages={"required": "Say why the person is self-pay: a Good Faith Estimate is only for them."},
    )
    self_pay_confirmed = forms.BooleanField(
        label="I confirmed with the person that they will pay for this care themselves",
        error_messages={"required": "Confirm the person is self-pay before issuing the estimate."},
    )
    patient_name = forms.CharField(label="Person's full name", max_length=100)
    patient_date_of_birth = forms.DateField(
        # 45 CFR 149.610(c)(1)(i): the estimate must carry the patient's date of birth.
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the person's date of birth: the estimate must show it."},
    )
    expected_start = forms.DateField(
        label="Expected start date",
        required=False,
        help_text="Only if the care is scheduled.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = estimable_programmes()
        self.fields["programmes"].queryset = Programme.objects.filter(pk__in=[p.pk for p in self.choices])
        self.fields["programmes"].choices = [(p.pk, f"{p.title}, {p.facility.name}") for p in self.choices]
        for programme in self.choices:
            self.fields[self.days_field(programme)] = forms.IntegerField(
                label=f"Days of {programme.title} at {programme.facility.name}",
                min_value=1,
                max_value=365,
                initial=programme.typical_length_days,
                required=False,
            )

    @staticmethod
    def days_field(programme: Programme) -> str:
        return f"days_{programme.pk}"

    def rows(self) -> list[tuple[Programme, forms.BoundField, bool]]:
        """Each programme with its days field and whether it is ticked, for the template's table."""
        ticked = {str(value) for value in (self["programmes"].value() or [])}
        return [(p, self[self.days_field(p)], str(p.pk) in ticked) for p in self.choices]

    def clean(self):
        data = super().clean()
        chosen = {p.pk for p in data.get("programmes") or []}
        stays = []
        for programme in self.choices:
            if programme.pk not in chosen:
                continue
            # The rule asks for each provider's NPI, TIN and address and each service's code:
            # an estimate without them is not a valid Good Faith Estimate, so none is issued.
            if not programme.service_code:
                self.add_error("programmes", f"{programme.title} has no service code: ask an admin to add it.")
            facility = programme.facility
            facts = {"name": facility.name, "npi": facility.npi, "tax_id": facility.tax_id}
            for gap in provider_gaps([{**facts, "address": facility.street_address}]):
                self.add_error("programmes", f"{gap}: ask an admin to add it before issuing an estimate.")
            days = data.get(self.days_field(programme))
            if not days:
                self.add_error(self.days_field(programme), f"How many days of {programme.title}?")
            else:
                stays.append(Stay(programme, days))
        data["stays"] = stays
        return data


class SendEstimateForm(forms.Form):
    """The worker reads the address back to the person and types what they confirm: an estimate
    names the person and their care, and goes only to an address the person gave us."""

    asked_by_email = forms.BooleanField(
        label="The person asked us to email this estimate to the address they gave",
        error_messages={"required": "Tick this only once the person has asked for it by email."},
    )
    confirm_to = forms.EmailField(
        label="Their email address, as the person confirms it on the call",
        error_messages={"required": "Type the address the person confirms.", "invalid": "Enter an email address."},
    )

    def __init__(self, *args, given: str = "", **kwargs):
        self.given = given
        super().__init__(*args, **kwargs)

    def clean_confirm_to(self) -> str:
        typed = self.cleaned_data["confirm_to"].strip()
        if typed.casefold() != self.given.strip().casefold():
            raise forms.ValidationError(
                "That is not the address the person gave us: check it with them. An estimate is only emailed "
                "to an address the person gave."
            )
        return typed
