from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from intake.consent import consent_text, current_consent, part2_consent_terms
from intake.forms import PhoneField, PublicForm
from intake.models import BestTime

from .disclosures import clearinghouse_clause
from .form_fields import OTHER_PAYER, SOMEONE_ELSES, BirthDateField, MemberIdField
from .kept_photos import KEPT_PHOTO_TEMPLATE, CardPhotoField, KeptPhotosMixin
from .models import InsurerContact, Payer, Relationship
from .second_forms import SecondInsuranceMixin


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
    payer = forms.ChoiceField(label=_("Insurance company"))
    payer_other = forms.CharField(label=_("Insurance company name, if not listed"), max_length=100, required=False)
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
            *[(pk, p.name) for pk, p in self.payers.items()],
            (OTHER_PAYER, _("My insurer isn't listed")),
        ]
        self.fields["payer"].error_messages["required"] = _('Choose your insurance company, or "isn\'t listed".')
        self.offer_second_payers(self.payers)

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
                Field("member_id"),
                Field("group_number"),
                Field("relationship"),
                Div(
                    HTML(format_html('<p class="small mb-2">{}</p>', SOMEONE_ELSES)),
                    HTML('{% include "verification/_eob_warning.html" %}'),
                    Div(
                        Div("subscriber_first_name", css_class="col-sm-6"),
                        Div("subscriber_last_name", css_class="col-sm-6"),
                        css_class="row",
                    ),
                    Field("subscriber_date_of_birth"),
                    css_class="subscriber-section",
                ),
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
        if data.get("relationship") and data["relationship"] != Relationship.SELF:
            for name, message in (
                ("subscriber_first_name", _("Enter the policy holder's first name.")),
                ("subscriber_last_name", _("Enter the policy holder's last name.")),
                ("subscriber_date_of_birth", _("Enter the policy holder's date of birth.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        return data
