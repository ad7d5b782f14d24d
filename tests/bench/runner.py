"""The benchmark harness: discovers groups, builds a throwaway database, prints figures.

A group is a module ``tests/bench/bench_<group>.py`` that exposes

* ``FIGURES``: the names of the figures it reports, in order. They are a contract
  (dashboards and comparisons key on them): rename one only on purpose.
* ``run(ctx: Context) -> list[Figure | Unmeasured]``: measures and returns those
  figures, in order.

Each figure is printed as one line ``name: value unit`` on stdout; nothing else
goes to stdout (progress, logging and anything a library prints go to stderr).
A figure that cannot be measured yet (the page it measures does not exist, a
tool is missing) is returned as ``Unmeasured`` with the reason: its line is left
out, the reason is logged, the other figures still print, and the run exits 1.
A number that is not a measurement is never printed.

Every run gets its own test database, created and destroyed with Django's
test-database machinery, so the harness never reads or writes the configured
database. Groups run in name order, and each starts from the freshly migrated
state and an empty cache, so ``--only <group>`` and a full run measure the same
thing.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import math
import os
import pkgutil
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO

PACKAGE = "tests.bench"
PACKAGE_DIR = Path(__file__).resolve().parent
MODULE_PREFIX = "bench_"
DEFAULT_SETTINGS = "config.settings.test"
# Distinct from pytest-django's test_<name>, so a bench run never clobbers it;
# derived from the configured name, so people sharing a server (each with a
# database of their own) never clobber each other's bench database either; and
# from the process, so two runs at once (a developer's and the test suite's
# harness tests) never drop each other's database mid-run.
POSTGRES_TEST_NAME = "test_{name}_bench_{pid}"

NAME_RE = re.compile(r"^[a-z0-9_]+$")
UNIT_RE = re.compile(r"^[a-z%/]+$")


class BenchError(Exception):
    """A measurement could not be taken or is not trustworthy; the run fails."""


@dataclass(frozen=True)
class Figure:
    """One reported number: printed as ``name: value unit``."""

    name: str
    value: float
    unit: str
    decimals: int = 2

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ValueError(f"figure name {self.name!r} must match {NAME_RE.pattern}")
        if not UNIT_RE.match(self.unit):
            raise ValueError(f"unit {self.unit!r} of {self.name} must match {UNIT_RE.pattern}")
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise ValueError(f"value of {self.name} must be a number, got {self.value!r}")
        if not math.isfinite(self.value) or self.value < 0:
            raise ValueError(f"value of {self.name} must be finite and >= 0, got {self.value!r}")
        if self.decimals < 0:
            raise ValueError(f"decimals of {self.name} must be >= 0")

    def line(self) -> str:
        return f"{self.name}: {self.value:.{self.decimals}f} {self.unit}"


@dataclass(frozen=True)
class Unmeasured:
    """A figure that could not be measured, and why: no line is printed for it."""

    name: str
    reason: str

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise ValueError(f"figure name {self.name!r} must match {NAME_RE.pattern}")
        if not self.reason.strip():
            raise ValueError(f"{self.name} is unmeasured: say why")


@dataclass
class Context:
    """What a group's ``run`` gets: repetition counts and measuring helpers."""

    group: str
    requests: int = 200
    warmup: int = 20
    log: Callable[[str], None] = field(default=lambda message: None)

    def client(self, **defaults: Any):
        """A ``django.test.Client`` going through the whole middleware stack."""
        from django.test import Client

        return Client(raise_request_exception=True, **defaults)

    def expect_status(self, response, status: int, what: str) -> None:
        """Fail the run when a measured request does not answer as it should."""
        if response.status_code != status:
            raise BenchError(
                f"{what} answered {response.status_code}, expected {status}; "
                "the figures would measure an error page"
            )

    def time_ms(self, call: Callable[[], object], repeat: int | None = None) -> list[float]:
        """Wall-clock milliseconds of ``repeat`` calls, after ``warmup`` untimed ones."""
        repeat = self.requests if repeat is None else repeat
        for _ in range(self.warmup):
            call()
        samples = []
        for _ in range(repeat):
            started = time.perf_counter_ns()
            call()
            samples.append((time.perf_counter_ns() - started) / 1e6)
        return samples

    def clear_caches(self) -> None:
        """Empty the bench's caches (only its own keys), for "nothing cached" figures."""
        _clear_caches()

    def count_queries(self, call: Callable[[], object], using: str = "default") -> int:
        """How many SQL queries one call runs on the database ``using``."""
        from django.db import connections
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connections[using]) as captured:
            call()
        return len(captured.captured_queries)

    @staticmethod
    def median(samples: Sequence[float]) -> float:
        if not samples:
            raise BenchError("no samples to take the median of")
        return statistics.median(samples)


