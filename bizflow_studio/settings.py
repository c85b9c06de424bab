"""BizFlow Studio settings: one file, every value from the environment (see README, Configuration)."""

from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from .env import env_bool, env_cap, env_float, env_int, env_limit, env_list, env_str, fernet_key, local_secret_key
from .logs import logging_config
from .sentry import sentry_init

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BIZFLOW_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Production sets SECRET_KEY (or SECRET_KEY_FILE); a local install gets a random key kept under var/.
SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Destinations' secrets are encrypted with these Fernet keys (journeys/crypto.py). The first one encrypts,
# every one decrypts, so a key is rotated by putting a new one first. Comma- or line-separated, from
# FIELD_ENCRYPTION_KEYS or FIELD_ENCRYPTION_KEYS_FILE; a local install gets one generated under var/.
FIELD_ENCRYPTION_KEYS = [
    key.strip() for key in (env_str("FIELD_ENCRYPTION_KEYS") or "").replace("\n", ",").split(",") if key.strip()
] or [local_secret_key(VAR_DIR / "field_encryption_key", generate=fernet_key)]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "journeys",
]

MIDDLEWARE = [
    # /healthz and /readyz, answered before the host check and the HTTPS redirect (bizflow_studio/health.py).
    "bizflow_studio.health.HealthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself (README, "Production"): hashed names, compressed, cached for a year.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "bizflow_studio.urls"
WSGI_APPLICATION = "bizflow_studio.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "journeys.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL is None:  # the embedded default: SQLite under var/
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL or f"sqlite:///{VAR_DIR / 'bizflow.sqlite3'}", conn_max_age=60)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# E-mail: only for password reset. Without it (no EMAIL_HOST) reset is not offered: no link on the
# login page, and its URLs answer 404 rather than failing to send.
_EMAIL_HOST = env_str("EMAIL_HOST", "") or ""
BIZFLOW_EMAIL_ENABLED = env_bool("BIZFLOW_EMAIL_ENABLED", bool(_EMAIL_HOST))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "") or "bizflow-studio@localhost"
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _EMAIL_HOST or "localhost",
            "port": env_int("EMAIL_PORT", 587),
            "username": env_str("EMAIL_HOST_USER", "") or "",
            "password": env_str("EMAIL_HOST_PASSWORD", "") or "",
            "use_tls": env_bool("EMAIL_USE_TLS", True),
            "timeout": 10,
        },
    }
}

# Content-Security-Policy: scripts, styles, images and requests from this site only; no inline script
# or style (the templates have none; htmx is told not to inject its indicator style, see base.html).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Deployment checklist (README, "Production"): on by default whenever DEBUG is off, except the
# HTTPS redirect and HSTS, which belong to whoever terminates TLS and so are opt-in.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):  # behind a proxy that sets X-Forwarded-Proto
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Failed logins per client address and username before the login form refuses for a while.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# Behind reverse proxies: the header they put the client's address in (e.g. X-Forwarded-For), and how
# many of them append to it. Unset, the limit keys on REMOTE_ADDR. See README, Production.
BIZFLOW_TRUSTED_PROXY_HEADER = env_str("BIZFLOW_TRUSTED_PROXY_HEADER", "") or ""
BIZFLOW_TRUSTED_PROXY_COUNT = env_int("BIZFLOW_TRUSTED_PROXY_COUNT", 1)
CACHE_REDIS_URL = env_str("CACHE_REDIS_URL")  # share login counters across web processes
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_REDIS_URL}
    if CACHE_REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "journey_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
# Times to the second and marked UTC, in the admin above all (bizflow_studio/formats/en/formats.py).
FORMAT_MODULE_PATH = ["bizflow_studio.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
# collectstatic writes each file under a name with its content's hash, plus .gz and .br copies;
# WhiteNoise serves those with "Cache-Control: max-age=315360000, public, immutable". With DEBUG on,
# templates get the plain names and runserver serves the source folders as before.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Celery: JSON only, bounded tasks, results that expire, keys under our own prefix.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": env_str("CELERY_KEY_PREFIX", "bizflow:")}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True  # tasks report through the database (Run rows), nobody waits on results
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Workers and beat log through settings.LOGGING, as the web does (bizflow_studio/celery.py).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Every worker process writes a heartbeat this often; /readyz wants one from the last 3 x this.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 15)

