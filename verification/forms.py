from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from intake.consent import consent_text, current_consent, part2_consent_terms
from intake.forms import PhoneField, PublicForm
from intake.models import BestTime

from .disclosures import clearinghouse_clause
from .eligibility.mbi import mbi_fault, normalise_mbi
from .form_fields import OTHER_PAYER, BirthDateField, MemberIdField, policy_holder_section
from .kept_photos import KEPT_PHOTO_TEMPLATE, CardPhotoField, KeptPhotosMixin
from .models import InsurerContact, Payer, Relationship
from .second_forms import SecondInsuranceMixin
from .states import state_choices

MEDICARE_NUMBER = _(
    "On a Medicare card the member ID is the Medicare Number: 11 letters and numbers, like 1EG4-TE5-MK73."
)


class PayerSelect(forms.Select):
    """The insurers, each option saying whether the form asks for a state with it (see lantern.css:
    the state and Medicare questions show only where they matter, without JavaScript)."""

    payers: dict[str, Payer] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        payer = self.payers.get(str(value))
        if payer is not None and payer.is_medicare:
            option["attrs"].update({"data-kind": "medicare", "data-state": "if-no-card"})
        elif payer is not None and (payer.is_medicaid or payer.varies_by_state):
            option["attrs"]["data-state"] = "asked"
        return option


