from django.apps import AppConfig


class CentreConfig(AppConfig):
    name = "centre"
    verbose_name = "The centre on the public site"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once apps are loaded.
        from . import demo, signals  # noqa: F401
