"""BizFlow Studio settings: one file, every value from the environment (see README, Configuration)."""

from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str, fernet_key, local_secret_key

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
    "django.middleware.security.SecurityMiddleware",
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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bizflow.sqlite3'}"), conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "journey_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"

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

# Delivery (README, Delivery): how often journeys run, how far back a first activation reaches.
BIZFLOW_TICK_SECONDS = env_int("BIZFLOW_TICK_SECONDS", 300)
BIZFLOW_BACKFILL_MARGIN_MINUTES = env_int("BIZFLOW_BACKFILL_MARGIN_MINUTES", 30)
# One task delivers for at most this long, then hands the rest (a long backfill) to a fresh task.
BIZFLOW_RUN_BUDGET_SECONDS = env_int("BIZFLOW_RUN_BUDGET_SECONDS", 60)
# A run holds its journey-destination for this long and renews it after every batch; a crashed run's hold
# lapses after it. It must outlast the slowest single batch (HTTP timeouts and retries included).
BIZFLOW_RUN_LOCK_SECONDS = env_int("BIZFLOW_RUN_LOCK_SECONDS", 300)
BIZFLOW_RUN_RETENTION_DAYS = env_int("BIZFLOW_RUN_RETENTION_DAYS", 14)
BIZFLOW_EVENTS_DIR = Path(env_str("BIZFLOW_EVENTS_DIR", str(VAR_DIR / "events")))
# Folders a file destination may write into (users of the web app choose the folder); none listed:
# BIZFLOW_EVENTS_DIR only.
BIZFLOW_FILE_SINK_ROOTS = env_list("BIZFLOW_FILE_SINK_ROOTS", [])

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
