"""Convivio settings.

Every value comes from the environment (or a `.env` file beside manage.py),
read once here through django-environ. The defaults run on a laptop with
nothing installed: SQLite, a filesystem Celery broker, console email.
Production switches through DATABASE_URL, REDIS_URL, EMAIL_URL and friends;
see the README's configuration table.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from convivio.beat import beat_schedule, check_task_time_limits

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Convivio refuses to start "
            "without a secret key: set SECRET_KEY in the environment or in .env."
        )
    SECRET_KEY = "django-insecure-convivio-local-development-only"
# Keys the one-way hashes kept of erased people's emails (right to erasure). Set it once
# and never change it, or erased people are no longer recognised. Unset, SECRET_KEY is
# used: then, when rotating SECRET_KEY, set this to the old SECRET_KEY.
ERASED_EMAIL_HASH_KEY = env.str("ERASED_EMAIL_HASH_KEY", default="") or SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    # Before opportunities: its post_migrate gives Managers the lockout permissions.
    "axes",
    "cultivation",
    "opportunities",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "convivio.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Each signed-in person's own time zone (no query: the backend loads it with them).
    "convivio.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Fills Django's empty 405 (a POST-only address opened as a link) with a sentence.
    "convivio.method_not_allowed.MethodNotAllowedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "convivio.urls"
WSGI_APPLICATION = "convivio.wsgi.application"

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
                "convivio.context_processors.limits",
                "convivio.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves one laptop; WAL lets the web app, worker and beat share it.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses sign-in while (username, address) is locked out; then the usual check.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the person's preferences (time zone) with them.
    "convivio.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes, docs/security.md): 5 failed sign-ins for one username
# from one address lock that pair out for 15 minutes, on both sign-in pages; other
# people at the same address are not locked. A success clears the count; a manager
# clears a lockout in the admin (Axes › Access attempts). Tries during a lockout are
# not counted, so the 15 minutes run from the lock.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "convivio.sign_in.lockout_response"
AXES_CLIENT_IP_CALLABLE = "convivio.sign_in.client_address"
AXES_USERNAME_CALLABLE = "convivio.sign_in.username_of"
AXES_VERBOSE = False  # no banner on every start-up
# Proxies in front of gunicorn that append to X-Forwarded-For (nginx: 1). At 0 the
# header is ignored, since anyone can send it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console by default; EMAIL_URL=smtp://user:pass@host:587/?tls=True in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds one step with the mail server may take (connecting, its greeting, each command):
# a server that accepts and never answers must not hold a worker (docs/jobs.md).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Convivio <convivio@localhost>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# A task whose worker died (kill -9, OOM, power) stays unacknowledged in Redis for
# CELERY_VISIBILITY_TIMEOUT seconds, then goes to another worker. Every task stops
# in under half that time, so one still running is never handed out twice (docs/jobs.md).
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=4 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=3 * 60)
check_task_time_limits(
    visibility_timeout=_visibility_timeout,
    time_limit=CELERY_TASK_TIME_LIMIT,
    soft_time_limit=CELERY_TASK_SOFT_TIME_LIMIT,
)

# Redis, when REDIS_URL is set, is both the Celery broker and the cache.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # Look for such tasks every tenth of it (at most 10 s), not kombu's ~100 s.
        "unacked_restore_interval": max(1, min(10, _visibility_timeout // 10)),
        "unacked_restore_throttle": 1,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # kombu's filesystem transport: a broker for one machine that needs no server.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A task that lost its broker connection cannot be acknowledged and will run again: stop it.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# Beat's record of what it last enqueued: under var/, never in the working directory.
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# The beat schedule, in UTC (docs/jobs.md). The due scan runs daily, clear of
# 01:00-03:00 UTC and of midnight in TIME_ZONE, when clocks change. The weekly-email
# sweep runs every hour at WEEKLY_DIGEST_MINUTE_UTC past: each person's email goes on
# the first run from the day and hour they chose, on their own clock (Preferences);
# later runs that week catch up after an outage.
DUE_SCAN_HOUR_UTC = env.int("DUE_SCAN_HOUR_UTC", default=4)
DUE_SCAN_MINUTE_UTC = env.int("DUE_SCAN_MINUTE_UTC", default=15)
WEEKLY_DIGEST_MINUTE_UTC = env.int("WEEKLY_DIGEST_MINUTE_UTC", default=5)

CELERY_BEAT_SCHEDULE = beat_schedule(
    scan_hour=DUE_SCAN_HOUR_UTC,
    scan_minute=DUE_SCAN_MINUTE_UTC,
    digest_minute=WEEKLY_DIGEST_MINUTE_UTC,
    zone=TIME_ZONE,
)

# docs/method.md numbers, overridable per firm.
CONVIVIO = {
    "FOLLOW_UP_HOURS": {
        "hot": env.int("FOLLOW_UP_HOURS_HOT", default=48),
        "referral": env.int("FOLLOW_UP_HOURS_REFERRAL", default=7 * 24),
        "low": env.int("FOLLOW_UP_HOURS_LOW", default=21 * 24),
    },
    "FOLLOW_UP_EXHAUSTED_AFTER_DAYS": env.int("FOLLOW_UP_EXHAUSTED_AFTER_DAYS", default=7),
    "TOUCH_BASE_DAYS": env.int("TOUCH_BASE_DAYS", default=90),
    "CAPACITY_WARN": env.int("CAPACITY_WARN", default=150),
    "CAPACITY_MAX": env.int("CAPACITY_MAX", default=250),
    # The pool each person aims for (the funnel's 240 between 150 and 250).
    "CAPACITY_TARGET": env.int("CAPACITY_TARGET", default=240),
    # Strategic alliances the firm aims to keep, and how often we lunch with each.
    "ALLIANCE_TARGET": env.int("ALLIANCE_TARGET", default=25),
    "EXCHANGE_LUNCH_DAYS": env.int("EXCHANGE_LUNCH_DAYS", default=91),
    # How far ahead a person's calendar feed lists what is due (a quarter: every
    # touch-base call falls within it).
    "CALENDAR_FEED_DAYS": env.int("CALENDAR_FEED_DAYS", default=92),
}

# Importing people (docs/importing.md): the largest file and the most rows read at once.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=25 * 1000 * 1000)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=250_000)
# Rows written per transaction: a killed worker's successor resumes after the last one.
IMPORT_CHUNK_ROWS = env.int("IMPORT_CHUNK_ROWS", default=1000)

# Headers on every response, in development too (so the browser tests see them).
# No inline script or style anywhere, no eval: JS lives in static/js, CSS in
# static/css, and htmx is configured for it in templates/base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Powerful browser features Convivio never uses, denied to the page and any frame.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS for browsers everywhere:
        # the firm opts in with SECURE_HSTS_PRELOAD=True, not the code.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Calendar feed addresses carry a secret: blanked in 404s and request lines.
    "filters": {"calendar_tokens": {"()": "convivio.log_redaction.RedactCalendarTokens"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["calendar_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["calendar_tokens"],
        },
        "django.db.backends": {"level": "INFO"},
        # Failed sign-ins and lockouts are warnings; every success at INFO is noise.
        "axes": {"level": "WARNING"},
    },
}
