import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import transaction

from config.celery import app
from config.tasks import enqueue_on_commit, ping

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_are_json_only_acked_late_and_requeued_when_a_worker_dies():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1


def test_visibility_timeout_is_minutes_and_longer_than_any_hard_time_limit():
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert 60 <= visibility < 3600
    hard_limits = [app.conf.task_time_limit] + [
        task.time_limit for task in app.tasks.values() if getattr(task, "time_limit", None)
    ]
    assert all(limit < visibility for limit in hard_limits)
    assert app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_beat_schedule_names_only_registered_tasks():
    app.loader.import_default_modules()
    assert app.conf.beat_schedule
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.django_db(transaction=True)
def test_enqueueing_waits_for_the_commit():
    sent = []
    recorder = Celery("recorder", set_as_current=False)
    recorder.conf.task_always_eager = True

    @recorder.task(name="tests.record")
    def record(value):
        sent.append(value)

    with transaction.atomic():
        enqueue_on_commit(record, "after-commit")
        assert sent == []
    assert sent == ["after-commit"]


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_is_logged_not_raised(caplog):
    # A real Celery app whose broker refuses connections (nothing listens on port 1).
    unreachable = Celery("unreachable", broker="redis://127.0.0.1:1/0", set_as_current=False)
    unreachable.conf.broker_transport_options = {"socket_connect_timeout": 0.5}
    unreachable.conf.task_publish_retry_policy = {"max_retries": 0}
    unreachable.conf.broker_connection_timeout = 0.5

    @unreachable.task(name="tests.never_arrives")
    def never_arrives():
        raise AssertionError("must not run")

    with transaction.atomic():
        enqueue_on_commit(never_arrives)
    assert "Could not queue task tests.never_arrives" in caplog.text


def test_without_a_broker_tasks_run_in_process():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: tasks go to the broker")
    assert ping.delay().get() == "pong"


@pytest.fixture
def celery_worker():
    """A real worker process against the Redis broker, on its own queue."""
    queue = f"test-{os.getpid()}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={queue}",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()


@pytest.mark.broker
def test_a_task_makes_the_round_trip_through_redis_and_a_real_worker(celery_worker):
    started = time.monotonic()
    result = ping.apply_async(queue=celery_worker)
    assert result.get(timeout=60) == "pong"
    assert time.monotonic() - started < 60


def test_workers_keep_their_database_connections_between_tasks():
    """Celery would otherwise close them around every task (its Django fixup)."""
    from celery.fixups.django import DjangoWorkerFixup

    assert DjangoWorkerFixup(app).db_reuse_max >= 100_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_around_a_task_a_sound_connection_is_kept_and_an_old_one_closed():
    from django.db import connection

    from config.celery import recycle_database_connections

    class Task:
        class request:  # the shape of a task's request
            is_eager = False

    connection.ensure_connection()
    recycle_database_connections(task=Task)
    assert connection.connection is not None  # kept: no reconnection for the next task

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    recycle_database_connections(task=Task)
    assert connection.connection is None
