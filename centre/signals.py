from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles.cache import retire_all_pages

from .models import CentreProfile, Credential, FeaturedArticle, InsurancePlan, Programme, TeamMember
from .story import forget_name

CENTRE_MODELS = [CentreProfile, Credential, FeaturedArticle, InsurancePlan, Programme, TeamMember]


def _retire_name_and_pages() -> None:
    forget_name()
    # Every public page shows the centre's name, and the home page most of the rest: all go.
    retire_all_pages()


@receiver(m2m_changed, sender=CentreProfile.featured_articles.through)
def _retire_after_change(sender, **kwargs) -> None:
    # After commit: a page rendered from the old rows must not be cached under the new version.
    transaction.on_commit(_retire_name_and_pages)


for model in CENTRE_MODELS:
    post_save.connect(_retire_after_change, sender=model, dispatch_uid=f"centre-retire-save-{model.__name__}")
    post_delete.connect(_retire_after_change, sender=model, dispatch_uid=f"centre-retire-delete-{model.__name__}")
