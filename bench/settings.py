"""Production settings with the harness's URLs beside the site's: how gunicorn, the worker and beat
run under `make bench` and `make drills` (DJANGO_SETTINGS_MODULE=bench.settings)."""

from config.settings import *  # noqa: F403 - every production setting, unchanged

ROOT_URLCONF = "bench.urls"
