from django.apps import AppConfig


class HandoffConfig(AppConfig):
    name = "handoff"
    verbose_name = "Hand-off to the clinical record"
    default_auto_field = "django.db.models.BigAutoField"
