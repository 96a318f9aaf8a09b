import datetime as dt

from django.contrib.auth.models import User
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import get_language, override

from intake.models import Language

from ..rendering import Heading, reading_minutes, render_markdown, table_of_contents
from ..renditions import Picture, picture, prepare, renditions_for, validate_article_image
from ..search import SearchPlan, understand
from .redirects import ArticleRedirect
from .review import PublishingRefused, ReviewedContent, ReviewQuerySet
from .search import SearchSynonym

# The hero sits in the article column (at most 856 px wide) and is in the first screen.
HERO_SIZES = "(min-width: 1400px) 856px, (min-width: 1200px) 736px, (min-width: 992px) 616px, calc(100vw - 1.5rem)"


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # Spanish pages show these (/es/articles/category/<slug_es>/); left empty, the English ones.
    name_es = models.CharField("Spanish name", max_length=80, blank=True)
    slug_es = models.SlugField("Spanish slug", max_length=80, unique=True, null=True, blank=True)
    description_es = models.CharField("Spanish description", max_length=300, blank=True)
    position = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.slug_es = self.slug_es or None  # empty is "none": unique applies to real slugs only
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The category's page in the language being rendered."""
        return self.url_in(get_language())

    def url_in(self, language: str) -> str:
        with override(language):
            return reverse("articles:category", args=[self.slug_in(language)])

    def slug_in(self, language: str) -> str:
        return (self.slug_es if language == Language.SPANISH else "") or self.slug

    # Read by templates in the language being rendered: the visitor's.
    @property
    def shown_name(self) -> str:
        return (self.name_es if get_language() == Language.SPANISH else "") or self.name

    @property
    def shown_description(self) -> str:
        return (self.description_es if get_language() == Language.SPANISH else "") or self.description


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.slug = self.slug or slugify(self.name)
        super().save(*args, **kwargs)


