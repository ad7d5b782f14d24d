"""A worker killed in the middle of a screening loses nothing and leaves no
half result: the item stays unscreened, the sweeper queues it again, and the
next worker screens it exactly once (real PostgreSQL, Redis, worker processes)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from consultations import services as participation
from consultations.models import Comment, ItemStatus
from moderation import services
from moderation.models import Finding
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{credentials}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


def _worker(queue: str, **environment: str) -> subprocess.Popen:
    """A real worker process on ``queue`` (``environment`` adds to or overrides
    its variables, e.g. another settings module)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DATABASE_URL": _database_url(), **environment}  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat",
         f"--queues={queue}", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def _stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> str:
    if worker.poll() is None:
        worker.send_signal(sig)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    return worker.stdout.read().decode(errors="replace") if worker.stdout else ""


def _wait(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting: {what}")


@pytest.fixture
def screening_queue():
    """Screening tasks go to a queue of this test's own while it runs."""
    from config.celery import app

    queue = f"test-screening-{os.getpid()}"
    routes = app.conf.task_routes
    app.conf.task_routes = {"consultations.tasks.screen_item": {"queue": queue}}
    app.amqp.flush_routes()
    app.amqp.router = app.amqp.Router()
    try:
        yield queue
    finally:
        app.conf.task_routes = routes
        app.amqp.flush_routes()
        app.amqp.router = app.amqp.Router()


def test_a_worker_killed_mid_screening_loses_nothing(
    migration_data, committee_staff, screening_queue
):
    consultation = open_consultation(committee_staff)
    comment = participation.comment_submit(
        author=UserFactory(),
        consultation=consultation,
        provision=None,
        text="Son unos cojudos; llamen al 987 654 321",
    )  # queued to the test's queue on commit

    # The row is locked elsewhere, so the worker stops inside the screening's
    # transaction, after it has read the lists and before it has written.
    with psycopg.connect(_database_url().replace("postgres://", "postgresql://")) as lock:
        lock.execute("SELECT 1 FROM consultations_comment WHERE id = %s FOR UPDATE", [comment.pk])
        worker = _worker(screening_queue)
        try:

            def worker_waits_for_the_lock() -> bool:
                with connection.cursor() as cursor:  # outside the lock's transaction
                    cursor.execute(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                    return cursor.fetchone()[0] > 0

            _wait(worker_waits_for_the_lock, "the worker to block on the locked row")
        finally:
            output = _stop(worker, signal.SIGKILL)
        lock.rollback()

    assert worker.returncode == -signal.SIGKILL, output
    time.sleep(0.5)  # the killed worker's backend notices its client is gone
    assert Comment.objects.get(pk=comment.pk).screened_at is None
    assert not Finding.objects.filter(object_id=comment.pk).exists()

    later = timezone.now() + timedelta(minutes=6)
    User.objects.update(display_name_screened_at=timezone.now())  # only the comment waits
    assert services.unscreened_requeue(now=later) == 1
    worker = _worker(screening_queue)
    try:
        _wait(
            lambda: Comment.objects.get(pk=comment.pk).screened_at is not None,
            "the next worker to screen the comment",
        )
    finally:
        output = _stop(worker)

    comment.refresh_from_db()
    assert comment.status == ItemStatus.HELD, output
    assert sorted(Finding.objects.filter(object_id=comment.pk).values_list("rule", flat=True)) == [
        "insult",
        "personal_data",
    ]
    # The killed worker's message comes back once the broker's visibility
    # timeout passes; delivered then, it changes nothing.
    assert services.item_screen(kind="comment", pk=comment.pk) is False
    assert Finding.objects.filter(object_id=comment.pk).count() == 2