class StateSelect(forms.Select):
    """The states' list written in one pass: Django renders each option through a template of its
    own, and 57 of them took as long as the rest of the insurance fieldset (12 ms a page)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, choices, _index in widget["optgroups"]
                for option in choices
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options)


class VerificationForm(SecondInsuranceMixin, KeptPhotosMixin, PublicForm):
    # Messages that name their field: the error summary at the top of the page lists them out of context.
    first_name = forms.CharField(
        label=_("Patient's first name"),
        max_length=60,
        error_messages={"required": _("Enter the patient's first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Patient's last name"),
        max_length=60,
        error_messages={"required": _("Enter the patient's last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    date_of_birth = BirthDateField(label=_("Patient's date of birth"))
    phone = PhoneField(label=_("Best phone number"))
    # Not required: a browser always sends one of the choices; a bare post means "as soon as possible".
    best_time = forms.ChoiceField(
        label=_("Best time to call"), choices=BestTime.choices, initial=BestTime.ASAP, required=False
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    ok_to_text = forms.BooleanField(label=_("It's OK to text me at this number"), required=False)
    ok_to_voicemail = forms.BooleanField(label=_("It's OK to leave a voicemail"), required=False)
    payer = forms.ChoiceField(label=_("Insurance company"), widget=PayerSelect)
    payer_other = forms.CharField(label=_("Insurance company name, if not listed"), max_length=100, required=False)
    no_card = forms.BooleanField(
        label=_("I don't have my Medicare card at hand"),
        help_text=_("Then we will try to find your Medicare Number from your name, date of birth and state."),
        required=False,
    )
    # Asked where it matters (required for Medicaid, and for Medicare without the card); the
    # choices are set per request, in the order of the page's language.
    state = forms.ChoiceField(
        label=_("State"),
        help_text=_("Where you live. Medicaid and some Blue Cross plans differ from state to state."),
        required=False,
        widget=StateSelect(attrs={"autocomplete": "address-level1"}),
    )
    member_id = MemberIdField(
        label=_("Member ID"),
        help_text=_("Printed on the front of the card."),
        error_messages={"required": _("Enter the member ID from the insurance card.")},
    )
    group_number = MemberIdField(label=_("Group number (if on the card)"), required=False)
    relationship = forms.ChoiceField(
        label=_("Whose insurance is it?"),
        error_messages={"required": _("Choose whose insurance it is.")},
        choices=Relationship.choices,
        initial=Relationship.SELF,
        widget=forms.RadioSelect,
    )
    subscriber_first_name = forms.CharField(label=_("Policy holder's first name"), max_length=60, required=False)
    subscriber_last_name = forms.CharField(label=_("Policy holder's last name"), max_length=60, required=False)
    # Not autocomplete="bday": the browser would offer the visitor's own birthday for someone else's.
    subscriber_date_of_birth = BirthDateField(
        label=_("Policy holder's date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"),
    )
    card_front = CardPhotoField(
        label=_("Photo of the card's front (optional)"), side_label=_("Front of card"), required=False
    )
    card_back = CardPhotoField(
        label=_("Photo of the card's back (optional)"), side_label=_("Back of card"), required=False
    )
    # Not required: a browser always sends one of the two; a bare post means the default, which is
    # the one shown selected.
    insurer_contact = forms.ChoiceField(
        label=_("How should we check?"),
        choices=InsurerContact.choices,
        initial=InsurerContact.CHECK,
        required=False,
        widget=forms.RadioSelect,
    )
    consent = forms.BooleanField(error_messages={"required": _("Please tick this box so we may check your benefits.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The box always signs the Part 2 consent above it; a visitor choosing a call agrees to
        # the words under that choice instead, and the box is then not needed.
        self.fields["insurer_contact"].help_text = _("If you choose a call: %(consent)s") % {
            "consent": consent_text(current_consent("verification-by-phone", self.language), settings.CENTRE_NAME)
        }
        if self.by_phone:
            # Nothing goes to the insurer, so there is nothing to consent to beyond the call.
            self.fields["consent"].required = False
        self.payers = {str(p.pk): p for p in Payer.objects.listed()}
        self.fields["payer"].choices = [
            ("", _("Choose your insurer")),
            # A state's own Medicaid is reached through the Medicaid entry and the state (Payer.in_state).
            *[(pk, p.name) for pk, p in self.payers.items() if not p.one_states_medicaid],
            (OTHER_PAYER, _("My insurer isn't listed")),
        ]
        self.fields["payer"].error_messages["required"] = _('Choose your insurance company, or "isn\'t listed".')
        self.offer_second_payers(self.payers)
        self.fields["payer"].widget.payers = self.payers
        self.fields["state"].choices = [("", _("Choose a state")), *state_choices()]
        self.fields["state"].error_messages["invalid_choice"] = _("Choose a state from the list.")
        if self.medicare:
            member_id = self.fields["member_id"]
            # Without the card at hand, Medicare is asked for the person's MBI first.
            member_id.required = not self["no_card"].data
            member_id.error_messages["required"] = _(
                'Enter the Medicare Number from the card, or tick "I don\'t have my Medicare card at hand".'
            )

    @property
    def medicare(self) -> bool:
        """The visitor chose Medicare (as posted: fields' requirements depend on it before cleaning)."""
        payer = self.payers.get(self.data.get("payer") or "") if self.is_bound else None
        return payer is not None and payer.is_medicare

    def layout(self) -> Layout:
        return Layout(
            Fieldset(
                _("About the patient"),
                Div(Div("first_name", css_class="col-sm-6"), Div("last_name", css_class="col-sm-6"), css_class="row"),
                Field("date_of_birth"),
                Field("phone"),
                Field("best_time"),
                Field("email"),
                Field("ok_to_text"),
                Field("ok_to_voicemail"),
            ),
            Fieldset(
                _("The insurance card"),
                Field("payer"),
                Field("payer_other"),
                Div(
                    HTML(format_html('<p class="small mb-2">{}</p>', MEDICARE_NUMBER)),
                    Field("no_card"),
                    css_class="medicare-question",
                ),
                Div(Field("state"), css_class="state-question"),
                Field("member_id"),
                Field("group_number"),
                Field("relationship"),
                policy_holder_section(),
                Field("card_front", template=KEPT_PHOTO_TEMPLATE),
                Field("card_back", template=KEPT_PHOTO_TEMPLATE),
            ),
            self.second_insurance_fieldset(),
            Fieldset(
                _("Your consent"),
                Field("insurer_contact"),
                Div(HTML(self.part2_terms_html()), Field("consent"), css_class="part2-consent"),
            ),
            Field("form_id"),
            Div(Field("website"), css_class="hp-field", aria_hidden="true"),
            Submit("submit", _("Check my insurance"), css_class="btn-primary btn-lg w-100"),
        )

    @property
    def by_phone(self) -> bool:
        return self.is_bound and self.data.get("insurer_contact") == InsurerContact.BY_PHONE

    consent_form = "verification-part2"

    @property
    def consent_version(self) -> str:
        """The words the visitor agreed to, in the page's language: the Part 2 consent, or only a call."""
        return current_consent("verification-by-phone" if self.by_phone else "verification-part2", self.language)

    def part2_terms_html(self) -> str:
        """The consent's elements, shown above its box. Before the visitor has typed anything the
        patient and insurer are described; the stored copy names them (intake.Part2Consent)."""
        terms = part2_consent_terms(
            current_consent("verification-part2", self.language),
            patient=str(_("the patient named above")),
            recipients=clearinghouse_clause(),
            signed=timezone.localdate(),
            centre=settings.CENTRE_NAME,
            phone=settings.CENTRE_PHONE,
        )
        return render_to_string("verification/_part2_terms.html", {"terms": terms})

    def clean_insurer_contact(self) -> str:
        return self.cleaned_data["insurer_contact"] or InsurerContact.CHECK

    def clean_best_time(self) -> str:
        return self.cleaned_data["best_time"] or BestTime.ASAP

    def clean_payer(self):
        value = self.cleaned_data["payer"]
        if value == OTHER_PAYER:
            return None
        return self.payers.get(value)

    def clean(self):
        data = super().clean()
        if "payer" in data and data["payer"] is None and not data.get("payer_other"):
            self.add_error("payer_other", _("Tell us the name of your insurance company."))
        self._clean_member_id_and_state(data)
        if data.get("relationship") and data["relationship"] != Relationship.SELF:
            for name, message in (
                ("subscriber_first_name", _("Enter the policy holder's first name.")),
                ("subscriber_last_name", _("Enter the policy holder's last name.")),
                ("subscriber_date_of_birth", _("Enter the policy holder's date of birth.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data

    def _clean_member_id_and_state(self, data: dict) -> None:
        """A Medicare Number checked as one, and the state asked where the plan (or Medicare's
        search for a person without their card) depends on it."""
        payer = data.get("payer")
        medicare = payer is not None and payer.is_medicare
        data["no_card"] = medicare and bool(data.get("no_card"))
        member_id = data.get("member_id") or ""
        if medicare and member_id and "member_id" not in self.errors:
            member_id = data["member_id"] = normalise_mbi(member_id)
            if fault := mbi_fault(member_id):
                self.add_error("member_id", self._mbi_message(fault, member_id))
        if data.get("state") or "state" in self.errors:
            return
        if payer is not None and payer.is_medicaid:
            self.add_error("state", _("Choose the state of your Medicaid plan."))
        elif data["no_card"] and not member_id:
            self.add_error("state", _("Choose your state: without the card, Medicare finds you by it."))

    @staticmethod
    def _mbi_message(fault: str, value: str) -> str:
        if fault == "length":
            return _("A Medicare Number has 11 letters and numbers; this one has %(count)s.") % {"count": len(value)}
        if fault == "letters":
            return _("A Medicare Number never has the letters S, L, O, I, B or Z: check for a 5, 1, 0, 1, 8 or 2.")
        return _("Please check the Medicare Number: 11 letters and numbers, starting with a number from 1 to 9.")
