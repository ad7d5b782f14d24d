"""Settings for a worker process in the fault tests: mail goes to files."""

from config.settings.test import *  # noqa: F403

MAILERS = {"default": {"BACKEND": "tests.notifications.backends.BlockingFileBackend"}}
APORTA_EMAIL_PER_MINUTE = 100_000
