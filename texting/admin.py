"""Texting in /admin/: the prepared texts staff pick on the lead page. The texts themselves are
not here: their words are PHI, read only on the audited lead page."""

from django.contrib import admin

from .message_templates import TextTemplate


@admin.register(TextTemplate)
class TextTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "words", "active", "order"]
    list_editable = ["active", "order"]
    list_filter = ["language", "active"]
    search_fields = ["name", "words"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "language", "words", "active", "order", "slug"]
