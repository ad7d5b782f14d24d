"""The Celery application: configuration lives in Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("aporta")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic work is declared here, in code, so every deployment runs the same
# schedule. Times are America/Lima (CELERY_TIMEZONE follows TIME_ZONE).
app.conf.beat_schedule = {
    "open-and-close-consultations": {
        "task": "consultations.tasks.open_and_close_consultations",
        "schedule": crontab(),  # every minute
    },
    "requeue-unscreened": {
        "task": "consultations.tasks.requeue_unscreened",
        "schedule": crontab(minute="*/5"),
    },
    "clear-expired-sessions": {
        "task": "config.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=10),
    },
}
