from django.contrib.auth.models import User
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import StaffProfile


@receiver(post_save, sender=User)
def _create_staff_profile(sender, instance: User, created: bool, **kwargs) -> None:
    if created:
        StaffProfile.objects.get_or_create(user=instance)
