"""A real server and a real load generator: gunicorn on the loopback, ``wrk`` against it.

gunicorn runs ``config.wsgi`` under tests.bench.settings (production settings on
plain HTTP, limits raised) against the bench's own database. It is always
stopped on the way out, whatever happened; ``wrk`` runs to a fixed duration and
reports through tests/bench/lua/*.lua into a file read back here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from tests.bench.runner import BenchError

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).resolve().parent / "lua"
SETTINGS = "tests.bench.settings"
HELLO_PATH = "/bench/hello"
# The names tests.bench.settings gives the cookies (plain HTTP: no __Host- prefix).
SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"


def wrk_missing() -> str | None:
    """Why wrk cannot run, or None."""
    if shutil.which("wrk"):
        return None
    return "wrk is not installed: sudo apt-get install -y wrk (Debian) or see github.com/wg/wrk"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """A URL for the database this process is connected to (the bench's own)."""
    from django.db import connection

    settings = connection.settings_dict
    user = quote(settings["USER"] or "", safe="")
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else ""
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{settings['HOST'] or ''}{port}/{quote(settings['NAME'])}"


def server_environment(*, database_url: str, redis_url: str, secret_key: str) -> dict[str, str]:
    """The environment of every process run under tests.bench.settings."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "REDIS_", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL")
        )
    }
    environment.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="https://aporta.example.org",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        TRUSTED_PROXY_COUNT="1",
        EMAIL_BACKEND="console",
        PYTHONUNBUFFERED="1",
    )
    return environment


def collectstatic(environment: dict[str, str], static_root: Path) -> None:
    """Production serves hashed, compressed static files from a manifest."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**environment, "STATIC_ROOT": str(static_root)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode:
        raise BenchError(f"collectstatic failed under {SETTINGS}:\n{result.stderr[-2000:]}")


@contextlib.contextmanager
def gunicorn(
    environment: dict[str, str],
    *,
    workers: int,
    worker_class: str,
    threads: int,
    log: Callable[[str], None],
) -> Iterator[str]:
    """Starts gunicorn on a free loopback port; yields its base URL; stops it."""
    port = free_port()
    logfile = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in finally)
        prefix="aporta-bench-gunicorn-", suffix=".log", delete=False
    )
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        "--backlog=2048",
        "--keep-alive=5",
        "--timeout=60",
        "--graceful-timeout=5",
        "--log-level=warning",
    ]
    log(f"starting {' '.join(command[1:])}")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=logfile,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(process, base + HELLO_PATH, logfile.name)
        yield base
    finally:
        _stop(process, log)
        server_log = Path(logfile.name).read_text(errors="replace").strip()
        logfile.close()
        os.unlink(logfile.name)
        if server_log:
            log(f"gunicorn said:\n{server_log[-4000:]}")


def _wait_until_serving(process: subprocess.Popen, url: str, logfile: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(
                f"gunicorn exited with {process.returncode} before serving:\n"
                f"{Path(logfile).read_text(errors='replace')[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within 60 s")


def _stop(process: subprocess.Popen, log: Callable[[str], None]) -> None:
    """SIGTERM to the master (it stops its workers), then SIGKILL to its group."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
        return
    except subprocess.TimeoutExpired:
        log("gunicorn did not stop within 15 s: killing it and its workers")
    # Started in a session of its own, so its process group is gunicorn's alone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


@dataclass
class Load:
    """What one wrk run saw."""

    requests: int
    seconds: float
    sent: int
    statuses: Counter = field(default_factory=Counter)
    errors: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    accepted: list[int] = field(default_factory=list)
    exhausted: bool = False

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def answered(self, status: int) -> int:
        return self.statuses.get(status, 0)

    def describe(self) -> str:
        statuses = ", ".join(f"{code}: {count}" for code, count in sorted(self.statuses.items()))
        errors = ", ".join(f"{name} {count}" for name, count in self.errors.items() if count)
        latency = ", ".join(f"p{key} {value:.1f} ms" for key, value in self.latency_ms.items())
        return (
            f"{self.requests} answers in {self.seconds:.2f} s ({self.per_second:.0f}/s); "
            f"status {statuses or '-'}; errors {errors or 'none'}; latency {latency}"
        )


def wrk(
    url: str,
    *,
    script: str,
    seconds: float,
    threads: int,
    connections: int,
    data: Sequence[Sequence[Sequence[str]]] = (),
) -> Load:
    """Runs ``wrk`` with tests/bench/lua/<script>; ``data[t]`` are thread t's
    rows (space-separated fields, one request each for votes)."""
    if data and len(data) != threads:
        raise ValueError("one list of rows per wrk thread")
    with tempfile.TemporaryDirectory(prefix="aporta-bench-wrk-") as workdir:
        prefix = Path(workdir) / "rows"
        for index, rows in enumerate(data):
            Path(f"{prefix}.{index}").write_text("".join(" ".join(row) + "\n" for row in rows))
        out = Path(workdir) / "summary"
        command = [
            "wrk",
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={seconds:g}s",
            "--timeout=10s",
            f"--script={LUA / script}",
            url,
        ]
        environment = {
            **os.environ,
            "BENCH_LUA": str(LUA),
            "BENCH_ROWS": str(prefix) if data else "",
            "BENCH_OUT": str(out),
        }
        result = subprocess.run(
            command,
            env=environment,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
        if result.returncode or not out.exists():
            raise BenchError(f"wrk failed ({result.returncode}):\n{result.stderr}{result.stdout}")
        return _parse(out.read_text())


def _parse(summary: str) -> Load:
    load = Load(requests=0, seconds=0.0, sent=0)
    for line in summary.splitlines():
        kind, _space, rest = line.partition(" ")
        values = rest.split()
        if kind == "requests":
            load.requests = int(values[0])
        elif kind == "duration_us":
            load.seconds = int(values[0]) / 1e6
        elif kind == "sent":
            load.sent += int(values[0])
        elif kind == "status":
            load.statuses[int(values[0])] += int(values[1])
        elif kind == "error":
            load.errors[values[0]] = int(values[1])
        elif kind == "latency_us":
            load.latency_ms[values[0]] = int(values[1]) / 1000
        elif kind == "accepted":
            load.accepted.extend(int(value) for value in values)
        elif kind == "exhausted":
            load.exhausted = load.exhausted or values[0] == "1"
    if not load.seconds:
        raise BenchError(f"wrk reported no duration:\n{summary[:2000]}")
    return load
