from collections.abc import Mapping
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from .consent import consent_text, current_consent
from .models import BestTime, ForWhom
from .phones import normalise_phone
from .timing import offered_best_times

# Marked only: a plain string here (tests read its example), translated where it is raised.
PHONE_ERROR = gettext_noop("Enter a phone number we can call, with area code, like (312) 555-0134.")


class TelInput(forms.TextInput):
    # A phone keypad on mobiles, and the autofill browsers offer for phone numbers.
    input_type = "tel"


class PhoneField(forms.CharField):
    """A phone number, validated and normalised to E.164 (US by default)."""

    widget = TelInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("error_messages", {"required": _("Enter the phone number we should call.")})
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "autocomplete": "tel", "inputmode": "tel"}

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        e164 = normalise_phone(value)
        if e164 is None:
            raise forms.ValidationError(gettext(PHONE_ERROR), code="invalid_phone")
        return e164


class HoneypotMixin(forms.Form):
    # Hidden from people by CSS and from assistive technology; bots fill every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class PublicForm(HoneypotMixin, forms.Form):
    """A visitor's form: a honeypot, the versioned consent text as the consent box's label, and
    a crispy layout rendered inside the page's own <form> (which carries the CSRF token)."""

    # Which consent the box signs (intake.consent.CURRENT_CONSENTS); the version is the one of the
    # page's language, chosen when the form is made, so the stored version is the text shown.
    consent_form: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
        box = current_consent(self.consent_form, self.language)
        self.fields["consent"].label = consent_text(box, settings.CENTRE_NAME)
        self.fields["consent"].help_text = format_html(
            '{} <a href="{}">{}</a>.',
            _("How federal law protects what you tell us:"),
            reverse("part2_notice"),
            _("our patient notice"),
        )
        if "best_time" in self.fields:
            offered = offered_best_times()
            field = self.fields["best_time"]
            field.choices = [(value, label) for value, label in BestTime.choices if value in offered]
            field.error_messages["invalid_choice"] = _("We don't call at that time of day; please choose another.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = self.layout()

    @property
    def consent_version(self) -> str:
        """The version of the words the visitor agreed to, stored with their request."""
        return current_consent(self.consent_form, self.language)

    def layout(self) -> Layout:
        raise NotImplementedError


class CallbackForm(PublicForm):
    consent_form = "callback"

    name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("A first name is fine."),
        error_messages={"required": _("Tell us what to call you; a first name is fine.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = PhoneField(label=_("Phone number"))
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter an email address like name@example.com, or leave it empty.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    for_whom = forms.ChoiceField(
        label=_("Who is the help for?"),
        error_messages={"required": _("Choose who the help is for.")},
        choices=ForWhom.choices,
        initial=ForWhom.SELF,
        widget=forms.RadioSelect,
    )
    in_danger = forms.ChoiceField(
        label=_("Is anyone in danger right now?"),
        choices=[("no", _("No")), ("yes", _("Yes"))],
        required=False,
        widget=forms.RadioSelect,
    )
    best_time = forms.ChoiceField(label=_("Best time to call"), choices=BestTime.choices, initial=BestTime.ASAP)
    ok_to_text = forms.BooleanField(label=_("It's OK to text me at this number"), required=False)
    ok_to_voicemail = forms.BooleanField(label=_("It's OK to leave a voicemail"), required=False)
    message = forms.CharField(
        label=_("Anything you'd like us to know? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to 1,000 characters. You don't have to share anything you're not ready to."),
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Please tick this box so we're allowed to call you.")},
    )
    # The page the form was sent from, when it is embedded elsewhere (an article).
    from_page = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def clean_from_page(self) -> str:
        page = self.cleaned_data["from_page"]
        # A path on this site only: never a full URL, never a query string.
        return page if page.startswith("/") and not page.startswith("//") and "?" not in page else ""

    def layout(self) -> Layout:
        return Layout(
            Fieldset(
                "",
                Field("name"),
                Field("phone"),
                Field("email"),
                Field("for_whom"),
                Div(
                    Field("in_danger"),
                    HTML('{% include "intake/_danger_alert.html" %}'),
                    css_class="danger-question",
                ),
                Field("best_time"),
                Field("ok_to_text"),
                Field("ok_to_voicemail"),
                Field("message"),
                Field("consent"),
            ),
            Field("from_page"),
            Div(Field("website"), css_class="hp-field", aria_hidden="true"),
            Submit("submit", _("Request my call"), css_class="btn-primary btn-lg w-100"),
        )


class ArticleCallbackForm(CallbackForm):
    """The short form beside an article: name, phone and consent only. Same fields as the full form
    (so the view and the lead treat it alike), but its consent allows a call and nothing more, so
    text and voicemail stay off whatever is posted, and it is re-rendered without those boxes."""

    consent_form = "article-callback"
    # Posted by the article page as `form_variant`, to pick this form (see callback_form_class).
    variant = "article"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("ok_to_text", "ok_to_voicemail"):
            # A disabled field ignores posted data: its consent text promises neither.
            self.fields[name].disabled = True
            self.fields[name].initial = False
        for name in ("for_whom", "best_time"):
            self.fields[name].widget = forms.HiddenInput()

    def layout(self) -> Layout:
        return Layout(
            Fieldset("", Field("name"), Field("phone"), Field("consent")),
            Field("for_whom"),
            Field("best_time"),
            Field("from_page"),
            HTML(f'<input type="hidden" name="form_variant" value="{self.variant}">'),
            Div(Field("website"), css_class="hp-field", aria_hidden="true"),
            Submit("submit", _("Request my call"), css_class="btn-primary btn-lg w-100"),
        )


def callback_form_class(data: Mapping[str, Any]) -> type[CallbackForm]:
    """The form a callback post came from: the article page's short form says so in `form_variant`."""
    return ArticleCallbackForm if data.get("form_variant") == ArticleCallbackForm.variant else CallbackForm
