"""How fast is the admissions queue with a big backlog? Seeds N leads into PostgreSQL and
times the queue page through Django's test client, against a bare Django view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lantern_bench .venv/bin/python bench/queue_page.py 50000
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402

from intake.crypto import encrypt, keyed_hash  # noqa: E402
from intake.models import Lead, ensure_staff_groups  # noqa: E402


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bare/", bare)]


# Raw SQL: the ORM would spend minutes encrypting 50,000 copies of the same two values.
INSERT = (
    "INSERT INTO intake_lead (kind, status, urgent, name, phone, phone_hash, email, for_whom, best_time,"
    " ok_to_text, ok_to_voicemail, landing_page, referrer, utm_source, utm_medium, utm_campaign, utm_term,"
    " utm_content, created_at, updated_at, last_requested_at, request_count, sla_due_at, attempt_count,"
    " last_attempt_outcome) VALUES ('callback', 'new', %s, %s, %s, %s, '', 'self', 'asap', false, false,"
    " '/', '', '', '', '', '', '', %s, %s, %s, 1, %s, 0, '')"
)


def seed(count: int) -> None:
    existing = Lead.objects.count()
    if existing >= count:
        return
    now = timezone.now()
    name, phone = encrypt("Bench Person"), encrypt("+13125550100")
    batch = []
    with connection.cursor() as cursor:
        for n in range(existing, count):
            created = now - dt.timedelta(minutes=n)
            batch.append(
                (name, phone, keyed_hash(f"+1312{n:07d}"), created, created + dt.timedelta(minutes=15), n % 17 == 0)
            )
            if len(batch) == 5000 or n == count - 1:
                cursor.executemany(INSERT, [(u, nm, ph, h, c, c, c, due) for (nm, ph, h, c, due, u) in batch])
                batch = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_lead")


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
    groups = ensure_staff_groups()
    user, _ = User.objects.get_or_create(username="bench-worker")
    user.groups.add(groups["admissions"])
    client = Client()
    client.force_login(user)
    queue = timed(client, "/staff/", 30)
    search = timed(client, "/staff/?q=(312)%20000-0042", 30)
    with override_settings(ROOT_URLCONF=__name__):
        baseline = timed(Client(), "/bare/", 30)
    base = statistics.median(baseline)
    print(f"leads in database: {Lead.objects.count()}")
    for label, samples in (("bare view", baseline), ("queue page", queue), ("phone search", search)):
        median = statistics.median(samples)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"{label:13} median {median:7.1f} ms  p90 {p90:7.1f} ms  ({median / base:5.1f}x bare)")


if __name__ == "__main__":
    main()
