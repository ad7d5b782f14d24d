"""gunicorn's settings for Aporta, read from the working directory (options on
the command line override them). See README, "Deploying"."""

import os

# Threads keep connections alive and overlap one request's wait for PostgreSQL
# or Redis with another's Python (measured: README, "Benchmarks").
worker_class = "gthread"
threads = 4
# A new master can bind the port while the old one drains (zero-downtime restarts).
reuse_port = True
# Each worker touches its heartbeat file on every request: keep it in memory,
# not on a disk that may stall (gunicorn's own advice for containers).
# (gunicorn makes the file there with mkstemp, readable by its own user only.)
if os.path.isdir("/dev/shm"):  # noqa: S108
    worker_tmp_dir = "/dev/shm"  # noqa: S108


def post_worker_init(worker):
    """Once a worker has loaded Django: the objects made so far live as long as
    the worker, so the cyclic garbage collector stops walking them (gc.freeze),
    and it runs less often (a request makes thousands of short-lived objects,
    nearly all freed by reference counting)."""
    import gc

    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