# Delivery (README, Delivery): how often journeys run, how far back a first activation reaches.
BIZFLOW_TICK_SECONDS = env_int("BIZFLOW_TICK_SECONDS", 300)
BIZFLOW_BACKFILL_MARGIN_MINUTES = env_int("BIZFLOW_BACKFILL_MARGIN_MINUTES", 30)
# One task delivers for at most this long, then hands the rest (a long backfill) to a fresh task.
BIZFLOW_RUN_BUDGET_SECONDS = env_int("BIZFLOW_RUN_BUDGET_SECONDS", 60)
# A run holds its journey-destination for this long and renews it after every batch; a crashed run's hold
# lapses after it. It must outlast the slowest single batch (HTTP timeouts and retries included).
BIZFLOW_RUN_LOCK_SECONDS = env_int("BIZFLOW_RUN_LOCK_SECONDS", 300)
# The scheduler pass queues its pairs in shares of this many (one task each, run one after the other
# by a worker): fewer messages for the pass to send, and still spread over every worker.
BIZFLOW_PASS_SHARE_PAIRS = env_int("BIZFLOW_PASS_SHARE_PAIRS", 20)
BIZFLOW_RUN_RETENTION_DAYS = env_int("BIZFLOW_RUN_RETENTION_DAYS", 14)
# File destinations write under <BIZFLOW_EVENTS_DIR>/tenants/<tenant slug>/, each inside its own tenant's folder.
BIZFLOW_EVENTS_DIR = Path(env_str("BIZFLOW_EVENTS_DIR", str(VAR_DIR / "events")))

# Ceilings every journey stays within, whoever makes it and however (README, Tenants; journeys/engine/limits.py).
BIZFLOW_MAX_JOURNEYS_PER_DAY = env_limit("BIZFLOW_MAX_JOURNEYS_PER_DAY", 1_000_000)
BIZFLOW_MAX_DELAY_HOURS = env_limit("BIZFLOW_MAX_DELAY_HOURS", 168)  # one step's delay: a week
BIZFLOW_MAX_JOURNEY_HOURS = env_limit("BIZFLOW_MAX_JOURNEY_HOURS", 2_160)  # delays times loops: 90 days
BIZFLOW_MAX_LOOPS = int(env_limit("BIZFLOW_MAX_LOOPS", 100))
BIZFLOW_MAX_STEPS = int(env_limit("BIZFLOW_MAX_STEPS", 100))  # variants count as steps
BIZFLOW_MAX_LIST_ITEMS = int(env_limit("BIZFLOW_MAX_LIST_ITEMS", 1_000))  # errors, locations, hosts...
# The caps a new tenant (or a user's own workspace) starts with; an admin changes them per tenant.
# "none" (or 0): no cap.
BIZFLOW_DEFAULT_EVENTS_PER_DAY_CAP = env_cap("BIZFLOW_DEFAULT_EVENTS_PER_DAY_CAP", 10_000_000)
BIZFLOW_DEFAULT_JOURNEYS_PER_DAY_CAP = env_cap("BIZFLOW_DEFAULT_JOURNEYS_PER_DAY_CAP", 100_000)
# Whether a user may create a workspace (a tenant they own) of their own from the journey list.
BIZFLOW_SELF_SERVICE_WORKSPACES = env_bool("BIZFLOW_SELF_SERVICE_WORKSPACES", True)
# Event logs downloaded from the journey page (README, Event logs): the longest window of journey
# starts, and the most events the forecast may expect in it. export_log has no such bounds.
BIZFLOW_EVENT_LOG_MAX_DAYS = env_float("BIZFLOW_EVENT_LOG_MAX_DAYS", 7)
BIZFLOW_EVENT_LOG_MAX_EVENTS = env_int("BIZFLOW_EVENT_LOG_MAX_EVENTS", 2_000_000)

