"""How fast is the admissions queue with a big backlog? Seeds N leads into PostgreSQL and
times the queue page through Django's test client, against a bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantern_bench .venv/bin/python -m bench.queue_page 50000
"""

import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from bench.prepare import seed, staff_session  # noqa: E402
from intake.crypto import keyed_hash  # noqa: E402
from intake.models import Lead  # noqa: E402


def timed(client: Client, url: str, runs: int) -> list[float]:
    client.get(url)  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    assert settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), "point DATABASE_URL at PostgreSQL"
    call_command("migrate", verbosity=0)
    seed(count)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = staff_session()  # signed in with both factors
    queue = timed(client, "/staff/", 30)
    # A phone search travels as the number's keyed hash (see intake.staff_forms.search_to_params).
    search = timed(client, f"/staff/?phone={keyed_hash('+13120000042')}", 30)
    with override_settings(ROOT_URLCONF="bench.urls"):
        baseline = timed(Client(), "/bench/hello/", 30)
    base = statistics.median(baseline)
    print(f"leads in database: {Lead.objects.count()}")
    for label, samples in (("bare view", baseline), ("queue page", queue), ("phone search", search)):
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"{label:13} median {median:7.1f} ms  p90 {p90:7.1f} ms  ({median / base:5.1f}x bare)")


if __name__ == "__main__":
    main()
