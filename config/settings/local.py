"""Settings for a developer's machine and the demo started by ``make run``."""

from config.env import env
from config.settings.base import *  # noqa: F403
from config.settings.base import SECRET_KEY as _SECRET_KEY

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is fine on a laptop: production refuses to start without its own.
SECRET_KEY = _SECRET_KEY or "local-only-insecure-key-never-used-in-production-0123456789"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo's staff accounts work at once; production always requires TOTP.
APORTA_STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=False)
APORTA_PRINT_DEMO_PASSWORDS = True

# Serve static files from the source folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