class ArticleQuerySet(ReviewQuerySet):
    def published(self, now: dt.datetime | None = None):
        """Live now: published, and its publish time has come. Scheduling needs no cron job:
        a future publish_at simply keeps the article out of this query until then."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=now or timezone.now())

    def in_language(self, language: str, *, searched: bool = False):
        """A search filters by language after its text indexes have found the matches: offered an
        index on the language column (nearly every article matches it), PostgreSQL would read each
        article's text instead (tests/test_search's plans). Lower() is one no index serves."""
        if searched:
            return self.alias(language_lower=Lower("language")).filter(language_lower=language)
        return self.filter(language=language)

    def for_listing(self):
        listed = self.select_related("category").prefetch_related("tags").defer("search_vector")
        return listed.order_by("-publish_at", "-pk")

    def search(self, query: "str | SearchPlan", language: str = Language.ENGLISH):
        """Every word in any order, synonyms and typos understood, ranked title > terms > summary >
        body, then newest (articles/search.py). A plan from `understand()` saves reading it twice.
        `language` is the articles' own: it picks PostgreSQL's stemming (english or spanish)."""
        plan = query if isinstance(query, SearchPlan) else self.understand(query, language)
        return plan.matches(self)

    def understand(self, query: str, language: str = Language.ENGLISH) -> SearchPlan:
        """What a query means among these articles (corrections, synonyms, words left out)."""
        return understand(query, within=self, synonyms=SearchSynonym.objects.table(), language=language)

    def review_overdue(self, today: dt.date | None = None):
        today = today or timezone.localdate()
        return self.filter(review_by__lt=today).filter(
            Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=models.F("review_by"))
        )

    def next_publication(self, now: dt.datetime | None = None) -> dt.datetime | None:
        """When the next scheduled article goes live (cached pages must not outlive that)."""
        return (
            self.filter(status=Article.Status.PUBLISHED, publish_at__gt=now or timezone.now())
            .order_by("publish_at")
            .values_list("publish_at", flat=True)
            .first()
        )


class Article(ReviewedContent, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    # Each language's article is a row of its own (own slug, own review and publishing); a
    # translation points at its original, so the pair is linked by this one column both ways.
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    translation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="translations",
        verbose_name="translation of",
        help_text="The article in the other language this one translates. Each is reviewed and published on its own.",
    )
    summary = models.CharField(max_length=300, help_text="One or two sentences, shown in lists and search results.")
    body = models.TextField(
        help_text="Markdown. Use ## and ### headings: they make the table of contents. To show an image "
        'uploaded under "Images in the text", put ![](image:short-name) on a line of its own.'
    )
    body_html = models.TextField(editable=False, blank=True)
    hero_image = models.ImageField(
        upload_to="articles/",
        blank=True,
        validators=[validate_article_image],
        help_text="JPEG, PNG or WebP, up to 10 MB; shown at the top and in link previews. "
        "Location and camera details are removed.",
    )
    hero_renditions = models.JSONField(default=dict, blank=True, editable=False)
    hero_alt = models.CharField("hero image description", max_length=200, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_reviewed = models.DateField(null=True, blank=True, help_text="Set when the reviewer approves the article.")
    review_by = models.DateField(null=True, blank=True, help_text="The reviewer is reminded once this date passes.")
    review_reminded_for = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(default=timezone.now, help_text="A future time schedules the article.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    seo_title = models.CharField(max_length=70, blank=True)
    seo_description = models.CharField(max_length=160, blank=True)
    # What the public search matches and ranks (title > terms > summary > body). On PostgreSQL a
    # trigger fills it on every insert and update, whatever the path (admin, bulk_create, update()),
    # and a GIN index serves it: see migrations 0002 and 0003. Elsewhere (SQLite) it stays empty.
    search_vector = SearchVectorField(null=True, editable=False)
    # The same trigger's title, terms and summary alone: small enough to stay in the row, so the
    # ranking of hundreds of matches never reads (and decompresses) their bodies' vectors.
    heading_vector = SearchVectorField(null=True, editable=False)
    terms = models.CharField(
        "search terms",
        max_length=300,
        blank=True,
        help_text="Other words people search for this with, comma-separated (e.g. cost of rehab, paying for "
        "treatment). Never shown; searched after the title.",
    )
    # Filled on save, so lists show "N min read" without reading every body.
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-publish_at"]
        indexes = [models.Index(fields=["status", "publish_at"]), models.Index(fields=["language", "status"])]
        constraints = [
            # At most one translation per language of any article.
            models.UniqueConstraint(fields=["translation_of", "language"], name="one_translation_per_language"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.revision = self.compute_revision()
        # Whatever the path (admin form, action, shell, import): live text is approved text. Refused
        # before any image work, so a refusal leaves no renditions behind.
        if self.status == self.Status.PUBLISHED:
            self.refuse_unapproved_publishing(self.revision)
        prepare(self.hero_image)
        self.hero_renditions = renditions_for(self.hero_image, self.hero_renditions)
        self.body_html = render_markdown(self.body, self.body_images())
        self.reading_minutes = reading_minutes(self.body_html)
        before = Article.objects.filter(pk=self.pk).values("slug", "status").first() if self.pk else None
        super().save(*args, **kwargs)
        if self.compute_revision() != self.revision:  # a new hero upload is fingerprinted by its stored name
            self.revision = self.compute_revision()
            Article.objects.filter(pk=self.pk).update(revision=self.revision)
        if before and before["status"] == self.Status.PUBLISHED:
            ArticleRedirect.objects.follow_slug_change(self, old_slug=before["slug"])

    def get_absolute_url(self) -> str:
        """The article's page in its own language, whichever language is rendering the link."""
        with override(self.language):
            return reverse("articles:detail", args=[self.slug])

    @cached_property
    def twin(self) -> "Article | None":
        """The same article in the other language, whichever of the two is the original."""
        if self.translation_of_id:
            return self.translation_of
        if not self.pk:
            return None
        # Through all(): a list or sitemap that prefetched `translations` asks no more queries.
        return next((other for other in self.translations.all() if other.language != self.language), None)

    @property
    def live_twin(self) -> "Article | None":
        return self.twin if self.twin and self.twin.is_live else None

    def page_translations(self) -> dict[str, str]:
        """{"en": "/articles/x/", "es": "/es/articles/y/"}: this page and its published twin, for the
        language switch and the hreflang alternates."""
        pages = {self.language: self.get_absolute_url()}
        if twin := self.live_twin:
            pages[twin.language] = twin.get_absolute_url()
        return pages

    def clean(self) -> None:
        if self.hero_image and not self.hero_alt.strip():
            raise ValidationError({"hero_alt": "Describe the image for people who cannot see it."})
        if original := self.translation_of:
            if original.language == self.language:
                raise ValidationError({"translation_of": "A translation is in the other language than its original."})
            if original.translation_of_id or (self.pk and self.translations.exists()):
                raise ValidationError(
                    {"translation_of": "Link a translation to the original article, not to another translation."}
                )
        if self.status == self.Status.PUBLISHED:
            # The stored sources here; the admin's sources inline checks the ones being edited.
            problem = self.publishing_problem()
            if problem and self.pk and Article.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
                # Editing a live article: the visitors keep the approved text, so say how to save anyway.
                problem += (
                    " To save the change now, set the status to Draft: the article comes off the site until"
                    " the new version is approved. Or undo the change to keep it live."
                )
            if problem:
                raise ValidationError({"status": problem})

    def body_images(self) -> dict:
        """The images uploaded for the text, by short name (what `![](image:name)` refers to)."""
        if not self.pk:
            return {}
        images = {image.name: image for image in self.images.all()}
        for image in images.values():
            image.ensure_renditions()
        return images

    def show_body_images(self) -> None:
        """Render the text again after one of its images was added, replaced or removed."""
        self.body_html = render_markdown(self.body, self.body_images())
        self.revision = self.compute_revision()  # the images are part of what the reviewer approves
        Article.objects.filter(pk=self.pk).update(body_html=self.body_html, revision=self.revision)

    @cached_property  # read twice a page (the head's preload, the hero itself): worked out once
    def hero_picture(self) -> Picture | None:
        if self.hero_image and not self.hero_renditions:
            # A hero uploaded before copies were made (migration 0003), or whose copies failed: made
            # on first view, once, then kept.
            self.hero_renditions = renditions_for(self.hero_image, None)
            Article.objects.filter(pk=self.pk).update(hero_renditions=self.hero_renditions)
        # Above the fold: fetched first and at once, never lazily.
        return picture(self.hero_renditions, self.hero_alt, sizes=HERO_SIZES, lazy=False, priority=True)

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def toc(self) -> list[Heading]:
        return table_of_contents(self.body_html)

    @property
    def page_title(self) -> str:
        return self.seo_title or self.title

    @property
    def meta_description(self) -> str:
        return self.seo_description or self.summary

    @property
    def reviewer_name(self) -> str:
        return self.reviewer.display_name if self.reviewer else ""

    @property
    def stage(self) -> str:
        """Where the article is on its way to visitors, in the words the preview and admin use."""
        if self.status == self.Status.PUBLISHED:
            if self.is_live:
                return "Published (live)"
            return f"Scheduled for {timezone.localtime(self.publish_at):%B %-d, %Y, %-I:%M %p}"
        if self.pk and self.reviewer_id and self.current_approval:
            return "Approved, not yet published"
        return "Awaiting review" if self.review_requested_at else "Draft"

    def publish(self) -> None:
        """Publish now (or keep a future time): refused unless the reviewer approved this revision."""
        before = self.status, self.publish_at
        self.status, self.publish_at = self.Status.PUBLISHED, min(self.publish_at, timezone.now())
        try:
            self.save()
        except PublishingRefused:
            self.status, self.publish_at = before
            raise

    def related(self, limit: int = 3):
        # A subquery, not a join on tags: no DISTINCT over whole rows, so PostgreSQL walks the
        # publish_at index and stops at `limit` (1.4 ms became 0.1 ms with 200 articles).
        tag_ids = [tag.pk for tag in self.tags.all()]
        sharing_a_tag = Article.tags.through.objects.filter(tag_id__in=tag_ids).values("article_id")
        return (
            Article.objects.published()
            .in_language(self.language)
            .exclude(pk=self.pk)
            .filter(Q(category_id=self.category_id) | Q(pk__in=sharing_a_tag))
            .select_related("category")
            .only(
                "title",
                "slug",
                "language",
                "publish_at",
                "category__name",
                "category__name_es",
                "category__slug",
                "category__slug_es",
            )
            .order_by("-publish_at")[:limit]
        )

    def claim_review_reminder(self) -> bool:
        """Once per review-by date: of concurrent beat runs, one wins."""
        return bool(
            Article.objects.filter(pk=self.pk, review_by=self.review_by)
            .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=self.review_by))
            .update(review_reminded_for=self.review_by)
        )


class Source(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    publisher = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    accessed = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher})"
