# Run by bench/run.py inside `manage.py shell -c`: data for the benchmark, and the facts it needs.
import datetime as dt
import sys

sys.path.insert(0, "bench")

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402
from queue_page import seed  # noqa: E402

from articles.models import Article, Category, Source  # noqa: E402
from intake.models import AuthenticatorApp, Notification, StaffProfile, ensure_staff_groups  # noqa: E402
from verification.models import EligibilityCheck, Payer  # noqa: E402

seed(50_000)
# An earlier run stopped mid-delivery leaves work its worker never finished: it is not this run's.
Notification.objects.filter(status__in=["pending", "sending"]).update(status="failed")
EligibilityCheck.objects.filter(status__in=["pending", "running"]).update(status="failed")
category, _ = Category.objects.get_or_create(slug="withdrawal", defaults={"name": "Withdrawal"})
reviewer, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"first_name": "Bench"})
body = "\n\n".join(f"## Part {n}\n\nWithdrawal symptoms and treatment, paragraph {n}. " * 3 for n in range(12))
existing = Article.objects.count()
for n in range(existing, 200):
    article = Article.objects.create(
        title=f"Benchmark article {n} about withdrawal",
        slug=f"bench-article-{n}",
        summary="Withdrawal, detox and treatment explained for the benchmark.",
        body=body,
        category=category,
        reviewer=reviewer,
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - dt.timedelta(days=n + 1),
    )
    Source.objects.create(article=article, title="Source", publisher="NIDA", url="https://nida.nih.gov/")

worker, _ = User.objects.get_or_create(username="bench-worker", defaults={"email": "worker@bench.invalid"})
worker.groups.add(ensure_staff_groups()["admissions"])
# On duty with email alerts: every benchmarked request queues a real notification for the worker.
StaffProfile.objects.update_or_create(user=worker, defaults={"on_duty": True, "notify_by_email": True})
device, _ = AuthenticatorApp.objects.get_or_create(user=worker, name="bench")
session = SessionStore()
session["_auth_user_id"] = str(worker.pk)
session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
session["_auth_user_hash"] = worker.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session.create()
secret = _get_new_csrf_string()
payer, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
print(f"session={session.session_key}")
print(f"csrf_cookie={secret}")
print(f"csrf_token={_mask_cipher_secret(secret)}")
print("article=bench-article-0")
print(f"payer={payer.pk}")
