"""Lantern settings: one file, everything from the environment.

With nothing configured Lantern runs on embedded defaults (SQLite and Celery's filesystem
transport under var/, local-memory cache) so `make run` works on a bare machine. Setting
DATABASE_URL, REDIS_URL and CELERY_BROKER_URL switches to PostgreSQL and Redis.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.management.utils import get_random_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("LANTERN_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# A development key is generated per process when none is given, so no secret is ever
# committed; with DEBUG off, SECRET_KEY must be set (see "Refusing to start unsafe" below).
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
    # Only django-otp's core: the devices are intake's own (intake.models.second_factor), which
    # keep keys encrypted and recovery codes hashed, and have no admin that shows either.
    "django_otp",
    "axes",
    "outbox",
    "intake",
    "verification",
    "articles",
]

MIDDLEWARE = [
    # X-Forwarded-Proto is dropped unless a trusted proxy sent it (SECURE_PROXY_SSL_HEADER below).
    "intake.clientip.ForwardedProtoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "intake.context_processors.centre",
                "intake.context_processors.staff",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------

_sqlite_url = f"sqlite:///{VAR_DIR / 'lantern.sqlite3'}"
DATABASES = {"default": env.db("DATABASE_URL", default=_sqlite_url)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web server and the worker write at the same time; IMMEDIATE transactions plus a
    # busy timeout make SQLite queue writers instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Test runs name their own database, so two runs on one machine never share one.
    if env.str("TEST_DATABASE_NAME", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME")}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# Short socket timeouts: a stopped or frozen Redis must cost a visitor at most a second or
# two, never hang the request. Callers treat cache errors as a miss.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
# After a Redis call fails, each process skips that server for this long (config.outage).
REDIS_OUTAGE_SECONDS = env.float("REDIS_OUTAGE_SECONDS", default=10.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.LanternRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="lantern"),
            "OPTIONS": {
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ------------------------------------------------------------------------------

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_FOLDER = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER / "queue"),
        "data_folder_out": str(CELERY_BROKER_FOLDER / "queue"),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
        # A message not acknowledged within this time is delivered again; tasks are
        # idempotent (notifications are claimed by a conditional UPDATE).
        "visibility_timeout": 3600,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Waking the worker happens inside a visitor's request: try briefly, then give up; the rows wait
# in the database for beat's next run (outbox.broker).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_IGNORE_RESULT = True
# Separate queues keep a test run's worker from taking a developer's tasks, and vice versa.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="lantern")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The outbox (outbox/): beat delivers due rows this often when no wake-up came; a temporary
# failure waits DELIVERY_RETRY_BASE_SECONDS, doubled each try, at most DELIVERY_RETRY_MAX_SECONDS;
# a row whose worker died is taken again after DELIVERY_RECLAIM_AFTER_SECONDS (each run is cut off
# at half of it, so a live send is never doubled). Tries per kind: NOTIFICATION_MAX_ATTEMPTS,
# ELIGIBILITY_MAX_ATTEMPTS; DELIVERY_MAX_ATTEMPTS for a kind that names none.
DELIVERY_POLL_SECONDS = env.int("DELIVERY_POLL_SECONDS", default=5)
DELIVERY_RETRY_BASE_SECONDS = env.int("DELIVERY_RETRY_BASE_SECONDS", default=30)
DELIVERY_RETRY_MAX_SECONDS = env.int("DELIVERY_RETRY_MAX_SECONDS", default=3600)
DELIVERY_RECLAIM_AFTER_SECONDS = env.int("DELIVERY_RECLAIM_AFTER_SECONDS", default=120)
DELIVERY_MAX_ATTEMPTS = env.int("DELIVERY_MAX_ATTEMPTS", default=6)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # The outbox's safety net: rows whose wake-up was lost (broker down, worker killed) are
    # delivered by this run. Each run is one indexed query per kind of delivery.
    "deliver-due": {"task": "outbox.tasks.deliver_due", "schedule": float(DELIVERY_POLL_SECONDS)},
    "escalate-overdue-leads": {"task": "intake.tasks.escalate_overdue_leads", "schedule": 60.0},
    "remind-due-follow-ups": {"task": "intake.tasks.remind_due_follow_ups", "schedule": 60.0},
    "remind-overdue-article-reviews": {"task": "articles.tasks.remind_overdue_reviews", "schedule": 3600.0},
    "purge-expired-leads": {"task": "intake.tasks.purge_expired", "schedule": 3600.0},
    # Card photos kept for a form that was never sent again (verification.kept_photos): every ten
    # minutes, so none stays on disk more than ten minutes past its hour. A directory listing.
    "purge-held-card-photos": {"task": "verification.tasks.purge_held_card_photos", "schedule": 600.0},
}

NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)

# Other notification channels. A Slack-compatible incoming webhook for the team channel:
CHAT_WEBHOOK_URL = env.str("CHAT_WEBHOOK_URL", default="")
# SMS to staff: "console" prints them, "twilio" posts to Twilio's Messages API (SMS_API_BASE
# points it elsewhere, e.g. at a test server).
SMS_PROVIDER = env.str("SMS_PROVIDER", default="console")
SMS_ACCOUNT_SID = env.str("SMS_ACCOUNT_SID", default="")
SMS_AUTH_TOKEN = env.str("SMS_AUTH_TOKEN", default="")
SMS_FROM = env.str("SMS_FROM", default="")
SMS_API_BASE = env.str("SMS_API_BASE", default="https://api.twilio.com")
# Outbound HTTP calls (SMS, chat) give up after this many seconds; the delivery is retried.
NOTIFY_HTTP_TIMEOUT = env.float("NOTIFY_HTTP_TIMEOUT", default=5.0)

# --- Encryption of PHI -------------------------------------------------------------------

# Comma-separated Fernet keys; the first encrypts, all decrypt (rotation: put the new key
# first, run `manage.py rotate_encryption_keys`, then drop the old one). The built-in
# development keys protect nothing; production must set both variables.
_DEV_FIELD_KEY = "bGFudGVybi1kZXZlbG9wbWVudC1vbmx5LWtleS0wMDA="
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_DEV_FIELD_KEY])
_DEV_HASH_KEY = "lantern-development-only-hash-key"
FIELD_HASH_KEY = env.str("FIELD_HASH_KEY", default=_DEV_HASH_KEY)


def _unsafe_keys() -> list[str]:
    """What is wrong with the three keys for a production process, in words."""
    from cryptography.fernet import Fernet

    problems = []
    if not SECRET_KEY_FROM_ENV:
        problems.append("SECRET_KEY is not set")
    elif SECRET_KEY.startswith("django-insecure"):
        problems.append("SECRET_KEY is a development key (django-insecure-...)")
    if not env.str("FIELD_ENCRYPTION_KEYS", default=""):
        problems.append("FIELD_ENCRYPTION_KEYS is not set")
    elif _DEV_FIELD_KEY in FIELD_ENCRYPTION_KEYS:
        problems.append("FIELD_ENCRYPTION_KEYS holds the development key committed in config/settings.py")
    else:
        for position, key in enumerate(FIELD_ENCRYPTION_KEYS, 1):
            try:
                Fernet(key)
            except ValueError:
                problems.append(f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key")
    if not env.str("FIELD_HASH_KEY", default="").strip():
        problems.append("FIELD_HASH_KEY is not set")
    elif FIELD_HASH_KEY == _DEV_HASH_KEY:
        problems.append("FIELD_HASH_KEY is the development key committed in config/settings.py")
    return problems


# Refusing to start unsafe: with DEBUG off this is production, and the committed development keys
# (or a per-process SECRET_KEY) would protect nothing. Every process (web, worker, beat, manage.py)
# stops here, rather than only when someone remembers `check --deploy`.
if not DEBUG and (_problems := _unsafe_keys()):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Lantern will not start with DEBUG off and unsafe keys: "
        + "; ".join(_problems)
        + ". Set them in the environment (docker-compose.yml says how to generate each), "
        "or set DEBUG=1 on a development machine."
    )

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

# Staff sessions: signed out after STAFF_IDLE_MINUTES without activity (the queue's own
# auto-refresh does not count) and after STAFF_SESSION_MAX_HOURS whatever happens.
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
# The same client address as the form limits (behind the proxy, not the proxy's own), so the
# lockout of username + address never locks the real person out from their own address.
AXES_CLIENT_IP_CALLABLE = "intake.clientip.client_ip"

# --- Security headers --------------------------------------------------------------------

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over HTTPS (SITE_URL says so): cookies only over TLS, plain HTTP redirected, and
# browsers told to use HTTPS for a year (HSTS).
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


def _mailer(url: dict) -> dict:
    """Django 6.1's MAILERS entry for an EMAIL_URL (smtp://user:pass@host:port, consolemail://, filemail:///path)."""
    backend = url["EMAIL_BACKEND"]
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": url.get("EMAIL_HOST") or "localhost",
            "port": url.get("EMAIL_PORT") or 25,
            "username": url.get("EMAIL_HOST_USER") or "",
            "password": url.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(url.get("EMAIL_USE_TLS")),
            "use_ssl": bool(url.get("EMAIL_USE_SSL")),
            "timeout": env.int("EMAIL_TIMEOUT", default=10),
        }
    elif backend.endswith("filebased.EmailBackend"):
        # django-environ drops the leading slash of filemail:///abs/path; read the URL itself.
        raw = urlsplit(env.str("EMAIL_URL"))
        options = {"file_path": (raw.netloc + raw.path) or str(VAR_DIR / "mail")}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer(env.email_url("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lantern admissions <admissions@lantern.example>")

# --- The centre's own facts --------------------------------------------------------------

CENTRE_NAME = env.str("CENTRE_NAME", default="Lantern Recovery Center")
# Second factor: TOTP (any authenticator app) with one-time recovery codes; apps show this name.
OTP_TOTP_ISSUER = CENTRE_NAME
CENTRE_PHONE = env.str("CENTRE_PHONE", default="+18005550142")
# Hours the admissions team returns calls, in the centre's time zone.
CENTRE_HOURS = env.str("CENTRE_HOURS", default="mon-fri 08:00-20:00; sat-sun 09:00-17:00")
CENTRE_TIMEZONE = env.str("CENTRE_TIMEZONE", default="America/New_York")
# Hours a person answers the phone (same syntax, or "24/7"); every public page says from this
# whether the line is answered now. Defaults to the call-back hours: no claim beyond them.
CENTRE_PHONE_HOURS = env.str("CENTRE_PHONE_HOURS", default=CENTRE_HOURS)
# How soon staff promise to call back during open hours.
CALLBACK_RESPONSE_MINUTES = env.int("CALLBACK_RESPONSE_MINUTES", default=15)

# Speed-to-lead: a new request should get its first call attempt within this many minutes
# (counted from opening time when it arrives out of hours); overdue leads are escalated.
LEAD_SLA_MINUTES = env.int("LEAD_SLA_MINUTES", default=15)
# Someone who answers "yes" to "Is anyone in danger right now?" gets a first-call target this many
# minutes away at any hour; outside call-back hours the on-call staff are alerted by every channel.
URGENT_RESPONSE_MINUTES = env.int("URGENT_RESPONSE_MINUTES", default=10)
# A lead may be marked unreachable after this many attempts without reaching anyone.
UNREACHABLE_AFTER_ATTEMPTS = env.int("UNREACHABLE_AFTER_ATTEMPTS", default=3)

# Retention: closed leads, their verification data and card photos are anonymised this many
# days after closing (a beat task and `manage.py purge_expired`); 0 turns it off.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=365 * 7)

# Per-address limits on each public form (intake/ratelimit.py), per window: FORM_RATE_LIMIT
# stored submissions, and, apart, FORM_INVALID_RATE_LIMIT posts that failed validation (a
# person fixing mistakes must never run out; a script posting junk does).
FORM_RATE_LIMIT = env.int("FORM_RATE_LIMIT", default=5)
FORM_INVALID_RATE_LIMIT = env.int("FORM_INVALID_RATE_LIMIT", default=30)
FORM_RATE_WINDOW_SECONDS = env.int("FORM_RATE_WINDOW_SECONDS", default=600)
# Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For is believed
# (intake/clientip.py). Empty: nobody's is, since a client can send any header it likes.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# X-Forwarded-Proto says a request came over HTTPS; any client can send it, so it is believed only
# when a proxy that sets it is declared. Behind a TLS proxy, TRUSTED_PROXIES must then be set, or
# every request looks like plain HTTP (and SECURE_SSL_REDIRECT would redirect it forever).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
# Uploads to the public forms stay in memory, never in a temporary file (a card photo is PHI), so
# both are capped before Django keeps them (intake/uploads.py): a photo over UPLOAD_MAX_FILE_BYTES is dropped
# with an error on its field, a body declared over REQUEST_MAX_BODY_BYTES is refused unread.
# 10 MB is the card photo limit; 21 MB fits two such photos and the form's text.
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=21 * 1024 * 1024)
# A second request from the same phone within this window joins the open lead.
DUPLICATE_LEAD_WINDOW_HOURS = env.int("DUPLICATE_LEAD_WINDOW_HOURS", default=24)

