"""The reviewers' side of the admin: reviewer records, the queue, the approval page, the sign-offs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from intake.audit import ReadOnlyAdminMixin

from ..models import ArticleApproval, ArticleAwaitingReview, MedicalReviewer, ReviewError


@admin.register(MedicalReviewer)
class MedicalReviewerAdmin(admin.ModelAdmin):
    list_display = ["name", "credentials", "licence", "user", "article_count"]
    search_fields = ["name", "credentials"]
    autocomplete_fields = ["user"]
    fields = ["name", "credentials", ("licence_state", "licence_number"), "photo", "photo_alt", "bio", "user"]

    @admin.display(description="Articles")
    def article_count(self, reviewer: MedicalReviewer) -> int:
        return reviewer.articles.count()


@admin.register(ArticleAwaitingReview)
class AwaitingReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Admins (who may see every article) see everything that waits; a reviewer sees their own queue."""

    list_display = ["title", "reviewer", "asked", "asked_by", "review_link"]
    list_display_links = None
    ordering = ["review_requested_at"]

    def get_queryset(self, request):
        articles = super().get_queryset(request).select_related("reviewer", "review_requested_by")
        if request.user.has_perm("articles.view_article"):
            return articles.awaiting_review()
        return articles.awaiting_review_by(request.user)

    @admin.display(description="Asked", ordering="review_requested_at")
    def asked(self, article: ArticleAwaitingReview) -> str:
        return f"{timezone.localtime(article.review_requested_at):%b %-d, %-I:%M %p}"

    @admin.display(description="Asked by")
    def asked_by(self, article: ArticleAwaitingReview) -> str:
        person = article.review_requested_by
        return (person.get_full_name() or person.get_username()) if person else ""

    @admin.display(description="Review")
    def review_link(self, article: ArticleAwaitingReview) -> str:
        url = reverse("admin:articles_articleawaitingreview_review", args=[article.pk])
        return format_html('<a href="{}">Read and approve “{}”</a>', url, article.title)

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [path("<int:pk>/review/", review, name="articles_articleawaitingreview_review"), *super().get_urls()]

    def review_view(self, request, pk: int):
        """The article as it stands, and (for its own reviewer) the button that approves this version."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        readable = ArticleAwaitingReview.objects.select_related("reviewer")
        if not request.user.has_perm("articles.view_article"):
            readable = readable.filter(reviewer__user=request.user)  # a reviewer reads their own articles
        article = get_object_or_404(readable, pk=pk)
        may_approve = article.may_be_approved_by(request.user) and request.user.has_perm("articles.add_articleapproval")
        if request.method == "POST":
            if not may_approve:
                raise PermissionDenied
            try:
                # The fingerprint of the version this reviewer was shown: a missing one approves nothing.
                shown = request.POST.get("revision", "")
                article.approve(by=request.user, note=request.POST.get("note", ""), revision=shown)
            except ReviewError as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return redirect("admin:articles_articleawaitingreview_review", pk=article.pk)
            else:
                then = "" if article.is_live else " It can now be published."
                self.message_user(request, f"You approved “{article}” as it stands.{then}")
                return redirect("admin:articles_articleawaitingreview_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review “{article.title}”",
            "article": article,
            "approval": article.current_approval,
            "revision": article.compute_revision(),
            "may_approve": may_approve,
            "sources": article.sources.all(),
        }
        return TemplateResponse(request, "admin/articles/articleawaitingreview/review.html", context)


@admin.register(ArticleApproval)
class ArticleApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of sign-offs, for auditors: written only by the review page, never edited."""

    list_display = ["approved_article", "reviewer", "approved_by", "approved_at", "short_revision", "note"]
    list_filter = ["reviewer"]
    search_fields = ["article_title", "article__title", "note"]
    date_hierarchy = "approved_at"

    @admin.display(description="Article", ordering="article_title")
    def approved_article(self, approval: ArticleApproval) -> str:
        return approval.article_label

    @admin.display(description="Revision")
    def short_revision(self, approval: ArticleApproval) -> str:
        return approval.revision[:12]
