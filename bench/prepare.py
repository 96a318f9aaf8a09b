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

from articles.models import Article, Category, MedicalReviewer, Source
from intake.crypto import encrypt, keyed_hash
from intake.models import AuthenticatorApp, Lead, StaffProfile, ensure_staff_groups
from verification.models import EligibilityCheck, Payer, VerificationRequest

STAFF_EMAIL = "worker@bench.invalid"

# Raw SQL: the ORM would spend minutes encrypting 50,000 copies of the same two values. Each lead was
# escalated when its deadline passed, as an old backlog's were: beat's escalation run would otherwise
# spend minutes of worker time on all of them during the first timed pages. The rows vary as the
# queue's columns do: for whom, best time, assignee, and an insurance check on one lead in five.
INSERT = (
    "INSERT INTO intake_lead (kind, status, urgent, name, phone, phone_hash, email, for_whom, best_time,"
    " ok_to_text, ok_to_voicemail, landing_page, referrer, utm_source, utm_medium, utm_campaign, utm_term,"
    " utm_content, created_at, updated_at, last_requested_at, request_count, sla_due_at, escalated_at,"
    " attempt_count, last_attempt_outcome, assigned_to_id, language) VALUES (%s, 'new', %s, %s, %s, %s, '', %s, %s,"
    " false, false, '/', '', '', '', '', '', '', %s, %s, %s, 1, %s, %s, 0, '', %s, %s)"
)
BEST_TIMES = ["asap", "asap", "morning", "evening"]
VERIFIED_EVERY = 5
# Closed leads beside the open backlog: the queue's "All closed" view reads them, newest closed first.
CLOSED_COUNT = 10_000
CLOSED_STATUSES = ["admitted", "referred", "not_a_fit", "unreachable"]


def seed(count: int, closed: int = 0) -> None:
    """`count` open leads in the queue, the newest a minute apart, and `closed` older ones closed."""
    existing = Lead.objects.count()
    if existing >= count + closed:
        return
    now = timezone.now()
    name, phone = encrypt("Bench Person"), encrypt("+13125550100")
    worker = bench_worker()
    rows = []
    for n in range(count + closed - 1, existing - 1, -1):  # oldest first: the closed ones get the lowest ids
        created = now - dt.timedelta(minutes=n)
        rows.append(
            (
                "verification" if n % VERIFIED_EVERY == 0 else "callback",
                n % 17 == 0,
                name,
                phone,
                keyed_hash(f"+1312{n:07d}"),
                "loved_one" if n % 3 == 0 else "self",
                BEST_TIMES[n % len(BEST_TIMES)],
                created,
                created,
                created,
                created + dt.timedelta(minutes=15),
                created + dt.timedelta(minutes=15),
                worker.pk if n % 7 == 0 else None,
                "es" if n % 8 == 0 else "en",  # one request in eight from the Spanish pages
            )
        )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(INSERT, rows[start : start + 5000])
        if closed:
            cursor.execute(
                "UPDATE intake_lead SET status = (%s::text[])[1 + id %% 4],"
                " closed_at = created_at + interval '2 hours', first_contacted_at = created_at + interval '10 minutes'"
                " WHERE id IN (SELECT id FROM intake_lead ORDER BY id LIMIT %s)",
                [CLOSED_STATUSES, closed],
            )
    insurance_checks()
    with connection.cursor() as cursor:
        # Fresh statistics, as autovacuum would have by now: without them the page's insurance
        # query scans every verification request (9 ms) instead of reading 25 leads' by index.
        for table in ("intake_lead", "verification_verificationrequest", "verification_eligibilitycheck"):
            cursor.execute(f"ANALYZE {table}")


