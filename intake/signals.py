from django.contrib.auth.models import User
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import Signal, receiver

from .models import StaffProfile
from .models.staff import forget_group_names


@receiver(post_save, sender=User)
def _create_staff_profile(sender, instance: User, created: bool, **kwargs) -> None:
    if created:
        StaffProfile.objects.get_or_create(user=instance)


@receiver(m2m_changed, sender=User.groups.through)
def _forget_group_names(sender, instance, **kwargs) -> None:
    # A user whose groups were just changed through this object is asked afresh (see group_names).
    if isinstance(instance, User):
        forget_group_names(instance)


# Sent by `manage.py seed_demo` after the demo staff exist. Receivers create their app's demo
# content idempotently and return a line to print (or None).
seed_demo_content = Signal()
