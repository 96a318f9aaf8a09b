"""The article form's checks that need the whole form: publishing only an approved revision."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import Article


class _ReviewedInlineFormSet(forms.BaseInlineFormSet):
    """Rows that are part of the revision: on a live article, a row added, changed or removed needs
    the reviewer's approval of the result. (The article form checks with the stored rows; this
    catches a change made in the rows themselves.)"""

    what = ""  # "source", "image": the words of the refusal

    def row(self, data: dict) -> tuple[str, ...]:
        raise NotImplementedError

    def revision(self, article: Article, kept: list[tuple[str, ...]]) -> str:
        raise NotImplementedError

    def clean(self) -> None:
        super().clean()
        article: Article = self.instance
        if article.status != Article.Status.PUBLISHED or not self.has_changed():
            return
        if any(form.errors for form in self.forms):
            return
        kept = [
            self.row(form.cleaned_data)
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problem = article.publishing_problem(self.revision(article, kept))
        if problem:
            raise ValidationError(f"These {self.what} changes make a new version of the article. {problem}")


class SourceInlineFormSet(_ReviewedInlineFormSet):
    what = "source"

    def row(self, data: dict) -> tuple[str, ...]:
        return data["title"], data["publisher"], data["url"]

    def revision(self, article: Article, kept: list[tuple[str, ...]]) -> str:
        return article.compute_revision(sources=kept)


class ImageInlineFormSet(_ReviewedInlineFormSet):
    """An image counts by its short name, file, alt text and caption (a new upload by its own name:
    never approved yet)."""

    what = "image"

    def row(self, data: dict) -> tuple[str, ...]:
        return data["name"], data["image"].name if data.get("image") else "", data["alt"], data.get("caption", "")

    def revision(self, article: Article, kept: list[tuple[str, ...]]) -> str:
        return article.compute_revision(images=kept)


class NumberedSourceForm(forms.ModelForm):
    """A new row takes the next position (article_editor.js fills rows added in the page)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].widget.attrs.update({"class": "source-position", "min": 0})
        # The table's column headings are not labels: each input is named for screen readers.
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label).capitalize())

    def has_changed(self) -> bool:
        # A row added on the page arrives with its position (article_editor.js) and today's date
        # filled in: left otherwise blank, it is no new source, not three "required" errors.
        if self.instance.pk is None:
            return bool(set(self.changed_data) - {"position", "accessed"})
        return super().has_changed()
