"""Campaign Hub settings, read from the environment only (12-factor).

Every value has an embedded default that suits a laptop: without ``DATABASE_URL`` a private
PostgreSQL (config/embedded_postgres.py, data in ``var/postgres``) is started if it is not
running, and kombu's filesystem broker keeps its messages under ``var/broker``.
``DJANGO_ENV=production`` switches the defaults to the secure ones that
``manage.py check --deploy`` expects.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.csp import CSP

from config.paths import CODE_DIR, HOME_DIR, default_var_dir

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
PRODUCTION = DJANGO_ENV == "production"

VAR_DIR = default_var_dir()

# A development key is only ever used when DJANGO_ENV is not production.
SECRET_KEY = (
    env.str("SECRET_KEY")
    if PRODUCTION
    else env.str("SECRET_KEY", default="dev-only-insecure-key-campaign-hub-do-not-deploy")
)
DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "formtools",
    "django_htmx",
    "import_export",
    "core",
    "metadata",
    "catalog",
    "customers",
    "orders",
    "exports",
    "imports",
    "insights",
    "ninja",  # serves its Swagger UI assets locally (no CDN) for /v1/docs
    "api",
    "demo",  # development data (seed_demo); nothing imports it
]

MIDDLEWARE = [
    # First: every log line of the request, and of the tasks it sends, carries its id.
    "core.request_ids.RequestIdMiddleware",
    "core.middleware.ServerTimingMiddleware",
    # Outside the rest, so that under /v1/ even an error further in is answered in JSON.
    "api.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # core/templates first: its admin/ and registration/ templates replace Django's own.
        "DIRS": [CODE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.campaign_hub",
                "exports.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# A set DATABASE_URL always wins, and then nothing embedded is imported or started. Without
# it, the embedded PostgreSQL under VAR_DIR is started if needed (by whichever process loads
# the settings first; that process stops it again when it exits).
EMBEDDED_DATABASE = not env.str("DATABASE_URL", default="")
if EMBEDDED_DATABASE:
    from django.core.exceptions import ImproperlyConfigured

    from config import embedded_postgres

    try:
        DATABASES = {"default": embedded_postgres.database_for_settings(VAR_DIR)}
    except embedded_postgres.EmbeddedPostgresError as error:
        raise ImproperlyConfigured(str(error)) from None
else:
    DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
# A database that does not answer fails fast (a 503 on the API) instead of holding a worker:
# connecting gives up after DATABASE_CONNECT_TIMEOUT seconds in every process. Web requests
# also stop a statement after DATABASE_STATEMENT_TIMEOUT_MS (config/wsgi.py sets it on the
# web server's connections only: exports, imports and management commands run as long as
# they need; 0 turns it off).
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int(
    "DATABASE_CONNECT_TIMEOUT", default=5
)
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=30_000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cart holds up to 500 lines (orders.models.MAX_ITEMS) of a few fields each; the order
# forms (Create order, Edit) must be able to post it, and one more so a 501st is explained.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Largest request body read into memory: a 2,000-order import through the API fits.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=20 * 1024 * 1024)

# --- Auth -----------------------------------------------------------------------------------
# The first reads, with the user, what every dashboard page needs of them (core/auth.py); the
# second still reads sessions signed in before it existed.
AUTHENTICATION_BACKENDS = [
    "core.auth.DashboardBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/orders/"
LOGOUT_REDIRECT_URL = "login"

# --- Time and money -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# Storage is always UTC (USE_TZ); TIME_ZONE is only the zone pages are shown in.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# Each user may choose their own zone (core.middleware.TimeZoneMiddleware); the admin's
# datetime format names the zone (core/formats/).
FORMAT_MODULE_PATH = ["core.formats"]
USE_I18N = True
USE_TZ = True

CURRENCY = env.str("CURRENCY", default="USD").upper()
CURRENCY_DECIMALS = env.int("CURRENCY_DECIMALS", default=None)  # None: from the currency code

# --- Static files and storage ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(HOME_DIR / "staticfiles")))
# The dashboard's own files are core/static (found as core's app static files).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
DEFAULT_STORAGE_BACKEND = env.str(
    "DEFAULT_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
)
STORAGES = {
    # Exports are written through this storage, so an S3 backend can replace the disk.
    "default": {"BACKEND": DEFAULT_STORAGE_BACKEND},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

S3_STORAGE_BACKENDS = (
    "storages.backends.s3.S3Storage",
    "storages.backends.s3boto3.S3Boto3Storage",  # django-storages' older name of the same
)
if DEFAULT_STORAGE_BACKEND in S3_STORAGE_BACKENDS:
    # S3 or an S3-compatible server (MinIO, Ceph, R2, ...), through django-storages (the `s3`
    # extra). The keys are not settings: boto3 reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
    # (or a profile, or an instance role) itself. Objects stay private: no ACL is sent, so the
    # bucket's own policy holds, and downloads stream through the app, never a bucket URL.
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env.str("AWS_S3_REGION_NAME", default=None),
        # "path" for servers without bucket subdomains (MinIO on one host); None: boto3 picks.
        "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
        # A key prefix, so one bucket can hold several installations' exports.
        "location": env.str("AWS_LOCATION", default=""),
        "default_acl": None,
        "file_overwrite": True,
    }

if not PRODUCTION:
    # Serve files straight from static/ (no collectstatic) while developing and testing.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# --- Celery ---------------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
# "localhost": kombu warns on every connection to a broker URL without a host.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: the web server and the worker share a folder of messages.
    # The folders are made by config/celery.py when Celery first reads its settings (loading
    # the settings creates nothing); MEDIA_ROOT is made by the storage when a file is saved.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu's default is ./control, which would write into the checkout.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # A broker that refuses or does not answer fails a publish in ~2 s, not 30: the web
    # request answers "saved, will start when the queue is back" and the reaper re-sends.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 2,
        "socket_timeout": 2,
        "max_retries": 1,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# How long /health/ waits for a Celery worker to answer its ping (core/health.py).
HEALTH_WORKER_TIMEOUT = env.float("HEALTH_WORKER_TIMEOUT", default=1.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Job tables (exports, imports) hold job state; Celery keeps no results.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Separate queues let several deployments (or test runs) share one Redis.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="campaign_hub")
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic jobs, run by the worker started with --beat (scripts/run.sh) or a beat process.
CELERY_BEAT_SCHEDULE = {
    # Re-sends jobs whose message never reached a worker and retries those of a dead worker.
    "reap-stuck-jobs": {
        "task": "core.tasks.reap_stuck_jobs",
        "schedule": timedelta(seconds=env.int("JOB_REAP_EVERY_SECONDS", default=30)),
    },
    "purge-old-exports": {
        "task": "exports.tasks.purge_old_exports",
        "schedule": timedelta(hours=6),
    },
    # Folds the rows the orders' triggers add to the order statistics (insights.services).
    "compact-order-stats": {
        "task": "insights.tasks.compact_order_stats",
        "schedule": timedelta(minutes=5),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Exports --------------------------------------------------------------------------------
# Files of finished exports are deleted (and the exports marked expired) after this many days.
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=30)
# An export task's own limits: generous, since a million rows take a while.
EXPORT_TIME_LIMIT_SECONDS = env.int("EXPORT_TIME_LIMIT_SECONDS", default=2 * 60 * 60)
EXPORT_SOFT_TIME_LIMIT_SECONDS = EXPORT_TIME_LIMIT_SECONDS - 60
# Jobs (exports, imports): a running job writes heartbeat_at every JOB_HEARTBEAT_SECONDS;
# one IN_PROGRESS with no heartbeat for JOB_STUCK_AFTER_SECONDS has lost its worker and the
# reaper retries it, up to JOB_MAX_ATTEMPTS runs in all, then fails it. A job still waiting
# for its worker that long (its message was lost) has its message sent again.
# EXPORT_MAX_ATTEMPTS, the older name of JOB_MAX_ATTEMPTS, is read when the new one is unset.
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=10)
JOB_STUCK_AFTER_SECONDS = env.int("JOB_STUCK_AFTER_SECONDS", default=60)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=env.int("EXPORT_MAX_ATTEMPTS", default=3))

# The v1 API: requests one application key may make per minute (0: no limit). The counters
# live in the cache: set CACHE_URL (e.g. redis://127.0.0.1:6379/1) so every web process shares
# them; the default is per process.
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=600)
# Sign-in throttling (core/login_throttle.py), counted in the same cache: this many wrong
# passwords for one account, or from one address, lock sign-in for LOGIN_LOCKOUT_SECONDS (0: no
# limit). Behind a proxy, trust the address it appends to X-Forwarded-For.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=15 * 60)
LOGIN_TRUST_X_FORWARDED_FOR = env.bool(
    "LOGIN_TRUST_X_FORWARDED_FOR", default=env.bool("BEHIND_TLS_PROXY", default=False)
)
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Whether every web process reads the same cache (Redis, Memcached, a database table). Only then
# are the API keys and metadata schemas read on each API request kept in it
# (core/shared_cache.py): with a cache of each process's own, one process would go on serving a
# key revoked, or a schema changed, in another.
SHARED_CACHE = env.bool(
    "SHARED_CACHE",
    default=not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")),
)
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # A hung Redis must not hold each request: the rate limiter gives up after this long and
    # lets the request through (api/auth.py).
    _cache_timeout = env.float("CACHE_TIMEOUT_SECONDS", default=1.0)
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=_cache_timeout, socket_timeout=_cache_timeout
    )

# --- Security (production) ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (Django's own middleware). Scripts only from this
# site: no template has an inline script or handler attribute (tests/core/test_scripts.py),
# and the browser tests fail on any violation Chromium reports. Inline styles stay allowed:
# htmx adds its indicator styles as a <style> element, and the 500 page carries its own
# styles so that it renders even when static files do not.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Error reporting (optional) -------------------------------------------------------------
# With SENTRY_DSN set, errors of the web processes and of the Celery workers go to Sentry (or a
# Sentry-compatible service; personal data is left out, sentry-sdk's default); unset, sentry-sdk
# is not even imported. Needs the "sentry" extra.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
        from sentry_sdk.integrations.celery import CeleryIntegration
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'campaign-hub[sentry]'."
        ) from error
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Logging --------------------------------------------------------------------------------
# Download links carry a secret token in their query string: every handler redacts it
# (core/log_filters.py), including runserver's request lines (``django.server``, redefined
# here as Django defines it, plus the filter). gunicorn's loggers get it from config/wsgi.py.
# Log lines carry the request's id (core/request_ids.py): readable by default, one JSON object
# per line with LOG_FORMAT=json (for a log collector). Celery workers log the same way
# (config/celery.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="text").lower()
if LOG_FORMAT not in ("text", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "core.log_filters.RedactTokens"},
        "request_id": {"()": "core.request_ids.RequestIdFilter"},
    },
    "formatters": {
        "text": {"()": "core.request_ids.ReadableFormatter"},
        "json": {"()": "core.request_ids.JsonFormatter"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact_tokens"],
            "formatter": LOG_FORMAT,
        },
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "django.server",
            "filters": ["request_id", "redact_tokens"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        # Django's own default also prints to the console while DEBUG is on, in its format:
        # every line goes through "console" instead, once.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
