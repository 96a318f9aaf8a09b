from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin

from intake.models import Language

from ..admin_images import ArticleImageInline
from ..models import Article, PublishingRefused, ReviewError, Source
from ..rendering import render_markdown, table_of_contents
from ..sanitiser_report import removed_markup, removed_message
from .forms import NumberedSourceForm, SourceInlineFormSet

ASK_FOR_REVIEW = "_ask_for_review"


class SourceInline(admin.TabularInline):
    model = Source
    form = NumberedSourceForm
    formset = SourceInlineFormSet
    extra = 1
    fields = ["position", "title", "publisher", "url", "accessed"]
    ordering = ["position", "pk"]
    classes = ["article-sources"]


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


class SignOffFilter(admin.SimpleListFilter):
    title = "sign-off"
    parameter_name = "sign_off"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting review"), ("approved", "Approved as it stands"), ("not", "Not approved")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.awaiting_review()
        if self.value() == "approved":
            return queryset.approved_revision()
        if self.value() == "not":
            return queryset.exclude(pk__in=queryset.approved_revision().values("pk"))
        return queryset


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    """Write, ask for review, and publish once the medical reviewer approved this very version.
    Every save is a revision that can be restored ("History"); the editor previews as you type."""

    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title", "language", "status_label", "sign_off_label", "category", "publish_at", "review_by", "preview_link",
    ]  # fmt: skip
    list_filter = ["language", "status", SignOffFilter, "category", ReviewDueFilter]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    autocomplete_fields = ["author", "reviewer", "translation_of"]
    date_hierarchy = "publish_at"
    inlines = [SourceInline, ArticleImageInline]
    actions = ["publish_now", "unpublish", "ask_for_review"]
    readonly_fields = ["preview_link", "updated_at", "sign_off", "last_reviewed", "translation"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "language", "summary", "body", "category", "tags", "terms"]}),
        (
            "Translation",
            {
                "fields": ["translation_of", "translation"],
                "description": "The same article in the other language has its own address and its own "
                "medical review, and is published on its own. Visitors are offered it once it is live.",
            },
        ),
        ("Image", {"fields": ["hero_image", "hero_alt"], "classes": ["collapse"]}),
        (
            "Medical review",
            {
                "fields": ["reviewer", "sign_off", "last_reviewed", "review_by"],
                "description": "An article is published only once its reviewer has approved it as it stands. "
                "Any later change to the title, summary, body or sources needs their approval again.",
            },
        ),
        ("Publishing", {"fields": ["status", "publish_at", "author", "preview_link", "updated_at"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"], "classes": ["collapse"]}),
    ]

    class Media:
        js = ["js/article_editor.js"]
        css = {"all": ["css/article_editor.css"]}

    @admin.display(description="Status", ordering="status")
    def status_label(self, article: Article) -> str:
        if article.status == Article.Status.DRAFT:
            return "Draft"
        return (
            "Live" if article.is_live else f"Scheduled for {timezone.localtime(article.publish_at):%b %-d, %-I:%M %p}"
        )

    @admin.display(description="Sign-off")
    def sign_off_label(self, article: Article) -> str:
        if article.approved_as_stored:
            return "Approved"
        if article.review_requested_at:
            return "Awaiting review"
        return "Changed since approval" if article.ever_approved else "Not approved"

    def get_queryset(self, request):
        return super().get_queryset(request).with_sign_off()

    @admin.display(description="Sign-off")
    def sign_off(self, article: Article) -> str:
        if not article.pk:
            return "Save the article, then ask its reviewer for review."
        approval = article.current_approval
        if approval:
            when = f"{timezone.localtime(approval.approved_at):%B %-d, %Y, %-I:%M %p}"
            how = "" if approval.approved_by else " (carried over from before sign-offs were recorded)"
            return f"Approved as it stands by {approval.reviewer.name} on {when}{how}."
        waiting = (
            f" Asked for review on {timezone.localtime(article.review_requested_at):%B %-d, %-I:%M %p}."
            if article.review_requested_at
            else " Use “Save and ask for review” below."
        )
        return article.publishing_problem() + waiting

    @admin.display(description="In the other language")
    def translation(self, article: Article) -> str:
        if not article.pk:
            return "Save the article first."
        if twin := article.twin:
            change = reverse("admin:articles_article_change", args=[twin.pk])
            shown = twin.get_language_display(), twin.stage
            return format_html('<a href="{}">{}</a> ({}, {})', change, twin.title, *shown)
        other = Language.ENGLISH if article.language == Language.SPANISH else Language.SPANISH
        add = reverse("admin:articles_article_add")
        query = urlencode({"language": other, "translation_of": article.pk, "category": article.category_id})
        name = "Spanish" if other == Language.SPANISH else "English"
        return format_html('<a href="{}?{}">Add {} translation</a>', add, query, name)

    @admin.display(description="Preview")
    def preview_link(self, article: Article) -> str:
        if not article.pk:
            return "The editor shows a live preview; save to see the whole page."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>', reverse("articles:preview", args=[article.pk])
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "language":
            field.required = False  # left out of a post (older forms, scripts): the default, English
        if db_field.name == "body":
            # article_editor.js turns this text area into the editor with its live preview.
            field.widget.attrs.update(
                {"data-preview-url": reverse("admin:articles_article_live_preview"), "class": "article-editor-source"}
            )
        return field

    def get_formset_kwargs(self, request, obj, inline, prefix) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # On the POST too: an untouched empty row must still match what the page showed in it.
        if isinstance(inline, SourceInline):
            taken = list(obj.sources.values_list("position", flat=True)) if obj and obj.pk else []
            start = max(taken, default=-1) + 1
            kwargs["initial"] = [{"position": start + n} for n in range(inline.extra)]
        return kwargs

    def get_urls(self):
        preview = self.admin_site.admin_view(require_POST(self.live_preview))
        return [path("live-preview/", preview, name="articles_article_live_preview"), *super().get_urls()]

    def live_preview(self, request: HttpRequest) -> HttpResponse:
        """The editor's preview, rendered by the public page's renderer, and what it removed."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        body = request.POST.get("body", "")
        saved = request.POST.get("article", "")
        article = Article.objects.filter(pk=saved).first() if saved.isascii() and saved.isdigit() else None
        body_html = render_markdown(body, article.body_images() if article else None)
        context = {
            "title": request.POST.get("title", ""),
            "summary": request.POST.get("summary", ""),
            "body_html": body_html,
            "toc": table_of_contents(body_html),
        }
        html = render_to_string("admin/articles/article/live_preview.html", context, request=request)
        return JsonResponse({"html": html, "removed": removed_markup(body)})

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        if not obj.author_id:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        removed = removed_message(obj.body)
        if removed:
            self.message_user(request, removed, messages.WARNING)

    # After Django's own "was added/changed" message, so the two read in the order they happened.
    def response_add(self, request, obj: Article, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        self._ask_if_asked(request, obj)
        return response

    def response_change(self, request, obj: Article):
        response = super().response_change(request, obj)
        self._ask_if_asked(request, obj)
        return response

    def _ask_if_asked(self, request, article: Article) -> None:
        if ASK_FOR_REVIEW not in request.POST:
            return
        try:
            article.ask_for_review(by=request.user)
        except ReviewError as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
        else:
            self.message_user(request, f"Asked {article.reviewer.name} to review “{article}”.", messages.SUCCESS)

    @admin.action(description="Publish now")
    def publish_now(self, request, queryset) -> None:
        published, refused = 0, []
        for article in queryset.select_related("reviewer"):
            try:
                article.publish()
                published += 1
            except PublishingRefused as refusal:
                refused.append(f"“{article}”: {refusal.message}")
        if published:
            self.message_user(request, f"Published {published} article(s).")
        for reason in refused:
            self.message_user(request, f"Not published: {reason}", messages.ERROR)

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset) -> None:
        for article in queryset:
            article.status = Article.Status.DRAFT
            article.save()
        self.message_user(request, f"Unpublished {queryset.count()} article(s).")

    @admin.action(description="Ask their reviewers for review")
    def ask_for_review(self, request, queryset) -> None:
        asked = 0
        for article in queryset.select_related("reviewer"):
            try:
                article.ask_for_review(by=request.user)
                asked += 1
            except ReviewError as refusal:
                self.message_user(request, f"“{article}”: {refusal}", messages.ERROR)
        if asked:
            self.message_user(request, f"Asked for review of {asked} article(s).")
