from django.contrib import admin

from .models import SearchSynonym


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    """Words visitors type and what our articles call them. An edit reaches the next search (the
    cached table is forgotten on every save and delete)."""

    list_display = ["phrase", "means"]
    list_editable = ["means"]
    search_fields = ["phrase", "means"]
    ordering = ["phrase"]
