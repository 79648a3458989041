"""CareGuide settings: one file, driven by environment variables (see README)."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
import jinja2
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from careguide import hours

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envrate(name: str, default: str) -> str:
    """A rate in django-ratelimit's count/period form: 30/10m is 30 in 10 minutes."""
    value = os.environ.get(name, default)
    if not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must look like 30/10m (count/period), not {value!r}")
    return value


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DJANGO_DEBUG", "False")

# Only for local development: refused below whenever DEBUG is off.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value (at least 32 characters) "
        "when DJANGO_DEBUG is False."
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS")
if DEBUG:
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
elif not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is False.")

INSTALLED_APPS = [
    "careguide.admin.CareGuideAdminConfig",  # the admin, behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "assessments",
    "coordinator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, with the staff's pages in English (ENGLISH_ONLY_PATHS).
    "careguide.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "careguide.middleware.SessionLimitsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sends urgent notices waiting in the outbox, when the cache says one is due.
    "coordinator.notifications.OutboxMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careguide.urls"
WSGI_APPLICATION = "careguide.wsgi.application"

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
                "careguide.context_processors.centre",
            ],
        },
    },
    # Only for the queue's rows (templates/coordinator/queue_rows.jinja): 50 rows a page in
    # Django's template language cost more than the rest of the page (issue 15, profiled).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True, "undefined": jinja2.StrictUndefined},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'careguide.sqlite3'}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A dev machine must not lose an acknowledged screen either.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the rate limits, so every worker must count in the same one, with atomic
# increments: Redis. Not the database cache: django-ratelimit adds one to a count by reading it
# and writing it back there, so concurrent requests count once between them (its own system
# check calls that backend "not atomic"), and it would put two queries on every limited request
# into the database the limits protect. Without Redis the app refuses to start in production;
# one process alone (the tests) may keep the cache in its own memory, saying so explicitly.
REDIS_URL = os.environ.get("REDIS_URL", "")
LOCAL_MEMORY_CACHE = envbool("LOCAL_MEMORY_CACHE", "False")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that does not answer fails a request in seconds, not never.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
elif DEBUG or LOCAL_MEMORY_CACHE:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DJANGO_DEBUG is False: the rate limits must be counted in "
        "one cache shared by every worker (LOCAL_MEMORY_CACHE=True only for a single process)."
    )

# Rendered answer controls of the self-screen's steps (the same for everyone who gave the same
# answer), in each process's own memory: no network call to fetch one, and a deploy's new
# processes start empty, so no fragment outlives the templates that made it.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# Argon2 for new and changed passwords; the others only verify older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# At least 12 characters, not a common password; no upper limit, so passphrases are welcome.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# django-axes runs first: a locked-out username and address is refused before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "careguide.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
# Lock the username at the address it was tried from, so a stranger elsewhere cannot lock
# a coordinator out of the whole service by typing their name five times.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off counts from the lockout: retrying during it does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "careguide.views.locked_out"
# How many proxies of ours stand in front of the app (see careguide.middleware.client_ip).
PROXY_COUNT = envint("PROXY_COUNT", "0")
AXES_CLIENT_IP_CALLABLE = "careguide.middleware.client_ip"

# Two-factor login (TOTP) for the workspace; off in debug so make run's demo login works.
COORDINATOR_2FA_REQUIRED = envbool("COORDINATOR_2FA_REQUIRED", "False" if DEBUG else "True")
OTP_TOTP_ISSUER = "CareGuide"

# Coordinators' sessions (see careguide.middleware); a patient's anonymous session is not cut.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", "15")
SESSION_MAX_HOURS = envint("SESSION_MAX_HOURS", "8")

# HTTPS, cookies and headers. Debug (make run) serves plain http on 127.0.0.1: no redirect,
# no HSTS and ordinary cookie names there, since __Host- cookies need Secure.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", "False" if DEBUG else "True")
# The proxy's health checks speak plain http to the app.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
# Keeps result links (/r/<token>/) from other sites. Not no-referrer: with it Chromium posts
# forms with Origin: null, which the CSRF check must refuse.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"

# No inline script, style or event handler anywhere: every template uses files from 'self'.
# data: images only because Bootstrap draws its form controls' ticks and arrows as data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
    }
}
LOGIN_URL = "coordinator:login"
LOGIN_REDIRECT_URL = "coordinator:queue"
LOGOUT_REDIRECT_URL = "coordinator:login"

