from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .cache import retire_all_pages
from .models import Article, ArticleImage, Category, Source, Tag


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Source)
@receiver([post_save, post_delete], sender=ArticleImage)
@receiver([post_save, post_delete], sender=Category)
@receiver([post_save, post_delete], sender=Tag)
@receiver(m2m_changed, sender=Article.tags.through)
def _retire_cached_pages(sender, **kwargs) -> None:
    # After commit: a page rendered from the old rows must not be cached under the new version.
    transaction.on_commit(retire_all_pages)
