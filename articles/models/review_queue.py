"""The admin's "Awaiting review" list: articles asked for review, as a section of its own; and the
stored revision kept current when sources change, and the reviewers' group kept in existence.

A proxy, so it has its own place on the admin index and its own permission: medical reviewers
are given this list (their own queue) without the right to see or edit every article.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from .article import Article, Source
from .review import ensure_reviewer_group


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


@receiver(post_migrate)
def _reviewers_group(sender, using: str = "default", **kwargs) -> None:
    # Every install has the group an admin adds reviewers to. This receiver may run before auth's
    # own (models load before apps are ready): the permissions it grants are created first.
    if sender.label != "articles":
        return
    create_permissions(sender, verbosity=0, using=using, apps=global_apps)
    ensure_reviewer_group()
