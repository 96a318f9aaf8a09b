"""The admin's "Awaiting review" list: articles asked for review, as a section of its own; and the
stored revision kept current when sources change.

A proxy, so it has its own place on the admin index and its own permission: medical reviewers
are given this list (their own queue) without the right to see or edit every article.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .article import Article, Source


class ArticleAwaitingReview(Article):
    class Meta:
        proxy = True
        verbose_name = "article awaiting review"
        verbose_name_plural = "awaiting review"


@receiver([post_save, post_delete], sender=Source)
def _keep_revision_current(sender, instance: Source, **kwargs) -> None:
    # The admin saves an article before its sources: the stored revision, which the review queue
    # filters on, must follow the sources too. An UPDATE, not save(): the sources of an article
    # being edited pass through states nobody approved, and none of them is published on its own.
    article = Article.objects.filter(pk=instance.article_id).first()
    if article:
        Article.objects.filter(pk=article.pk).update(revision=article.compute_revision())