# The self-screen speaks English and Spanish: a first visit follows the browser's
# Accept-Language, the language choice on every page (Django's set_language) keeps the
# person's choice in a cookie. The workspace and staff emails stay English (see README).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Paths always in English, whatever the browser asks: the admissions staff's pages.
ENGLISH_ONLY_PATHS = ("/coordinator/", "/admin/")
LANGUAGE_COOKIE_NAME = "django_language" if DEBUG else "__Host-language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
# Files served at the site's root, such as /favicon.ico (by WhiteNoise, as static files are).
WHITENOISE_ROOT = BASE_DIR / "webroot"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: the console in development, SMTP otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "587")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
# A mail server that does not answer holds up the outbox's sending this long, not forever.
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "careguide@example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
COORDINATORS_EMAIL = os.environ.get("COORDINATORS_EMAIL", "admissions@example.org")
# Links in emails are built from this, never from a request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The centre that runs this CareGuide. The defaults are fictional, for the demo.
CENTRE = {
    "name": os.environ.get("CENTRE_NAME", "Example Recovery Center (demo)"),
    "phone": os.environ.get("CENTRE_PHONE", "555-0100"),
    "email": os.environ.get("CENTRE_EMAIL", "admissions@example.org"),
    "address": os.environ.get("CENTRE_ADDRESS", "100 Example Street, Springfield"),
}
# Its opening hours, per weekday, in its time zone (TIME_ZONE); see careguide/hours.py.
try:
    CENTRE_HOURS = hours.parse(os.environ.get("CENTRE_HOURS", "Mon-Fri 08:00-20:00"))
except hours.HoursError as error:
    raise ImproperlyConfigured(f"CENTRE_HOURS: {error}") from None
# How soon, within opening hours, admissions call back a person who asked.
CENTRE_CALLBACK_HOURS = envint("CENTRE_CALLBACK_HOURS", "2")
if CENTRE_CALLBACK_HOURS < 1:
    raise ImproperlyConfigured("CENTRE_CALLBACK_HOURS must be 1 or more")
# The levels of care the centre offers; for any other, it helps the person find a place
# (checked against the rules' levels by assessments' system check).
CENTRE_LEVELS = envlist("CENTRE_LEVELS", "inpatient,iop,outpatient")
if not CENTRE_LEVELS:
    raise ImproperlyConfigured("CENTRE_LEVELS must name at least one level of care")
# Where "Exit this page" goes: an ordinary, harmless site (see README).
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.weather.gov/")
if not re.fullmatch(r"https://[^\s\"'<>]+", QUICK_EXIT_URL):
    raise ImproperlyConfigured(
        f"QUICK_EXIT_URL must be an https:// address, not {QUICK_EXIT_URL!r}"
    )

# Every record goes to the root logger's console handler, whose filter first removes result
# tokens and password-reset tokens (a token opens a screen): from the message, its arguments,
# the traceback and the request it carries, in the record itself, so handlers after it see the
# record clean too. Django's own handlers for "django" and "django.server" are replaced by it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "careguide.logfilters.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# The admissions team's targets: how soon a person who asked for contact is reached (urgent
# screens, other screens). Past them the queue marks a screen overdue; the dashboard counts
# the share reached in time.
URGENT_RESPONSE_MINUTES = envint("URGENT_RESPONSE_MINUTES", "60")
RESPONSE_HOURS = envint("RESPONSE_HOURS", "24")
if URGENT_RESPONSE_MINUTES < 1 or RESPONSE_HOURS < 1:
    raise ImproperlyConfigured("URGENT_RESPONSE_MINUTES and RESPONSE_HOURS must be 1 or more.")

# How often an open workspace page asks for the counts (a new urgent screen shows within this
# plus the counts' cache time, assessments.models.COUNTS_SECONDS).
POLL_SECONDS = 30

# The self-screen.
RESULT_LINK_DAYS = envint("RESULT_LINK_DAYS", "30")
RETENTION_DAYS = envint("RETENTION_DAYS", "365")
# Django's database sessions, refusing keys it could not have made (careguide/sessions.py).
SESSION_ENGINE = "careguide.sessions"
# A person's unfinished answers live in their session for a day, then they are gone.
DRAFT_HOURS = 24
SESSION_COOKIE_AGE = DRAFT_HOURS * 3600
# Submissions (form and API) per client address, in django-ratelimit's "count/period" form.
SUBMISSION_RATE = envrate("SUBMISSION_RATE", "30/10m")
# Answers to a step (/screen/<step>/) per client address, in the same form: a person takes
# 7 steps, a few more with mistakes or going back; over it, 429 with Retry-After.
STEP_RATE = envrate("STEP_RATE", "120/10m")
# Password-reset requests: per address asked for, and per client address (rates, not secrets).
PASSWORD_RESET_RATE_PER_EMAIL = "3/h"  # noqa: S105
PASSWORD_RESET_RATE_PER_CLIENT = "10/h"  # noqa: S105
# The client's address for the rate limits: the same as the login throttle's (PROXY_COUNT).
RATELIMIT_IP_META_KEY = "careguide.middleware.client_ip"
API_MAX_BODY_BYTES = 64 * 1024