def insurance_checks() -> None:
    """A verification request on each verification lead, half of them answered by the payer."""
    leads = Lead.objects.filter(kind="verification", verifications__isnull=True).values_list("pk", "created_at")
    requests = VerificationRequest.objects.bulk_create(
        VerificationRequest(
            lead_id=pk,
            status=VerificationRequest.Status.NEEDS_REVIEW if pk % 2 else VerificationRequest.Status.CHECKING,
            first_name="Bench",
            last_name="Person",
            date_of_birth=dt.date(1990, 5, 17),
            member_id="LNT100001",
            created_at=created,
        )
        for pk, created in leads.iterator()
    )
    EligibilityCheck.objects.bulk_create(
        EligibilityCheck(
            verification=request,
            gateway="sandbox",
            status=EligibilityCheck.Status.SENT,
            coverage_status="active",
            finished_at=request.created_at,
        )
        for request in requests
        if request.status == VerificationRequest.Status.NEEDS_REVIEW
    )


def bench_worker() -> User:
    worker, _ = User.objects.get_or_create(username="bench-worker", defaults={"email": STAFF_EMAIL})
    return worker


def articles(count: int) -> None:
    category, _ = Category.objects.get_or_create(slug="withdrawal", defaults={"name": "Withdrawal"})
    login, _ = User.objects.get_or_create(username="bench-reviewer", defaults={"first_name": "Bench"})
    reviewer, _ = MedicalReviewer.objects.get_or_create(user=login, defaults={"name": "Bench Reviewer"})
    body = "\n\n".join(f"## Part {n}\n\nWithdrawal symptoms and treatment, paragraph {n}. " * 3 for n in range(12))
    for n in range(Article.objects.filter(language="en").count(), count):
        article = Article.objects.create(
            title=f"Benchmark article {n} about withdrawal",
            slug=f"bench-article-{n}",
            summary="Withdrawal, detox and treatment explained for the benchmark.",
            body=body,
            category=category,
            reviewer=reviewer,
            publish_at=timezone.now() - dt.timedelta(days=n + 1),
        )
        Source.objects.create(article=article, title="Source", publisher="NIDA", url="https://nida.nih.gov/")
        article.approve(by=login)  # published articles carry their reviewer's sign-off
        article.publish()
    # Spanish twins of the first twenty (issue 20): the same length, searched with the Spanish configuration.
    cuerpo = "\n\n".join(f"## Parte {n}\n\nSíntomas de abstinencia y tratamiento, párrafo {n}. " * 3 for n in range(12))
    for n in range(Article.objects.filter(language="es").count(), min(20, count)):
        article = Article.objects.create(
            language="es",
            translation_of=Article.objects.get(slug=f"bench-article-{n}"),
            title=f"Artículo de prueba {n} sobre la abstinencia",
            slug=f"bench-articulo-{n}",
            summary="La abstinencia, la desintoxicación y el tratamiento, explicados para la prueba.",
            body=cuerpo,
            category=category,
            reviewer=reviewer,
            publish_at=timezone.now() - dt.timedelta(days=n + 1),
        )
        Source.objects.create(article=article, title="Fuente", publisher="NIDA", url="https://nida.nih.gov/es")
        article.approve(by=login)
        article.publish()


def staff_session() -> str:
    """One admissions worker, on duty with email alerts (every benchmarked request alerts them),
    signed in with both factors: the key of their session."""
    worker = bench_worker()
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
    seed(50_000, closed=CLOSED_COUNT)
    articles(200)
    session = staff_session()
    secret = _get_new_csrf_string()
    payer, _ = Payer.objects.get_or_create(name="Aetna", defaults={"payer_id": "60054"})
    print(f"session={session}")
    print(f"csrf_cookie={secret}")
    print(f"csrf_token={_mask_cipher_secret(secret)}")
    print("article=bench-article-0")
    print("article_es=bench-articulo-0")
    print(f"payer={payer.pk}")
    # The queue's live refresh sends the moment of its last look; five minutes ago, as a worker back
    # from a call would.
    print(f"queue_since={int((timezone.now() - dt.timedelta(minutes=5)).timestamp() * 1000)}")
