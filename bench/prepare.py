"""Data for `make bench`, and the facts its runs need. Run inside Django by bench/run.py:

    manage.py shell -c "from bench.prepare import main; main()"

It prints one `name=value` line a fact: a signed-in staff session, a CSRF cookie and token, an
article, a payer.
"""

import datetime as dt

from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from articles.models import Article, Category, Source
from intake.crypto import encrypt, keyed_hash
from intake.models import AuthenticatorApp, Lead, StaffProfile, ensure_staff_groups
from verification.models import Payer

STAFF_EMAIL = "worker@bench.invalid"

# Raw SQL: the ORM would spend minutes encrypting 50,000 copies of the same two values. Each lead was
# escalated when its deadline passed, as an old backlog's were: beat's escalation run would otherwise
# spend minutes of worker time on all of them during the first timed pages.
INSERT = (
    "INSERT INTO intake_lead (kind, status, urgent, name, phone, phone_hash, email, for_whom, best_time,"
    " ok_to_text, ok_to_voicemail, landing_page, referrer, utm_source, utm_medium, utm_campaign, utm_term,"
    " utm_content, created_at, updated_at, last_requested_at, request_count, sla_due_at, escalated_at,"
    " attempt_count, last_attempt_outcome) VALUES ('callback', 'new', %s, %s, %s, %s, '', 'self', 'asap',"
    " false, false, '/', '', '', '', '', '', '', %s, %s, %s, 1, %s, %s, 0, '')"
)


def seed(count: int) -> None:
    """`count` open leads in the queue, the newest a minute apart."""
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
                cursor.executemany(INSERT, [(u, nm, ph, h, c, c, c, due, due) for (nm, ph, h, c, due, u) in batch])
                batch = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_lead")


def articles(count: int) -> None:
    category, _ = Category.objects.get_or_create(slug="withdrawal", defaults={"name": "Withdrawal"})
    reviewer, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"first_name": "Bench"})
    body = "\n\n".join(f"## Part {n}\n\nWithdrawal symptoms and treatment, paragraph {n}. " * 3 for n in range(12))
    for n in range(Article.objects.count(), count):
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


def staff_session() -> str:
    """One admissions worker, on duty with email alerts (every benchmarked request alerts them),
    signed in with both factors: the key of their session."""
    worker, _ = User.objects.get_or_create(username="bench-worker", defaults={"email": STAFF_EMAIL})
    worker.groups.add(ensure_staff_groups()["admissions"])
    StaffProfile.objects.update_or_create(user=worker, defaults={"on_duty": True, "notify_by_email": True})
    device, _ = AuthenticatorApp.objects.get_or_create(user=worker, name="bench")
    session = SessionStore()
    session["_auth_user_id"] = str(worker.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = worker.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return session.session_key


def main() -> None:
    seed(50_000)
    articles(200)
    session = staff_session()
    secret = _get_new_csrf_string()
    payer, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    print(f"session={session}")
    print(f"csrf_cookie={secret}")
    print(f"csrf_token={_mask_cipher_secret(secret)}")
    print("article=bench-article-0")
    print(f"payer={payer.pk}")