# --- Groups -----------------------------------------------------------------


def discover_groups() -> list[str]:
    """Group names, from the ``bench_<group>.py`` files beside this one, sorted."""
    return sorted(
        info.name.removeprefix(MODULE_PREFIX)
        for info in pkgutil.iter_modules([str(PACKAGE_DIR)])
        if info.name.startswith(MODULE_PREFIX)
        and NAME_RE.match(info.name.removeprefix(MODULE_PREFIX))
    )


def load_group(group: str) -> ModuleType:
    module = importlib.import_module(f"{PACKAGE}.{MODULE_PREFIX}{group}")
    figures = getattr(module, "FIGURES", None)
    if not callable(getattr(module, "run", None)) or not isinstance(figures, tuple | list):
        raise BenchError(f"{module.__name__} must define FIGURES (a tuple) and run(ctx)")
    # Names are the issues' contract, so they need not carry the group's name;
    # they must be unique across groups (checked in test_harness).
    return module


def run_group(module: ModuleType, ctx: Context) -> list[Figure | Unmeasured]:
    figures = module.run(ctx)
    if not isinstance(figures, list | tuple) or not all(
        isinstance(f, Figure | Unmeasured) for f in figures
    ):
        raise BenchError(f"{module.__name__}.run must return a list of Figure or Unmeasured")
    names = [figure.name for figure in figures]
    if names != list(module.FIGURES):
        raise BenchError(
            f"{module.__name__}.run reported {names}, but FIGURES declares "
            f"{list(module.FIGURES)}: figure names are a contract"
        )
    return list(figures)


# --- Environment --------------------------------------------------------------