# The beat schedule, all of it. Each entry expires before its next turn, so ticks missed while no
# worker was listening are dropped rather than run in a burst when one comes back.
CELERY_BEAT_SCHEDULE = {
    # Every tick, start one delivery task for each active journey-destination that is due.
    "schedule-due-runs": {
        "task": "journeys.tasks.schedule_due_runs",
        "schedule": BIZFLOW_TICK_SECONDS,
        "options": {"expires": max(BIZFLOW_TICK_SECONDS - 10, 10)},
    },
    # Once a day, delete run records older than BIZFLOW_RUN_RETENTION_DAYS.
    "prune-old-runs": {
        "task": "journeys.tasks.prune_old_runs",
        "schedule": 24 * 3600,
        "options": {"expires": 3600},
    },
}

# Outbound HTTP (Dynatrace, webhooks): journeys/sinks/http.py owns every timeout and retry.
HTTP_CONNECT_TIMEOUT = env_float("HTTP_CONNECT_TIMEOUT", 5.0)  # seconds to open a connection
HTTP_READ_TIMEOUT = env_float("HTTP_READ_TIMEOUT", 30.0)  # seconds to wait for an answer
# After a read timeout the request goes once more with twice the timeout, growing to this at most; a
# destination keeps its longer timeout until it answers in under half of HTTP_READ_TIMEOUT again.
HTTP_READ_TIMEOUT_MAX = env_float("HTTP_READ_TIMEOUT_MAX", 120.0)
HTTP_MAX_ATTEMPTS = env_int("HTTP_MAX_ATTEMPTS", 4)  # tries per call, the first one included
HTTP_BACKOFF_SECONDS = env_float("HTTP_BACKOFF_SECONDS", 0.5)  # first pause; doubles each try, with jitter
HTTP_RETRY_BUDGET_SECONDS = env_float("HTTP_RETRY_BUDGET_SECONDS", 60.0)  # most a call waits between its tries
# http:// destinations only for local receivers (development, tests); users' destinations need https.
HTTP_ALLOW_PLAIN = env_bool("HTTP_ALLOW_PLAIN", DEBUG)
# Destinations on loopback, private, link-local and other non-public addresses: only for local set-ups
# (journeys/sinks/url_safety.py); otherwise a user could make the server call its own neighbours.
BIZFLOW_ALLOW_PRIVATE_DESTINATIONS = env_bool("BIZFLOW_ALLOW_PRIVATE_DESTINATIONS", DEBUG)
DYNATRACE_SSO_TOKEN_URL = env_str("DYNATRACE_SSO_TOKEN_URL", "https://sso.dynatrace.com/sso/oauth2/token")
# Content-Encoding: gzip on ingest requests: Dynatrace APIs take it, unconfirmed for bizevents ingest.
DYNATRACE_GZIP = env_bool("DYNATRACE_GZIP", False)
DYNATRACE_MAX_BATCH_BYTES = env_int("DYNATRACE_MAX_BATCH_BYTES", 512 * 1024)
# Dynatrace drops events older than ingest time - 24 h: refuse any within this many seconds of that edge.
DYNATRACE_MAX_AGE_MARGIN_SECONDS = env_int("DYNATRACE_MAX_AGE_MARGIN_SECONDS", 60)

# LOG_FORMAT=json: one JSON object per line from web, worker and beat alike (bizflow_studio/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# Errors to Sentry, from web, worker and beat, only when SENTRY_DSN is set.
SENTRY_DSN = env_str("SENTRY_DSN")
sentry_init(
    SENTRY_DSN,
    environment=env_str("SENTRY_ENVIRONMENT"),
    traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
)
