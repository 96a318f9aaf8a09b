from django.contrib.auth.models import User
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import StaffProfile


@receiver(post_save, sender=User)
def _create_staff_profile(sender, instance: User, created: bool, **kwargs) -> None:
    if created:
        StaffProfile.objects.get_or_create(user=instance)


# Sent by `manage.py seed_demo` after the demo staff exist. Receivers create their app's demo
# content idempotently and return a line to print (or None).
seed_demo_content = Signal()