def _log(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


@contextlib.contextmanager
def reserved_stdout() -> Iterator[TextIO]:
    """Yield the real stdout for figures; route everything else on it to stderr.

    Done on the file descriptor when there is one, so output from C code or
    child processes is caught too.
    """
    sys.stdout.flush()
    try:
        stdout_fd, stderr_fd = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        real = sys.stdout
        with contextlib.redirect_stdout(sys.stderr):
            yield real
        return
    saved = os.dup(stdout_fd)
    figures = os.fdopen(saved, "w", encoding="utf-8", buffering=1)
    os.dup2(stderr_fd, stdout_fd)
    try:
        yield figures
    finally:
        sys.stdout.flush()
        figures.flush()
        os.dup2(saved, stdout_fd)
        figures.close()


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def _bench_caches() -> dict:
    """The configured caches under a key prefix of their own.

    The bench shares Redis with the dev server and the test suite (and maybe a
    broker): it only ever writes, and clears, keys under this prefix.
    """
    from django.conf import settings

    caches = {}
    for alias, config in settings.CACHES.items():
        prefix = config.get("KEY_PREFIX") or "aporta"
        caches[alias] = {**config, "KEY_PREFIX": f"{prefix}_bench"}
    return caches


def _clear_caches() -> None:
    from django.conf import settings
    from django.core.cache import caches

    for alias, config in settings.CACHES.items():
        if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
            # clear() would FLUSHDB; delete only the bench's own keys.
            import redis

            client = redis.Redis.from_url(config["LOCATION"], socket_connect_timeout=2)
            try:
                for key in client.scan_iter(match=f"{config['KEY_PREFIX']}:*", count=500):
                    client.delete(key)
            finally:
                client.close()
        else:
            caches[alias].clear()


@contextlib.contextmanager
def throwaway_databases() -> Iterator[dict[str, str]]:
    """Create a test database for every alias; destroy it on the way out.

    Yields each alias's freshly migrated data (serialized), for ``reset_databases``.
    """
    from django.db import connections

    workdir = Path(tempfile.mkdtemp(prefix="aporta-bench-"))
    created = []
    snapshots = {}
    try:
        for alias in connections:
            connection = connections[alias]
            original = connection.settings_dict["NAME"]
            if connection.vendor == "sqlite":
                test_name = str(workdir / f"{alias}.sqlite3")
            else:
                suffix = "" if alias == "default" else f"_{alias}"
                test_name = POSTGRES_TEST_NAME.format(name=original, pid=os.getpid()) + suffix
            if test_name == original:
                raise BenchError(
                    f"database {alias!r} is named {original!r}, the bench's own test database "
                    "name: refusing to create (and so drop) it"
                )
            connection.settings_dict["TEST"]["NAME"] = test_name
            _log(f"creating test database {test_name} ({connection.vendor}) for {alias!r}")
            try:
                connection.creation.create_test_db(verbosity=0, autoclobber=True)
            finally:
                if connection.settings_dict["NAME"] != original:
                    created.append((connection, original))
            if connection.settings_dict["NAME"] != test_name:
                raise BenchError(f"{alias!r} is not on the test database {test_name}")
            snapshots[alias] = connection.creation.serialize_db_to_string()
        yield snapshots
    finally:
        for connection, original in reversed(created):
            _log(f"destroying test database {connection.settings_dict['NAME']}")
            connection.creation.destroy_test_db(original, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


def reset_databases(snapshots: dict[str, str]) -> None:
    """Back to the freshly migrated state, as TransactionTestCase does between tests."""
    from django.core.management import call_command
    from django.db import connections

    for alias, data in snapshots.items():
        # Sequences keep counting (the snapshot's rows carry their own keys).
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            database=alias,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )
        connections[alias].creation.deserialize_db_from_string(data)


def run_benchmarks(groups: Sequence[str], out: TextIO) -> list[Unmeasured]:
    """Runs the groups, printing their figures; returns those left unmeasured."""
    _setup_django()
    from django.test.utils import (
        override_settings,
        setup_test_environment,
        teardown_test_environment,
    )

    unmeasured = []
    setup_test_environment()
    try:
        with override_settings(CACHES=_bench_caches()), throwaway_databases() as snapshots:
            for position, group in enumerate(groups):
                module = load_group(group)
                if position:
                    reset_databases(snapshots)
                _clear_caches()
                _log(f"running group {group}")
                started = time.perf_counter()
                figures = run_group(module, Context(group=group, log=_log))
                _log(f"group {group} done in {time.perf_counter() - started:.1f} s")
                for figure in figures:
                    if isinstance(figure, Unmeasured):
                        _log(f"NOT MEASURED: {figure.name}: {figure.reason}")
                        unmeasured.append(figure)
                    else:
                        out.write(figure.line() + "\n")
                out.flush()
            _clear_caches()
    finally:
        teardown_test_environment()
    return unmeasured


# --- Command line -------------------------------------------------------------


def _parser(groups: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Print benchmark figures, one 'name: value unit' line each, on stdout.",
        epilog=f"groups: {', '.join(groups) or '(none)'}",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="GROUP",
        help="run only this group (repeat it, or separate with commas, for several)",
    )
    parser.add_argument("--list", action="store_true", help="list the groups and exit")
    return parser


def _selected(parser: argparse.ArgumentParser, only: list[str] | None, groups: list[str]):
    if not only:
        return groups
    wanted = [name.strip() for value in only for name in value.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in groups]
    if unknown or not wanted:
        parser.error(
            f"unknown group {', '.join(map(repr, unknown)) or '(empty)'}; "
            f"the groups are: {', '.join(groups) or '(none)'}"
        )
    return [group for group in groups if group in wanted]


def _terminate(signum: int, frame: object) -> None:
    # Unwind normally, so the test database is destroyed.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    groups = discover_groups()
    parser = _parser(groups)
    args = parser.parse_args(argv)
    if args.list:
        sys.stdout.write("".join(f"{group}\n" for group in groups))
        return 0
    selected = _selected(parser, args.only, groups)
    signal.signal(signal.SIGTERM, _terminate)
    with reserved_stdout() as out:
        try:
            unmeasured = run_benchmarks(selected, out)
        except BenchError as error:
            _log(f"FAILED: {error}")
            return 1
    if unmeasured:
        _log(f"FAILED: not measured: {', '.join(figure.name for figure in unmeasured)}")
        return 1
    return 0
