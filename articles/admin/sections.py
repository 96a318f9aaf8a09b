"""Categories, tags, and the old addresses that redirect to renamed articles."""

from django.contrib import admin
from reversion.admin import VersionAdmin

from ..models import ArticleRedirect, Category, Tag


@admin.register(Category)
class CategoryAdmin(VersionAdmin):
    list_display = ["name", "name_es", "slug", "slug_es", "position"]
    prepopulated_fields = {"slug": ["name"], "slug_es": ["name_es"]}
    fields = ["name", "slug", "description", "name_es", "slug_es", "description_es", "position"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    """Made automatically when a published article's slug changes; editable and deletable here."""

    list_display = ["old_path", "article", "created_at"]
    search_fields = ["old_slug", "article__title", "article__slug"]
    autocomplete_fields = ["article"]
    fields = ["old_slug", "article"]

    @admin.display(description="Old address", ordering="old_slug")
    def old_path(self, redirect: ArticleRedirect) -> str:
        return redirect.old_path
