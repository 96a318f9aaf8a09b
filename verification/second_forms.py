"""The second insurance on the visitor's form: a person with two plans (a young adult on a parent's
plan and on their own employer's) gives both, and both are checked.

The section sits behind one box, "Do you have a second insurance?". Ticked, its questions are asked
as the first card's are, with the same rules and messages that name the second card. Unticked,
anything typed in it is dropped, errors too: the page hides the section then, and an error nobody can
see would block the form. The page shows and hides it with CSS alone (`:has`, in lantern.css), so it
works without a script; a browser without `:has` simply shows it.
"""

from crispy_forms.layout import Div, Field, Fieldset
from django import forms
from django.utils.translation import gettext_lazy as _

from .eligibility.mbi import mbi_fault, normalise_mbi
from .form_fields import OTHER_PAYER, BirthDateField, MemberIdField, policy_holder_section
from .models import Relationship

SECOND_FIELDS = (
    "second_payer",
    "second_payer_other",
    "second_member_id",
    "second_group_number",
    "second_relationship",
    "second_subscriber_first_name",
    "second_subscriber_last_name",
    "second_subscriber_date_of_birth",
)
SECOND_HOLDER = (
    ("second_subscriber_first_name", _("Enter the second policy holder's first name.")),
    ("second_subscriber_last_name", _("Enter the second policy holder's last name.")),
    ("second_subscriber_date_of_birth", _("Enter the second policy holder's date of birth.")),
)


class SecondInsuranceMixin(forms.Form):
    """The second card's fields, their checks and their part of the layout. The form using it
    offers the payers (`offer_second_payers`) and places the fieldset (`second_insurance_fieldset`)."""

    has_second_insurance = forms.BooleanField(
        label=_("Yes, I have a second insurance"),
        help_text=_(
            "For example, a young adult covered by a parent's plan and by their own employer's. We check both."
        ),
        required=False,
    )
    # Required as the first card's are (the page marks them so), but only once the box is ticked:
    # `clean` drops these errors for a visitor who has no second insurance.
    second_payer = forms.ChoiceField(
        label=_("Second insurance company"),
        error_messages={"required": _('Choose the second insurance company, or "isn\'t listed".')},
    )
    second_payer_other = forms.CharField(
        label=_("Second insurance company name, if not listed"), max_length=100, required=False
    )
    second_member_id = MemberIdField(
        label=_("Member ID on the second card"),
        error_messages={"required": _("Enter the member ID from the second insurance card.")},
    )
    second_group_number = MemberIdField(label=_("Group number on the second card (if any)"), required=False)
    second_relationship = forms.ChoiceField(
        label=_("Whose insurance is the second one?"),
        error_messages={"required": _("Choose whose second insurance it is.")},
        choices=Relationship.choices,
        initial=Relationship.SELF,
        widget=forms.RadioSelect,
    )
    second_subscriber_first_name = forms.CharField(
        label=_("Second policy holder's first name"), max_length=60, required=False
    )
    second_subscriber_last_name = forms.CharField(
        label=_("Second policy holder's last name"), max_length=60, required=False
    )
    # Not autocomplete="bday": the browser would offer the visitor's own birthday for someone else's.
    second_subscriber_date_of_birth = BirthDateField(
        label=_("Second policy holder's date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Declared on a base class, the fields would come first: the error summary lists them in
        # the page's order, after the first card and its photos.
        names = [name for name in self.fields if name != "has_second_insurance" and name not in SECOND_FIELDS]
        at = names.index("card_back") + 1 if "card_back" in names else len(names)
        order = [*names[:at], "has_second_insurance", *SECOND_FIELDS, *names[at:]]
        self.fields = {name: self.fields[name] for name in order}

    def offer_second_payers(self, payers: dict) -> None:
        """The insurers the second card can be from: the listed ones (`payers`, by pk), or one typed in."""
        self.second_payers = payers
        self.fields["second_payer"].choices = [
            ("", _("Choose the second insurer")),
            # As on the first card: a state's own Medicaid is reached through the Medicaid entry and the state.
            *[(pk, payer.name) for pk, payer in payers.items() if not payer.one_states_medicaid],
            (OTHER_PAYER, _("My insurer isn't listed")),
        ]

    def second_insurance_fieldset(self) -> Fieldset:
        return Fieldset(
            _("Do you have a second insurance?"),
            Field("has_second_insurance"),
            Div(
                Field("second_payer"),
                Field("second_payer_other"),
                Field("second_member_id"),
                Field("second_group_number"),
                Field("second_relationship"),
                policy_holder_section("second_"),
                css_class="second-insurance-section",
            ),
        )

    def clean_second_payer(self):
        """The chosen Payer, or None for one typed in."""
        value = self.cleaned_data["second_payer"]
        return None if value == OTHER_PAYER else self.second_payers.get(value)

    def clean(self):
        data = super().clean()
        if not data.get("has_second_insurance"):
            for name in SECOND_FIELDS:
                self._errors.pop(name, None)
                data.pop(name, None)
            return data
        if "second_payer" in data and data["second_payer"] is None and not data.get("second_payer_other"):
            self.add_error("second_payer_other", _("Tell us the name of the second insurance company."))
        if data.get("second_member_id") and self._same_card_twice(data):
            self.add_error(
                "second_member_id",
                _("This is the same card as the first one: give the second card's details, or untick the box."),
            )
        if data.get("second_relationship") not in (None, Relationship.SELF):
            for name, message in SECOND_HOLDER:
                if not data.get(name) and name not in self._errors:
                    self.add_error(name, message)
        self._clean_second_medicare_or_medicaid(data)
        return data

    def _clean_second_medicare_or_medicaid(self, data: dict) -> None:
        """The first card's rules for a second card from Medicare (its number checked as one) or
        Medicaid (the state, so the check goes to that state's own plan)."""
        payer = data.get("second_payer")
        if payer is None:
            return
        member_id = data.get("second_member_id") or ""
        if payer.is_medicare and member_id and "second_member_id" not in self._errors:
            member_id = data["second_member_id"] = normalise_mbi(member_id)
            if mbi_fault(member_id):
                self.add_error(
                    "second_member_id",
                    _("This is not a Medicare Number: it has 11 letters and numbers, like 1EG4-TE5-MK73."),
                )
        if payer.is_medicaid and not data.get("state") and "state" not in self._errors:
            self.add_error("state", _("Choose the state of your Medicaid plan."))

    @staticmethod
    def _same_card_twice(data: dict) -> bool:
        """The first card's payer and member ID again: one plan, given twice."""
        member_id = data.get("second_member_id")
        if not member_id or member_id != data.get("member_id"):
            return False
        first, second = data.get("payer"), data.get("second_payer")
        if first is not None or second is not None:
            return first == second
        other = (data.get("payer_other") or "").strip().lower()
        return other == (data.get("second_payer_other") or "").strip().lower()
