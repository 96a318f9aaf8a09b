from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from .models import Article, Category, Source, Tag


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1
    fields = ["position", "title", "publisher", "url", "accessed"]


class ReviewDueFilter(admin.SimpleListFilter):
    title = "medical review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Review overdue"), ("soon", "Due within 30 days"), ("never", "Never reviewed")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(review_by__lt=today)
        if self.value() == "soon":
            return queryset.filter(review_by__gte=today, review_by__lte=today + timezone.timedelta(days=30))
        if self.value() == "never":
            return queryset.filter(last_reviewed__isnull=True)
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    """Write, review, schedule and publish. Every save is a revision that can be restored
    ("History"); "Preview" shows the page exactly as visitors will see it."""

    list_display = ["title", "status_label", "category", "publish_at", "last_reviewed", "review_by", "preview_link"]
    list_filter = ["status", "category", ReviewDueFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    autocomplete_fields = ["author", "reviewer"]
    date_hierarchy = "publish_at"
    inlines = [SourceInline]
    actions = ["publish_now", "unpublish"]
    readonly_fields = ["preview_link", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "category", "tags", "terms"]}),
        ("Image", {"fields": ["hero_image", "hero_alt"], "classes": ["collapse"]}),
        ("Publishing", {"fields": ["status", "publish_at", "author", "preview_link", "updated_at"]}),
        ("Medical review", {"fields": ["reviewer", "reviewer_credentials", "last_reviewed", "review_by"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    @admin.display(description="Status", ordering="status")
    def status_label(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "Draft"
        return (
            "Live" if article.is_live else f"Scheduled for {timezone.localtime(article.publish_at):%b %-d, %-I:%M %p}"
        )

    @admin.display(description="Preview")
    def preview_link(self, article: Article) -> str:
        if not article.pk:
            return "Save first to preview."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>', reverse("articles:preview", args=[article.pk])
        )

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="Publish now")
    def publish_now(self, request, queryset) -> None:
        missing = queryset.filter(reviewer__isnull=True).count()
        if missing:
            self.message_user(request, "Articles without a medical reviewer can't be published.", messages.ERROR)
            return
        for article in queryset:
            article.status, article.publish_at = Article.Status.PUBLISHED, min(article.publish_at, timezone.now())
            article.save()
        self.message_user(request, f"Published {queryset.count()} article(s).")

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset) -> None:
        for article in queryset:
            article.status = Article.Status.DRAFT
            article.save()
        self.message_user(request, f"Unpublished {queryset.count()} article(s).")


@admin.register(Category)
class CategoryAdmin(VersionAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
