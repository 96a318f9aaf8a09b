"""The Images inline of the article editor (registered in ArticleAdmin.inlines)."""

from django import forms
from django.contrib import admin

from .admin.forms import ImageInlineFormSet
from .models import ArticleImage

ALT_REQUIRED = "Describe what the image shows, for people who can't see it. An image without this can't be saved."


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["name", "image", "alt", "caption"]
        error_messages = {"alt": {"required": ALT_REQUIRED}}
        widgets = {"alt": forms.Textarea(attrs={"rows": 2, "cols": 40}), "caption": forms.TextInput(attrs={"size": 30})}


class ArticleImageInline(admin.StackedInline):
    """Images placed in the text with ![](image:short-name); each one needs its alt text."""

    model = ArticleImage
    form = ArticleImageForm
    formset = ImageInlineFormSet
    extra = 0
    verbose_name = "image in the text"
    verbose_name_plural = "images in the text"
