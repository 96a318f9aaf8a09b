import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lantern")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs) -> None:
    # The filesystem transport of the embedded default expects its folders to exist.
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


if os.environ.get("LANTERN_TEST_WORKER"):
    from celery.signals import task_prerun

    @task_prerun.connect
    def _forget_content_types(**kwargs) -> None:
        # The test suite empties the database between tests, and content types come back with
        # new ids; a long-lived test worker must not reuse ids it cached in an earlier test.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()
