"""Old article addresses that still work: a published article's old slug answers 301 to its page.

A redirect points at the article, not at a slug, so chains collapse by themselves: an article
renamed A -> B -> C leaves A and B both pointing at the article, whose address is C.
"""

from django.db import models
from django.urls import reverse
from django.utils import timezone


class ArticleRedirectQuerySet(models.QuerySet):
    def target_of(self, old_slug: str):
        """The live article an old slug now leads to, or None."""
        live = {"article__status": "published", "article__publish_at__lte": timezone.now()}
        redirect = self.filter(old_slug=old_slug, **live).select_related("article").first()
        return redirect.article if redirect else None

    def follow_slug_change(self, article, old_slug: str) -> None:
        """Called after a published article was saved under a new slug."""
        if old_slug and old_slug != article.slug:
            self.update_or_create(old_slug=old_slug, defaults={"article": article})
        # Renamed back to an old slug: that address is the article's own page again, not a loop.
        self.filter(old_slug=article.slug, article=article).delete()


class ArticleRedirect(models.Model):
    old_slug = models.SlugField(
        max_length=160, unique=True, help_text="The address that used to work: /articles/<old slug>/."
    )
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleRedirectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses (redirects)"

    def __str__(self) -> str:
        return f"{self.old_path} -> {self.article.get_absolute_url()}"

    @property
    def old_path(self) -> str:
        return reverse("articles:detail", args=[self.old_slug])
