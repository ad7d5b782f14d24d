"""Settings shared by every environment.

Only ``config.env`` reads the environment; the environment-specific modules
(local, test, production) change defaults, never the way values are parsed.
"""

import zoneinfo
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

# --- Core -----------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=None)  # production requires it
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "bills",
    "consultations",
    "moderation",
    "notifications",
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFAMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]

FORM_RENDERER = "config.forms.FormRenderer"

# --- Data -----------------------------------------------------------------

_DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'aporta.sqlite3'}"
DATABASES = {"default": env.database("DATABASE_URL", default=_DEFAULT_SQLITE)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, its health check made without a round trip (see there).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # Persistent connections with health checks: opening one per request costs
    # most of the throughput of a write such as a vote.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    # Parameters travel apart from the SQL, and a statement run a few times on a
    # connection is prepared: PostgreSQL plans it once, not on every vote.
    # Behind PgBouncer in transaction mode (without max_prepared_statements),
    # set DATABASE_PREPARED_STATEMENTS=false.
    DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.redis_url("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aporta",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Accounts -------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, each loading the signed-in person as accounts.backends says.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
    "accounts.backends.RolePermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Aporta] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Rate limits (allauth keeps the counters in the cache, so they hold across
# processes when the cache is Redis). /admin/login/ is routed through allauth's
# login and shares these limits.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "5/m/ip,30/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "5/m/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind proxies we run, the client's address is the one they append to
# X-Forwarded-For; without this, every visitor would share the proxy's limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Aporta"

# Staff (moderators, committee staff, administrators) must have TOTP set up
# before any page under these prefixes. Only local settings may relax this.
APORTA_STAFF_MFA_REQUIRED = True
APORTA_STAFF_PATH_PREFIXES = ("/admin/", "/staff/")

# Participation limits: (per person, per address, window in seconds).
APORTA_PARTICIPATION_RATE_LIMITS = {
    "vote": (120, 600, 60),
    "comment": (10, 60, 60),
    "flag": (20, 120, 60),
    "follow": (30, 120, 60),
    "api_token": (5, 30, 3600),
    "appeal": (10, 30, 3600),
    "open_data": (30, 30, 60),
}

# Screening holds a text with more links than this (and any link to a blocked domain).
APORTA_SCREENING_MAX_LINKS = env.int("SCREENING_MAX_LINKS", 2, minimum=0)
# A published item flagged by this many different people is hidden until a moderator reviews it.
APORTA_FLAGS_TO_HIDE = env.int("FLAGS_TO_HIDE", 3, minimum=1)
# Moderators aim to decide within this many hours; the queue marks items waiting longer.
APORTA_MODERATION_TARGET_HOURS = env.int("MODERATION_TARGET_HOURS", 24, minimum=1)

# The site's address as people reach it: links in emails start with it.
APORTA_SITE_URL = (env.str("SITE_URL", default="http://localhost:8000") or "").rstrip("/")
# Emails: a failed send is tried again after 1, 2, 4… minutes (at most an hour
# apart), up to this many times, then marked failed.
APORTA_EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", 8, minimum=1)
# Emails sent at most per minute, across all workers (mail servers block bursts).
APORTA_EMAIL_PER_MINUTE = env.int("EMAIL_PER_MINUTE", 1200, minimum=1)
# Emails about one person's own contributions sent at once in an hour; the
# rest wait for their next digest.
APORTA_EMAIL_PROMPT_PER_HOUR = env.int("EMAIL_PROMPT_PER_HOUR", 5, minimum=1)
# Unsubscribe links in emails work this many days.
APORTA_UNSUBSCRIBE_DAYS = env.int("UNSUBSCRIBE_DAYS", 90, minimum=1)

# The licence of the open data (name, address).
APORTA_OPEN_DATA_LICENCE = (
    env.str("OPEN_DATA_LICENCE_NAME", default="CC BY 4.0"),
    env.str("OPEN_DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/"),
)

# A Unicode font for PDF reports (any citizen's text must print).
APORTA_REPORT_FONT = env.str(
    "REPORT_FONT", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

# The privacy notice shown at sign-up. Bump the version whenever its text
# changes: consent is recorded against the version a person actually saw.
APORTA_PRIVACY_NOTICE_VERSION = "2026-11-01"

# --- Languages and time ---------------------------------------------------

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="America/Lima")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE is not a known time zone (got {TIME_ZONE!r}).")
USE_TZ = True

# --- Email ----------------------------------------------------------------


def mailers_from_env(default_backend: str) -> dict:
    """Django 6.1 mailers: ``console`` prints messages, ``smtp`` sends them
    through EMAIL_HOST. Local and test settings default to console, production
    to smtp (a production site that only prints its mail is a broken site)."""
    backend = env.choice("EMAIL_BACKEND", default_backend, {"console", "smtp"})
    if backend == "console":
        return {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env.str("EMAIL_HOST", default="localhost"),
                "port": env.int("EMAIL_PORT", 587, minimum=1),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": env.str("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }


MAILERS = mailers_from_env("console")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aporta <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
# No inline script or style anywhere: htmx is configured through a <meta> tag
# and every style lives in static/css. data: images are for allauth's TOTP QR code.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# --- API ------------------------------------------------------------------

REST_FRAMEWORK = {
    # The token class comes first: DRF takes the first class's header for
    # WWW-Authenticate, so a request without credentials gets 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.api.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored; the token is
# shown once. The prefix lets secret scanners recognise a leaked token.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=90),
    "TOKEN_PREFIX": "aporta_",
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
APORTA_API_TOKENS_PER_USER = 5
SPECTACULAR_SETTINGS = {
    "TITLE": "Aporta API",
    "DESCRIPTION": "Bills, their versions and provisions, and citizen feedback on them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from local static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery ---------------------------------------------------------------
# With no REDIS_URL, tasks run eagerly in the web process so that a fresh
# checkout works with no services; with it, Redis is the broker.

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes every database connection before and after
# every task unless this is set: a new PostgreSQL connection per task cost more
# than the task (a screening). Workers keep their connections and close them
# around each task the way Django does around a request, when unusable or older
# than CONN_MAX_AGE (config/celery.py).
CELERY_DB_REUSE_MAX = 1_000_000
# Every task is short: long work is split into batches of short tasks.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# A message not acknowledged within this many seconds is handed to another
# worker. It must exceed the hard time limit, or a running task would be
# delivered twice; minutes rather than Redis's default hour, so that work held
# by a killed worker comes back soon.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing happens inside a web request: give up quickly and let the
# sweepers pick the work up, rather than hold the person's request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Logging --------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {
        "handlers": ["console"],
        "level": env.choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    },
    "loggers": {
        # Django's own console handler would print every record a second time.
        "django": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