# Insurance eligibility: "sandbox" (a simulated payer, no network), "x12" or "json".
# Anonymous article pages are cached this long at most (and retired on any edit).
ARTICLE_CACHE_SECONDS = env.int("ARTICLE_CACHE_SECONDS", default=600)
ARTICLES_PER_PAGE = 10

ELIGIBILITY_GATEWAY = env.str("ELIGIBILITY_GATEWAY", default="sandbox")
ELIGIBILITY_TIMEOUT = env.float("ELIGIBILITY_TIMEOUT", default=20.0)
ELIGIBILITY_MAX_ATTEMPTS = env.int("ELIGIBILITY_MAX_ATTEMPTS", default=4)
ELIGIBILITY_SANDBOX_DELAY = env.float("ELIGIBILITY_SANDBOX_DELAY", default=3.0)
ELIGIBILITY_X12_URL = env.str("ELIGIBILITY_X12_URL", default="")
ELIGIBILITY_X12_USER = env.str("ELIGIBILITY_X12_USER", default="")
ELIGIBILITY_X12_PASSWORD = env.str("ELIGIBILITY_X12_PASSWORD", default="")
ELIGIBILITY_JSON_URL = env.str("ELIGIBILITY_JSON_URL", default="")
ELIGIBILITY_JSON_API_KEY = env.str("ELIGIBILITY_JSON_API_KEY", default="")
# The company that carries x12 / json eligibility requests to payers (a clearinghouse): it receives
# what the payer receives, so the visitor's Part 2 consent names it. Unused by the sandbox.
ELIGIBILITY_CLEARINGHOUSE_NAME = env.str("ELIGIBILITY_CLEARINGHOUSE_NAME", default="")
if ELIGIBILITY_GATEWAY.strip().lower() != "sandbox" and not ELIGIBILITY_CLEARINGHOUSE_NAME.strip():
    from django.core.exceptions import ImproperlyConfigured

    # Every process refuses, the worker that sends included (a system check runs only for
    # manage.py commands).
    raise ImproperlyConfigured(
        f"ELIGIBILITY_GATEWAY is {ELIGIBILITY_GATEWAY!r} but ELIGIBILITY_CLEARINGHOUSE_NAME is empty: the "
        "visitor's Part 2 consent must name the company that carries the request to the payer."
    )
# The centre's National Provider Identifier, sent as the information receiver in a 270.
PROVIDER_NPI = env.str("PROVIDER_NPI", default="1234567893")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="lantern-demo")

# --- i18n, static ------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = CENTRE_TIMEZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Only collectstatic needs it (the Docker image sets it); unset, files are served from static/.
STATIC_ROOT = env.str("STATIC_ROOT", default=None)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need `collectstatic` first: the Docker image does it and
        # sets STATIC_MANIFEST; `make run` and the tests serve files from static/ as they are.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
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

# Messages name records by id only; PHI never reaches a log line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django logs the request on 4xx/5xx; that is fine, it carries no form data.
        "django.db.backends": {"level": "WARNING"},
        # Its start-up banner would land in every management command's output.
        "axes.apps": {"level": "WARNING"},
        # Pillow logs every EXIF tag of an image it reads at DEBUG: a card photo's metadata
        # (owner, GPS) must never reach a log, whatever LOG_LEVEL says.
        "PIL": {"level": "WARNING"},
    },
}
