"""Lantern settings: one file, everything from the environment.

With nothing configured Lantern runs on embedded defaults (SQLite and Celery's filesystem
transport under var/, local-memory cache) so `make run` works on a bare machine. Setting
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL switches to PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from django.core.management.utils import get_random_secret_key
from django.utils.csp import CSP

from config.environment import DEV_FIELD_KEY, DEV_HASH_KEY, mailer, refuse_unnamed_clearinghouse, refuse_unsafe_keys
from config.stylesheet import csp_hash

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.str("LANTERN_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# A development key is generated per process when none is given, so no secret is ever committed;
# with DEBUG off, SECRET_KEY must be set (refuse_unsafe_keys, below).
SECRET_KEY_FROM_ENV = bool(env.str("SECRET_KEY", default=""))
SECRET_KEY = env.str("SECRET_KEY", default="") or get_random_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.apps.LanternAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The article search column (SearchVectorField); harmless on SQLite, where it stays empty.
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "auditlog",
    "reversion",
    # Only django-otp's core: the devices are intake's own (keys encrypted, recovery codes hashed).
    "django_otp",
    # django-axes, named for the admin index (config/apps.py).
    "config.apps.SignInLockoutsConfig",
    "outbox",
    "intake",
    "verification",
    "articles",
    # What the public site says about the centre; a layer above articles and intake.
    "centre",
    # From the first call to admission: programmes, screens, beds, waitlists, referrals out.
    "admissions",
    # Two-way texting with visitors: the conversation, consent keywords, quiet hours.
    "texting",
    # The admitted person's record to the clinical system, as FHIR (a disclosure under Part 2).
    "handoff",
]

MIDDLEWARE = [
    # X-Forwarded-Proto is dropped unless a trusted proxy sent it (SECURE_PROXY_SSL_HEADER below).
    "intake.clientip.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (which serves its own pre-compressed files), above everything that writes a
    # body: public pages gzipped, staff pages never (SECURITY.md, "Compression").
    "config.compression.PublicGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything resolves a URL: /es/ pages are matched, and rendered, in Spanish.
    "config.language.PathLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose check reads the whole body: a blocked client's POST is refused unread.
    "intake.ratelimit.PublicFormMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "intake.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Refuses an oversized body before anything reads it (nothing above does); placed after the
    # header middleware so its 413 page carries the same CSP and framing headers as every page.
    "intake.uploads.RequestSizeLimitMiddleware",
    "intake.middleware.AuditlogMiddleware",
    "intake.middleware.StaffNoStoreMiddleware",
    "intake.middleware.AttributionMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                # LANGUAGE_CODE and LANGUAGES for <html lang>, hreflang and the language switch.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # intake's centre facts with the name admins gave the centre (centre.story).
                "centre.story.centre_story",
                "intake.context_processors.staff",
                "config.stylesheet.public_page",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lantern.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Web server and worker write at once: IMMEDIATE transactions and a timeout queue the writers.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"].update(CONN_MAX_AGE=env.int("CONN_MAX_AGE", default=60), CONN_HEALTH_CHECKS=True)
    # An unreachable server (a partition drops packets) fails a visitor's post in seconds, and its
    # request goes to the spool (intake.spool), instead of hanging for the system's TCP timeout:
    # on a new connection (connect_timeout) and on a kept one (unanswered data, keepalives).
    _tcp = {"connect_timeout": 5, "tcp_user_timeout": 5000, "keepalives_idle": 10, "keepalives_interval": 2}
    DATABASES["default"]["OPTIONS"] = {**_tcp, "keepalives_count": 3, **DATABASES["default"].get("OPTIONS", {})}
    # Test runs name their own database, so two runs on one machine never share one.
    if env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# A stopped or frozen Redis costs a visitor a second or two, never a hung request (errors are misses).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
# After a Redis call fails, each process skips that server for this long (config.outage).
REDIS_OUTAGE_SECONDS = env.float("REDIS_OUTAGE_SECONDS", default=10.0)
_redis_timeouts = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
CACHES = {
    "default": {
        "BACKEND": "config.cache.LanternRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="lantern"),
        "OPTIONS": _redis_timeouts,
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Celery ------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost/")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
# kombu's own, or for the embedded folder broker ours, which writes each message whole.
CELERY_BROKER_TRANSPORT = None
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT = "config.broker_files:Transport"
    _queue = str(CELERY_BROKER_FOLDER / "queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue,
        "data_folder_out": _queue,
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    # A message not acknowledged within this time is delivered again; tasks are idempotent.
    CELERY_BROKER_TRANSPORT_OPTIONS = {**_redis_timeouts, "visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Waking the worker happens inside a visitor's request: try briefly, then give up; the rows wait
# in the database for beat's next run (outbox.broker).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_TASK_IGNORE_RESULT = True
# Separate queues keep a test run's worker from taking a developer's tasks, and vice versa.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="lantern")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The outbox (outbox/models.py says how these work together; staff alerts' own two settings,
# never failing for a temporary reason and falling back, in intake/models/notification.py).
DELIVERY_POLL_SECONDS = env.int("DELIVERY_POLL_SECONDS", default=5)
DELIVERY_RETRY_BASE_SECONDS = env.int("DELIVERY_RETRY_BASE_SECONDS", default=30)
DELIVERY_RETRY_MAX_SECONDS = env.int("DELIVERY_RETRY_MAX_SECONDS", default=3600)
DELIVERY_RECLAIM_AFTER_SECONDS = env.int("DELIVERY_RECLAIM_AFTER_SECONDS", default=120)
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=6)
NOTIFICATION_FALLBACK_SECONDS = env.int("NOTIFICATION_FALLBACK_SECONDS", default=120)
NOTIFICATION_RETRY_MAX_SECONDS = env.int("NOTIFICATION_RETRY_MAX_SECONDS", default=300)
# What must outlive a PostgreSQL outage (intake.spool, outbox.journal): `redis://...` in
# production, a Redis with AOF persistence and noeviction; a folder for the embedded default.
DURABLE_STORE_URL = env.str("DURABLE_STORE_URL", default=str(VAR_DIR / "durable"))
# Requests kept while PostgreSQL was away (intake.spool) are stored this often once it is back.
SUBMISSION_SPOOL_POLL_SECONDS = env.int("SUBMISSION_SPOOL_POLL_SECONDS", default=2)
# How often the worker asks the provider for texts our webhook missed, and how far back it looks.
TEXT_CATCH_UP_SECONDS = env.int("TEXT_CATCH_UP_SECONDS", default=300)
TEXT_CATCH_UP_HOURS = env.int("TEXT_CATCH_UP_HOURS", default=24)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The outbox's safety net: rows whose wake-up was lost (broker down, worker killed) are
    # delivered by this run. Each run is one indexed query per kind of delivery.
    "deliver-due": {"task": "outbox.tasks.deliver_due", "schedule": float(DELIVERY_POLL_SECONDS)},
    "store-spooled-submissions": {
        "task": "intake.tasks.store_spooled_submissions",
        "schedule": float(SUBMISSION_SPOOL_POLL_SECONDS),
    },
    "fall-back-failing-alerts": {"task": "intake.tasks.fall_back_failing_alerts", "schedule": 15.0},
    "escalate-overdue-leads": {"task": "intake.tasks.escalate_overdue_leads", "schedule": 60.0},
    "remind-due-follow-ups": {"task": "intake.tasks.remind_due_follow_ups", "schedule": 60.0},
    "remind-overdue-article-reviews": {"task": "articles.tasks.remind_overdue_reviews", "schedule": 3600.0},
    "purge-expired-leads": {"task": "intake.tasks.purge_expired", "schedule": 3600.0},
    # Card photos kept for a form that was never sent again (verification.kept_photos): every ten
    # minutes, so none stays on disk more than ten minutes past its hour. A directory listing.
    "purge-held-card-photos": {"task": "verification.tasks.purge_held_card_photos", "schedule": 600.0},
    "reverify-upcoming-admissions": {"task": "verification.tasks.reverify_upcoming_admissions", "schedule": 3600.0},
    # Referrals out not yet closed (admissions.models.referrals): one indexed query.
    "remind-referral-follow-ups": {"task": "admissions.tasks.remind_referral_follow_ups", "schedule": 300.0},
    # Good Faith Estimates outlive their lead's retention until six years after issue (admissions.tasks).
    "purge-old-estimates": {"task": "admissions.tasks.purge_old_estimates", "schedule": 86400.0},
    # Beds (admissions.capacity.sweep): expired holds released, expired offers passed on, hold
    # and admission alerts and waitlist check-ins, each once. A few indexed queries a minute.
    "sweep-beds": {"task": "admissions.tasks.sweep_beds", "schedule": 60.0},
    # Texts whose webhook never reached us, fetched from the provider (texting.tasks). One API call.
    "fetch-missed-texts": {"task": "texting.tasks.fetch_missed_texts", "schedule": float(TEXT_CATCH_UP_SECONDS)},
    "purge-leadless-texts": {"task": "texting.tasks.purge_leadless_texts", "schedule": 86400.0},
}
# Days after a referral out was sent (or last changed) before its referrer is reminded to follow it
# up, and again every this many days until the person arrives or the referral is lost.
REFERRAL_FOLLOW_UP_DAYS = env.int("REFERRAL_FOLLOW_UP_DAYS", default=2)


# A Slack-compatible incoming webhook for the team channel.
CHAT_WEBHOOK_URL = env.str("CHAT_WEBHOOK_URL", default="")
# Texts, to staff and visitors (intake.sms): "console" prints them, "twilio" sends them through
# Twilio's REST client to SMS_API_BASE (Twilio itself, or the tests' fake provider server).
SMS_PROVIDER = env.str("SMS_PROVIDER", default="console")
SMS_ACCOUNT_SID = env.str("SMS_ACCOUNT_SID", default="")
SMS_AUTH_TOKEN = env.str("SMS_AUTH_TOKEN", default="")
SMS_FROM = env.str("SMS_FROM", default="")
SMS_API_BASE = env.str("SMS_API_BASE", default="https://api.twilio.com")
# The public address the provider posts inbound texts and delivery reports to (POST /sms/inbound/),
# e.g. https://lantern.example.org: Twilio signs the full URL it posted to, so the signature is
# checked against this base, never against the Host header a proxy may have rewritten. Empty: the
# site's own address (SITE_URL). Delivery reports are asked for only when the provider is twilio.
SMS_WEBHOOK_BASE = env.str("SMS_WEBHOOK_BASE", default="")
# No text to a visitor from the first hour to the second, in their time zone (from their number's
# area code where nothing better is known; the centre's where the number says nothing). A text
# written then waits for the end of the quiet hours. Replies to STOP and HELP are never held.
TEXT_QUIET_HOURS = env.str("TEXT_QUIET_HOURS", default="21:00-08:00")
# The automatic first text right after a request, to visitors who allowed texts.
TEXT_FIRST_MESSAGE = env.bool("TEXT_FIRST_MESSAGE", default=True)
# Outbound HTTP calls (SMS, chat) give up after this many seconds; the delivery is retried.
NOTIFY_HTTP_TIMEOUT = env.float("NOTIFY_HTTP_TIMEOUT", default=5.0)

# --- Encryption of PHI -------------------------------------------------------------------

# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: new key first, run
# `manage.py rotate_encryption_keys`, drop the old one). Production must set both variables.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_FIELD_KEY])
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default=DEV_HASH_KEY)
if not DEBUG:
    refuse_unsafe_keys(env, secret_key=SECRET_KEY, field_keys=FIELD_ENCRYPTION_KEYS, hash_key=FIELD_HASH_KEY)

# --- Auth --------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # django-axes counts failed sign-ins and refuses a locked-out username from that address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:queue"
LOGOUT_REDIRECT_URL = "staff:login"

# Staff are signed out after STAFF_IDLE_MINUTES idle (queue auto-refresh aside) and STAFF_SESSION_MAX_HOURS.
STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=15)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Brute force: five wrong passwords for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "staff/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token"]
# The form limits' client address (not the proxy's): a lockout never shuts a person out of their own.
AXES_CLIENT_IP_CALLABLE = "intake.clientip.client_ip"

# --- Security headers --------------------------------------------------------------------

# Public pages carry their whole stylesheet inline (bin/build-css builds it; config/stylesheet.py says
# why): the CSP allows exactly that text by its hash. A nonce would not do: cached pages are shared.
PUBLIC_CSS_FILE = BASE_DIR / "static" / "css" / "public.css"
PUBLIC_CSS_HASH = csp_hash(PUBLIC_CSS_FILE)
SECURE_CSP = {
    **{name: [CSP.SELF] for name in ("default-src", "font-src", "connect-src", "form-action")},
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE, PUBLIC_CSS_HASH],
    "img-src": [CSP.SELF, "data:"],
    **{name: [CSP.NONE] for name in ("frame-ancestors", "base-uri", "object-src")},
}
# Never gzipped (config/compression.py): pages that carry PHI beside reflected input.
UNCOMPRESSED_PATH_PREFIXES = ("/staff/", "/admin/")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over HTTPS (SITE_URL says so): cookies only over TLS, plain HTTP redirected, HSTS a year.
HTTPS = SITE_URL.startswith("https://") and not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# /healthz is probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# SECURE_PROXY_SSL_HEADER is set beside TRUSTED_PROXIES, below.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Email -------------------------------------------------------------------------------

_EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
MAILERS = {"default": mailer(_EMAIL_URL, timeout=env.int("EMAIL_TIMEOUT", default=10), default_folder=VAR_DIR / "mail")}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lantern admissions <admissions@lantern.example>")

# --- The centre's own facts --------------------------------------------------------------

CENTRE_NAME = env.str("CENTRE_NAME", default="Lantern Recovery Center")
# Second factor: TOTP (any authenticator app) with one-time recovery codes; apps show this name.
OTP_TOTP_ISSUER = CENTRE_NAME
CENTRE_PHONE = env.str("CENTRE_PHONE", default="+18005550142")
# Beds (admissions): a scheduled admission holds its bed this many hours past the admission time
# unless the worker says otherwise; the worker is warned HOLD_WARNING_HOURS before a hold expires,
# reminded ADMISSION_REMINDER_HOURS before an admission (and so is the person, where allowed);
# a bed offered to the first on a waitlist is kept WAITLIST_OFFER_HOURS; waitlisted people are
# checked in with every WAITLIST_CHECK_IN_DAYS days.
BED_HOLD_HOURS = env.int("BED_HOLD_HOURS", default=24)
HOLD_WARNING_HOURS = env.int("HOLD_WARNING_HOURS", default=4)
ADMISSION_REMINDER_HOURS = env.int("ADMISSION_REMINDER_HOURS", default=24)
WAITLIST_OFFER_HOURS = env.int("WAITLIST_OFFER_HOURS", default=24)
WAITLIST_CHECK_IN_DAYS = env.int("WAITLIST_CHECK_IN_DAYS", default=2)
# The sender a person's admission reminder (text or email) is signed with: a text can be read over
# someone's shoulder, so not CENTRE_NAME ("... Recovery Center" names treatment). Keep it bare.
DISCREET_SENDER_NAME = env.str("DISCREET_SENDER_NAME", default="Lantern")
# Hours the admissions team returns calls, in the centre's time zone.
CENTRE_HOURS = env.str("CENTRE_HOURS", default="mon-fri 08:00-20:00; sat-sun 09:00-17:00")
CENTRE_TIMEZONE = env.str("CENTRE_TIMEZONE", default="America/New_York")
# Hours a person answers the phone, said on every public page (same syntax, or "24/7").
CENTRE_PHONE_HOURS = env.str("CENTRE_PHONE_HOURS", default=CENTRE_HOURS)
# How soon staff promise to call back during open hours.
CALLBACK_RESPONSE_MINUTES = env.int("CALLBACK_RESPONSE_MINUTES", default=15)

# Speed-to-lead: minutes to a request's first call (from opening time out of hours); then escalated.
LEAD_SLA_MINUTES = env.int("LEAD_SLA_MINUTES", default=15)
# "Yes, someone is in danger": first call due this many minutes later at any hour (on call: alerted).
URGENT_RESPONSE_MINUTES = env.int("URGENT_RESPONSE_MINUTES", default=10)
# A lead may be marked unreachable after this many attempts without reaching anyone.
UNREACHABLE_AFTER_ATTEMPTS = env.int("UNREACHABLE_AFTER_ATTEMPTS", default=3)

# Closed leads (and what other apps keep about them) are anonymised this many days on; 0: never.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=365 * 7)

# Per-address limits on each public form per window (intake/ratelimit.py): stored submissions and,
# apart, posts that failed validation (a person fixing mistakes never runs out; a junk script does).
FORM_RATE_LIMIT = env.int("FORM_RATE_LIMIT", default=5)
FORM_INVALID_RATE_LIMIT = env.int("FORM_INVALID_RATE_LIMIT", default=30)
FORM_RATE_WINDOW_SECONDS = env.int("FORM_RATE_WINDOW_SECONDS", default=600)
# Proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed (intake/clientip.py); empty: none.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# X-Forwarded-Proto is believed only from a declared proxy: behind a TLS proxy TRUSTED_PROXIES must
# be set, or every request looks like plain HTTP (and SECURE_SSL_REDIRECT redirects it forever).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
# Uploads stay in memory, never in a temporary file (a card photo is PHI): a bigger photo gets an
# error on its field, a bigger body is refused unread (intake/uploads.py). 21 MB: two photos and text.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=21 * 1024 * 1024)
# A second request from the same phone within this window joins the open lead.
DUPLICATE_LEAD_WINDOW_HOURS = env.int("DUPLICATE_LEAD_WINDOW_HOURS", default=24)

# Anonymous article pages are cached this long at most (and retired on any edit).
ARTICLE_CACHE_SECONDS = env.int("ARTICLE_CACHE_SECONDS", default=600)
ARTICLES_PER_PAGE = 10

# Insurance eligibility: "sandbox" (a simulated payer, no network), "x12" or "json".
ELIGIBILITY_GATEWAY = env.str("ELIGIBILITY_GATEWAY", default="sandbox")
ELIGIBILITY_TIMEOUT = env.float("ELIGIBILITY_TIMEOUT", default=20.0)
ELIGIBILITY_MAX_ATTEMPTS = env.int("ELIGIBILITY_MAX_ATTEMPTS", default=4)
ELIGIBILITY_SANDBOX_DELAY = env.float("ELIGIBILITY_SANDBOX_DELAY", default=3.0)
ELIGIBILITY_X12_URL = env.str("ELIGIBILITY_X12_URL", default="")
ELIGIBILITY_X12_USER = env.str("ELIGIBILITY_X12_USER", default="")
ELIGIBILITY_X12_PASSWORD = env.str("ELIGIBILITY_X12_PASSWORD", default="")
# The 270's envelope IDs, as the clearinghouse assigns them; usage "P" or "T" (empty: the gateway's).
ELIGIBILITY_X12_SENDER_ID = env.str("ELIGIBILITY_X12_SENDER_ID", default="") or "LANTERN"
ELIGIBILITY_X12_RECEIVER_ID = env.str("ELIGIBILITY_X12_RECEIVER_ID", default="") or "CLEARINGHOUSE"
ELIGIBILITY_X12_ORIGINATOR_ID = env.str("ELIGIBILITY_X12_ORIGINATOR_ID", default="") or "9LANTERN00"
ELIGIBILITY_X12_USAGE = env.str("ELIGIBILITY_X12_USAGE", default="")
ELIGIBILITY_JSON_URL = env.str("ELIGIBILITY_JSON_URL", default="")
ELIGIBILITY_JSON_API_KEY = env.str("ELIGIBILITY_JSON_API_KEY", default="")
# The clearinghouse that carries x12/json requests to payers: the visitor's Part 2 consent names it.
ELIGIBILITY_CLEARINGHOUSE_NAME = env.str("ELIGIBILITY_CLEARINGHOUSE_NAME", default="")
refuse_unnamed_clearinghouse(ELIGIBILITY_GATEWAY, ELIGIBILITY_CLEARINGHOUSE_NAME)
# The payer ids the json gateway's Medicare Beneficiary Identifier lookup is sent to: with an SSN
# (given on a call, never stored) or with the person's state instead.
ELIGIBILITY_MBI_LOOKUP_PAYER_ID = env.str("ELIGIBILITY_MBI_LOOKUP_PAYER_ID", default="MBILU")
ELIGIBILITY_MBI_LOOKUP_NO_SSN_PAYER_ID = env.str("ELIGIBILITY_MBI_LOOKUP_NO_SSN_PAYER_ID", default="MBILUNOSSN")
# A scheduled admission's insurance is checked again this many days before the date (0: never).
REVERIFY_DAYS_BEFORE_ADMISSION = env.int("REVERIFY_DAYS_BEFORE_ADMISSION", default=3)
# How many re-checks `manage.py reverify_admissions` keeps in flight at once.
REVERIFY_CONCURRENCY = env.int("REVERIFY_CONCURRENCY", default=4)
# The hand-off to the clinical record (handoff): a FHIR R4 transaction Bundle POSTed here, signed
# with FHIR_EXPORT_SIGNING_KEY (HMAC-SHA256); empty URL: supervisors download it instead. The
# recipient's name is the one a person's Part 2 consent must name.
FHIR_EXPORT_URL = env.str("FHIR_EXPORT_URL", default="")
FHIR_EXPORT_SIGNING_KEY = env.str("FHIR_EXPORT_SIGNING_KEY", default="")
FHIR_EXPORT_RECIPIENT = env.str("FHIR_EXPORT_RECIPIENT", default="Clinical record system (EHR)")
FHIR_EXPORT_TIMEOUT = env.float("FHIR_EXPORT_TIMEOUT", default=20.0)
FHIR_EXPORT_MAX_ATTEMPTS = env.int("FHIR_EXPORT_MAX_ATTEMPTS", default=6)
# The centre's National Provider Identifier, sent as the information receiver in a 270.
PROVIDER_NPI = env.str("PROVIDER_NPI", default="1234567893")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="lantern-demo")

# --- i18n, static ------------------------------------------------------------------------

# The visitor side in English (today's URLs) and Spanish (under /es/, config.language); the staff
# side stays English and always shows the person's language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Spanish dates in words with the US clock and number separators (config/formats/es).
FORMAT_MODULE_PATH = ["config.formats"]
# A request in another language than English alerts the staff on shift who speak it first; the rest
# of the shift is alerted this many seconds later unless someone has taken the lead by then.
LANGUAGE_FIRST_SECONDS = env.int("LANGUAGE_FIRST_SECONDS", default=120)
TIME_ZONE = CENTRE_TIMEZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic (the Docker image) fills STATIC_ROOT and sets STATIC_MANIFEST for hashed, compressed
# names; `make run` and the tests serve files from static/ as they are.
STATIC_ROOT = env.str("STATIC_ROOT", default=None)
_MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
_PLAIN_STORAGE = "django.contrib.staticfiles.storage.StaticFilesStorage"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _MANIFEST_STORAGE if env.bool("STATIC_MANIFEST", default=False) else _PLAIN_STORAGE},
}
WHITENOISE_USE_FINDERS = True
# A file missing from the manifest is served under its plain name rather than failing the page.
WHITENOISE_MANIFEST_STRICT = False
# Public uploads (article images). PHI never goes here: see PRIVATE_MEDIA_ROOT.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# auditlog: record who looked at PHI, and from where.
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_MASK_CALLABLE = "intake.audit.redact"

# --- Logging -----------------------------------------------------------------------------

# Messages name records by id only; PHI never reaches a log line. The terminal of `make run` shows
# requests, staff alerts (printed by the console mail and SMS backends) and problems, not routine.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403) is one line, without its traceback; beat's routine runs go unsaid.
    "filters": {name: {"()": f"config.log_filters.{name}"} for name in ("OneLineClientErrors", "NoBeatRunLines")},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler would print each of its lines a second time under DEBUG.
        "django": {"level": "INFO"},
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"filters": ["OneLineClientErrors"]},
        "axes.apps": {"level": "WARNING"},  # its start-up banner would land in every command's output
        # Pillow logs a photo's EXIF tags (owner, GPS) at DEBUG: never, whatever LOG_LEVEL says.
        "PIL": {"level": "WARNING"},
        # Beat's "Sending due task" and the worker's "received" and "succeeded" would make a line
        # every few seconds; failures still show, and so does "beat: Starting" (the drills wait for it).
        "celery.beat": {"filters": ["NoBeatRunLines"]},
        **{name: {"level": "WARNING"} for name in ("celery.worker.strategy", "celery.app.trace")},
        # WeasyPrint logs seven progress lines for every PDF (admissions.pdf); its warnings still show.
        "weasyprint": {"level": "WARNING"},
        # The twilio client logs each API call's URL and headers at INFO: nothing we need, and a
        # lookup's URL can carry a number.
        "twilio": {"level": "WARNING"},
    },
}
