"""The form a worker writes a text with, on the lead page."""

from django import forms

from .message_templates import TextTemplate
from .models import LONGEST_TEXT

# Room left for the signature and the opt-out line compose adds (texting.wording.signed).
LONGEST_TYPED = LONGEST_TEXT - 60


class PreparedTextSelect(forms.Select):
    """Each prepared text's words, filled in for this person, ride on its option: the page's script
    puts them in the text box when one is chosen (without a script the server does, see
    TextForm.clean)."""

    def __init__(self, *args, words: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if str(value) in self.words:
            option["attrs"]["data-words"] = self.words[str(value)]
        return option


class TextForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=TextTemplate.objects.none(),
        to_field_name="slug",
        required=False,
        label="Start from a prepared text",
        empty_label="None: I'll write it",
    )
    body = forms.CharField(
        label="Your text",
        required=False,
        max_length=LONGEST_TYPED,
        widget=forms.Textarea(attrs={"rows": 3, "data-text-body": ""}),
        help_text="Signed “Lantern”; the first text to a number also says how to stop, in the person's language.",
    )
    plain_words = forms.BooleanField(label="The person asked us to name treatment in texts", required=False)

    def __init__(self, *args, lead, **kwargs):
        # Ids of its own: the lead page's note form has a "body" too, and a label must find its box.
        kwargs.setdefault("auto_id", "text_%s")
        super().__init__(*args, **kwargs)
        self.lead = lead
        prepared = list(TextTemplate.objects.for_language(lead.language))
        field = self.fields["template"]
        field.queryset = TextTemplate.objects.for_language(lead.language)
        field.widget = PreparedTextSelect(
            words={t.slug: t.filled(lead) for t in prepared}, attrs={"data-text-template": ""}
        )
        field.widget.choices = field.choices
        self.fields["body"].widget.attrs["maxlength"] = LONGEST_TYPED

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if not (data.get("body") or "").strip():
            if template is None:
                self.add_error("body", "Write the text, or choose a prepared one.")
            else:
                data["body"] = template.filled(self.lead)
        return data

    @property
    def template_slug(self) -> str:
        template = self.cleaned_data.get("template")
        return template.slug if template else ""
