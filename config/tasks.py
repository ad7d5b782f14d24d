"""Site-wide tasks and the one way the rest of the code queues a task."""

import logging
from typing import Any

from celery import Task, shared_task
from django.core.management import call_command
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Queue ``task`` once the current transaction commits.

    A broker that cannot be reached is logged, never raised: the change the
    person made is already committed, and the sweeper that belongs to each kind
    of work picks it up later. Outside a transaction the task is queued at once.
    """

    def send() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            logger.exception(
                "Could not queue task %s; it stays for its sweeper to pick up.", task.name
            )

    transaction.on_commit(send, robust=True)


@shared_task(ignore_result=False, soft_time_limit=5, time_limit=10)
def ping() -> str:
    """Answers "pong": lets health checks and tests prove a worker round trip."""
    return "pong"


@shared_task(soft_time_limit=240, time_limit=300)
def clear_expired_sessions() -> None:
    call_command("clearsessions")
