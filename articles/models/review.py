"""Medical review: who the reviewers are, and their recorded approval of one revision of an article.

An article's reviewable content (title, summary, body, sources) has a fingerprint, its revision.
A reviewer approves a revision, not an article: any later edit to that content makes a new
revision, which needs an approval of its own before the article may be published again.
"""

import hashlib
import json
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

REVIEWERS_GROUP = "Medical reviewers"
# What a reviewer needs in the admin, and nothing more: their queue and the approval itself.
REVIEWER_PERMISSIONS = [
    ("articles", "view_articleawaitingreview"),
    ("articles", "add_articleapproval"),
    ("articles", "view_articleapproval"),
]


class ReviewError(Exception):
    """An approval that may not be recorded (the wrong person, no reviewer, an unsaved article)."""


class PublishingRefused(ValidationError):
    """Publishing a revision its medical reviewer has not approved."""


def revision_of(
    title: str,
    summary: str,
    body: str,
    sources: Iterable[Iterable[str]],
    images: Iterable[Iterable[str]] = (),
    hero: Iterable[str] = ("", ""),
    seo: Iterable[str] = ("", ""),
) -> str:
    """The fingerprint of what a reviewer signs off: the text and its sources, and everything else a
    reader is shown or told (body images as name, stored file, alt text and caption; the hero image's
    file and description; the search title and description). Browsers send text areas with CRLF line
    ends and editors leave stray blanks at the ends: neither is a change a reviewer must see again.
    Sources and images count by what they are, not by their order in the list.
    Migration 0005 keeps its own copy of this formula: change both together."""
    content = [
        title.strip(),
        summary.strip(),
        (body or "").replace("\r\n", "\n").strip(),
        sorted([str(part).strip() for part in source] for source in sources),
        sorted([str(part or "").strip() for part in image] for image in images),
        [str(part or "").strip() for part in hero],
        [str(part or "").strip() for part in seo],
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


class MedicalReviewer(models.Model):
    """A clinician who reviews articles. A record of its own, shown on the public page; a login is
    optional, and only the account linked here may approve this reviewer's articles."""

    name = models.CharField(max_length=120, help_text='As it appears on the article, e.g. "Elena Reyes".')
    credentials = models.CharField(max_length=80, blank=True, help_text='e.g. "MD, addiction medicine"')
    licence_number = models.CharField("licence number", max_length=40, blank=True)
    licence_state = models.CharField(
        "licence state", max_length=2, blank=True, help_text='The licensing state\'s two letters, e.g. "NY".'
    )
    photo = models.ImageField(upload_to="articles/reviewers/", blank=True)
    photo_alt = models.CharField("photo description", max_length=200, blank=True)
    bio = models.TextField("short bio", max_length=600, blank=True)
    user = models.OneToOneField(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="medical_reviewer",
        help_text="The staff account this reviewer signs in with to approve articles (in the "
        f'"{REVIEWERS_GROUP}" group). Without one, nobody can approve their articles.',
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def licence(self) -> str:
        return " ".join(part for part in (self.licence_state, self.licence_number) if part)

    @property
    def email(self) -> str:
        """Where review reminders go: the linked account's address."""
        return self.user.email if self.user else ""

    def clean(self) -> None:
        if self.photo and not self.photo_alt.strip():
            raise ValidationError({"photo_alt": "Describe the photo for people who cannot see it."})
        self.licence_state = self.licence_state.upper()


class ArticleApproval(models.Model):
    """A reviewer's sign-off of one revision: who, when, what exactly (the fingerprint), and why.
    The record outlives the article: deleting an article leaves its sign-offs, with its title and
    address as they were when approved, for the audit trail."""

    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="approvals"
    )
    article_title = models.CharField("article title when approved", max_length=200, blank=True)
    article_slug = models.CharField("article address when approved", max_length=160, blank=True)
    reviewer = models.ForeignKey(MedicalReviewer, on_delete=models.PROTECT, related_name="approvals")
    # Empty only for approvals carried over from before sign-offs were recorded (migration 0003).
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    revision = models.CharField(max_length=64)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-approved_at", "-pk"]
        get_latest_by = "approved_at"

    def __str__(self) -> str:
        return f"{self.reviewer.name} approved revision {self.revision[:8]} on {self.approved_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.article_id and not self.article_title:
            self.article_title, self.article_slug = self.article.title, self.article.slug
        super().save(*args, **kwargs)

    @property
    def article_label(self) -> str:
        return str(self.article) if self.article_id else f"{self.article_title} (deleted)"


def _approvals_by_own_reviewer():
    return ArticleApproval.objects.filter(article=models.OuterRef("pk"), reviewer=models.OuterRef("reviewer"))


class ReviewQuerySet(models.QuerySet):
    def approved_revision(self):
        """The current revision carries an approval by the article's own reviewer."""
        return self.filter(models.Exists(_approvals_by_own_reviewer().filter(revision=models.OuterRef("revision"))))

    def with_sign_off(self):
        """`approved_as_stored` and `ever_approved` for each article, without a query per row."""
        return self.annotate(
            approved_as_stored=models.Exists(_approvals_by_own_reviewer().filter(revision=models.OuterRef("revision"))),
            ever_approved=models.Exists(_approvals_by_own_reviewer()),
        )

    def awaiting_review(self):
        """Asked for review, and not yet approved as it stands."""
        asked = self.filter(review_requested_at__isnull=False)
        return asked.exclude(pk__in=self.approved_revision().values("pk"))

    def awaiting_review_by(self, user: User):
        """A reviewer's own queue."""
        return self.awaiting_review().filter(reviewer__user=user)


class ReviewedContent(models.Model):
    """The review workflow of an article: asking for review, approving, and refusing to publish
    what its reviewer has not approved."""

    reviewer = models.ForeignKey(
        MedicalReviewer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The medical reviewer, who must approve the article before it is published.",
    )
    revision = models.CharField(max_length=64, blank=True, editable=False)
    review_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    def stored_sources(self) -> list[tuple[str, str, str]]:
        if not self.pk:
            return []
        return list(self.sources.model.objects.filter(article_id=self.pk).values_list("title", "publisher", "url"))

    def stored_images(self) -> list[tuple[str, str, str, str]]:
        if not self.pk:
            return []
        return list(self.images.model.objects.filter(article_id=self.pk).values_list("name", "image", "alt", "caption"))

    def compute_revision(
        self, sources: Iterable[Iterable[str]] | None = None, images: Iterable[Iterable[str]] | None = None
    ) -> str:
        """This article's revision as it is in memory, with `sources` and `images` (or the stored ones)."""
        return revision_of(
            self.title,
            self.summary,
            self.body,
            self.stored_sources() if sources is None else sources,
            self.stored_images() if images is None else images,
            hero=(self.hero_image.name if self.hero_image else "", self.hero_alt),
            seo=(self.seo_title, self.seo_description),
        )

    def approval_of(self, revision: str) -> ArticleApproval | None:
        if not self.pk or not self.reviewer_id:
            return None
        return self.approvals.filter(reviewer_id=self.reviewer_id, revision=revision).first()

    @property
    def current_approval(self) -> ArticleApproval | None:
        return self.approval_of(self.compute_revision())

    @property
    def latest_approval(self) -> ArticleApproval | None:
        return self.approvals.select_related("reviewer").first() if self.pk else None

    def may_be_approved_by(self, user: User) -> bool:
        return bool(self.reviewer and self.reviewer.user_id and self.reviewer.user_id == user.pk and user.is_active)

    def ask_for_review(self, by: User) -> None:
        """Put the article in its reviewer's queue (again, after an edit)."""
        if not self.reviewer_id:
            raise ReviewError("Choose a medical reviewer first.")
        self.review_requested_at, self.review_requested_by = timezone.now(), by
        type(self).objects.filter(pk=self.pk).update(
            review_requested_at=self.review_requested_at, review_requested_by=by
        )

    def approve(self, by: User, note: str = "", revision: str | None = None) -> ArticleApproval:
        """`by` signs off the article exactly as it is stored now. Only the account linked to the
        article's reviewer may; a reviewer is a person, so an admin cannot approve on their behalf.
        `revision` is the fingerprint of the version the reviewer read (the review page sends it):
        when an editor saved a change in the meantime, the approval is refused, never moved onto
        text the reviewer has not seen. The row stays locked until the approval is recorded, so no
        save can slip in between the check and the sign-off."""
        if not self.pk:
            raise ReviewError("Save the article before it is approved.")
        if not self.reviewer_id:
            raise ReviewError("This article has no medical reviewer.")
        if not self.may_be_approved_by(by):
            raise ReviewError(f"Only {self.reviewer.name}, its medical reviewer, can approve this article.")
        with transaction.atomic():
            stored = type(self).objects.select_for_update().get(pk=self.pk)
            current = stored.compute_revision()
            if revision is not None and revision != current:
                raise ReviewError("The article changed while you were reading it: read the new version.")
            approval = ArticleApproval.objects.create(
                article=stored, reviewer=stored.reviewer, approved_by=by, revision=current, note=note.strip()
            )
            self.revision, self.review_requested_at, self.review_requested_by = current, None, None
            self.last_reviewed = timezone.localdate(approval.approved_at)
            type(self).objects.filter(pk=self.pk).update(
                revision=current, review_requested_at=None, review_requested_by=None, last_reviewed=self.last_reviewed
            )
        return approval

    def publishing_problem(self, revision: str | None = None) -> str:
        """Why this revision may not be published, in words for the admin; empty when it may."""
        if not self.reviewer_id:
            return "Choose a medical reviewer: an article is published only once its reviewer approves it."
        revision = revision or self.compute_revision()
        if self.approval_of(revision):
            return ""
        earlier = self.approvals.filter(reviewer_id=self.reviewer_id).first() if self.pk else None
        name = self.reviewer.name
        if earlier:
            when = f"{timezone.localtime(earlier.approved_at):%B %-d, %Y}"
            return (
                f"The text changed after {name} approved it on {when}. "
                "Ask for review again: it can be published once they approve this version."
            )
        return f"{name} has not approved this article yet. Ask for review: it can be published once they approve it."

    def refuse_unapproved_publishing(self, revision: str | None = None) -> None:
        problem = self.publishing_problem(revision)
        if problem:
            raise PublishingRefused(problem)


def ensure_reviewer_group() -> Group:
    """The "Medical reviewers" group with exactly the permissions its members need."""
    group, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    wanted = [
        Permission.objects.filter(content_type__app_label=app, codename=code) for app, code in REVIEWER_PERMISSIONS
    ]
    group.permissions.set([permission for found in wanted for permission in found])
    return group
