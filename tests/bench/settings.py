"""Settings for the gunicorn the participation benchmark starts: production's,
on plain HTTP on the loopback, with limits raised as for a load test.

The benchmark sets the environment (a SECRET_KEY generated for the run,
ALLOWED_HOSTS, DATABASE_URL naming the bench's own database, REDIS_URL,
STATIC_ROOT of a fresh collectstatic, TRUSTED_PROXY_COUNT=1); nothing here is a
secret or points at a developer's data.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import APORTA_PARTICIPATION_RATE_LIMITS, CACHES, MIDDLEWARE

# Plain HTTP on 127.0.0.1: no redirect to HTTPS, no HSTS, and cookies a client
# may send without TLS (the __Host- prefix requires a secure origin).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME = "sessionid"
CSRF_COOKIE_NAME = "csrftoken"

# The load comes from one machine: many people behind a proxy as far as the
# limits are concerned. The load generator sends X-Forwarded-For with a
# different address per request; the limits themselves are raised so that a
# figure measures the work, not the 429 page.
_RAISED = 1_000_000
APORTA_PARTICIPATION_RATE_LIMITS = {
    action: (_RAISED, _RAISED, window)
    for action, (_per_user, _per_address, window) in APORTA_PARTICIPATION_RATE_LIMITS.items()
}

# The same key prefix as the in-process figures, so the harness clears them both.
CACHES = {
    alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX') or 'aporta'}_bench"}
    for alias, config in CACHES.items()
}

# The yardstick view (/bench/hello) exists only here.
ROOT_URLCONF = "tests.bench.urls"
# Names the signed-in person on answers to a vote, so the load generator can
# tell exactly whose votes were accepted (votes_lost).
MIDDLEWARE = [*MIDDLEWARE, "tests.bench.urls.VoterHeaderMiddleware"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
