from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Here, not at the top: they import models, which exist only once apps are loaded.
        from . import admin_search, demo, signals  # noqa: F401
