"""The article form's checks that need the whole form: publishing only an approved revision."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import Article


class SourceInlineFormSet(forms.BaseInlineFormSet):
    """The sources being edited are part of the revision: publishing with a source added, changed or
    removed needs the reviewer's approval of the result. (The article form checks the text with the
    stored sources; this catches a change made in the sources themselves.)"""

    def clean(self) -> None:
        super().clean()
        article: Article = self.instance
        if article.status != Article.Status.PUBLISHED or not self.has_changed():
            return
        if any(form.errors for form in self.forms):
            return
        kept = [
            (form.cleaned_data["title"], form.cleaned_data["publisher"], form.cleaned_data["url"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problem = article.publishing_problem(article.compute_revision(kept))
        if problem:
            raise ValidationError(f"These source changes make a new version of the article. {problem}")


class ImageInlineFormSet(forms.BaseInlineFormSet):
    """The images are part of the revision too (file, short name, alt text, caption): on a live
    article, adding, replacing, describing differently or removing one needs the reviewer's approval."""

    def clean(self) -> None:
        super().clean()
        article: Article = self.instance
        if article.status != Article.Status.PUBLISHED or not self.has_changed():
            return
        if any(form.errors for form in self.forms):
            return
        kept = [
            (data["name"], data["image"].name if data.get("image") else "", data["alt"], data.get("caption", ""))
            for data in (form.cleaned_data for form in self.forms)
            if data and not data.get("DELETE")
        ]
        problem = article.publishing_problem(article.compute_revision(images=kept))
        if problem:
            raise ValidationError(f"These image changes make a new version of the article. {problem}")


class NumberedSourceForm(forms.ModelForm):
    """A new row takes the next position (article_editor.js fills rows added in the page)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].widget.attrs.update({"class": "source-position", "min": 0})
