"""The Celery app as the test suite's worker runs it (`celery -A tests.worker_app worker`): the
production app, plus one thing only a long-lived test worker needs."""

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _forget_content_types(**kwargs) -> None:
    # The test suite empties the database between tests, and content types come back with new
    # ids; a worker that outlives many tests must not reuse ids it cached in an earlier one.
    # Imported here: this module is loaded before Django's apps are ready.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
