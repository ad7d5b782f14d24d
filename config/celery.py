"""The Celery application: configuration lives in Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

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
    "refresh-campaigns": {
        "task": "moderation.tasks.refresh_campaigns",
        "schedule": crontab(minute="*/15"),
    },
    "send-due-emails": {
        "task": "notifications.tasks.send_due",
        "schedule": crontab(),  # every minute
    },
    "daily-digests": {
        "task": "notifications.tasks.plan_digests",
        "schedule": crontab(hour=7, minute=0),
        "args": ("daily",),
    },
    "weekly-digests": {
        "task": "notifications.tasks.plan_digests",
        "schedule": crontab(hour=7, minute=15, day_of_week="mon"),
        "args": ("weekly",),
    },
    "closing-soon": {
        "task": "notifications.tasks.note_closing_soon",
        "schedule": crontab(minute="*/15"),
    },
    "staff-summaries": {
        "task": "notifications.tasks.staff_summaries",
        "schedule": crontab(hour=8, minute=0),
    },
    "clear-expired-sessions": {
        "task": "config.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=10),
    },
}


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(task=None, **kwargs) -> None:
    """Before and after each task, as Django does around each request: a
    connection that broke or outlived CONN_MAX_AGE is closed (the next query
    opens a new one), any other is kept. Tasks run in a request (eagerly) leave
    the request's connection alone."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
