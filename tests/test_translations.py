"""Nothing a visitor reads ships in English only (issue 20): the public templates, the visitor's forms
and the messages they mark for translation are checked against the compiled Spanish catalogues
(`make test` compiles them first)."""

import shutil

import pytest

from config.translations import gaps, python_gaps, template_messages, untranslated_text


def test_it_finds_every_public_string_translated_to_spanish():
    found = gaps("es")
    assert not found, "Untranslated for Spanish visitors:\n" + "\n".join(map(str, found))


@pytest.fixture
def templates_copy(tmp_path):
    """The real public templates, to add a line to without touching the tree."""
    return shutil.copytree(
        "templates", tmp_path / "templates", ignore=shutil.ignore_patterns("staff", "admin", "admissions")
    )


def test_it_fails_on_english_added_to_a_public_page(templates_copy):
    before = {str(gap) for gap in gaps("es", templates=templates_copy)}
    with open(templates_copy / "home.html", "a") as home:
        home.write('<p>Our new ward opens soon.</p><img src="/x.png" alt="A sunny garden">\n')

    added = [gap for gap in gaps("es", templates=templates_copy) if str(gap) not in before]

    assert sorted(gap.text for gap in added) == ["A sunny garden", "Our new ward opens soon."]
    assert {gap.where for gap in added} == {"templates/home.html"}


def test_it_fails_on_a_message_marked_but_not_translated(templates_copy):
    before = {str(gap) for gap in gaps("es", templates=templates_copy)}
    with open(templates_copy / "home.html", "a") as home:
        home.write('{% load i18n %}{% translate "A sentence nobody has translated yet" %}\n')

    found = [gap for gap in gaps("es", templates=templates_copy) if str(gap) not in before]

    assert [(gap.where, gap.text, gap.why) for gap in found] == [
        ("templates/home.html", "A sentence nobody has translated yet", "no es translation")
    ]


def test_it_reads_through_markup_comments_and_translation_tags():
    source = """{% load i18n %}{# a note for developers #}
    <a href="{% url 'home' %}" class="btn">{% translate "Home" %}</a>
    {% blocktranslate trimmed with phone=centre.phone %}Call {{ phone }} now.{% endblocktranslate %}
    {% comment %}Staff only: nobody reads this.{% endcomment %}
    <script src="/static/js/x.js"></script><span aria-label="{% translate 'Close' %}">&times;</span>
    """
    assert untranslated_text(source) == []
    assert template_messages(source) == [("msg", "Home"), ("msg", "Call %(phone)s now."), ("msg", "Close")]
    assert untranslated_text('<button title="Send it">{{ x }}</button> {{ y }} more words') == [
        "Send it",
        "more words",
    ]


def test_it_finds_form_strings_written_without_gettext():
    source = """
from django import forms
from django.utils.translation import gettext_lazy as _
PHONE_ERROR = "Enter a phone number"

class F(forms.Form):
    name = forms.CharField(label="Your name", help_text=_("A first name is fine."))
    phone = forms.CharField(label=_("Phone"), error_messages={"required": "Tell us your phone."})

    def clean_phone(self):
        raise forms.ValidationError(PHONE_ERROR)
"""
    found = [gap.text for gap in python_gaps(source, "f.py")]
    assert sorted(found) == ["Enter a phone number", "Tell us your phone.", "Your name"]


def test_it_lets_text_marked_with_its_own_language_through():
    source = '<p><a href="/es/x/" lang="es">Leer en español</a> <span lang="en">Preview</span> Read more</p>'
    assert untranslated_text(source) == ["Read more"]
    assert untranslated_text('<html lang="{{ LANGUAGE_CODE }}"><p>Hello there</p></html>') == ["Hello there"]
