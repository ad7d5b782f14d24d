"""Group ``participation``: a busy consultation, in process and over HTTP.

The data (tests/bench/participation_data.py): a 40-article bill under an open
consultation with 10,000 published comments (replies and supports among them)
and 100,000 votes, on PostgreSQL.

In process, through Django's test client: the consultation page's median time
signed in with nothing cached, and its query counts, anonymous (cache emptied
first) and signed in. The counts are also taken on a 3-article consultation
with a handful of comments and the comparison is logged: they must not grow.

Over HTTP (tests/bench/serve.py): gunicorn with 2 workers under
tests.bench.settings, loaded by wrk on the same machine for a fixed time each:
a view returning a fixed string (the yardstick of this machine's speed, taken
in the same run), the page anonymous (served from the cache), the page signed
in (a different person's session on each request, rendered fresh), and votes
through the API, each from a person voting for the first time. ``votes_lost``
is the number of people whose vote was answered 200 but not stored.

gunicorn's workers are gthread (4 threads each): the sync worker closes the
connection after every answer and idles while PostgreSQL and Redis answer;
threads keep connections alive and overlap those waits with another request's
Python (measured on the 2-core machine: see README, "Benchmarks").
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path

from tests.bench import participation_data, serve
from tests.bench.runner import BenchError, Context, Figure, Unmeasured

FIGURES = (
    "consultation_page_ms_median",
    "consultation_page_queries",
    "consultation_page_signed_in_queries",
    "baseline_hello_rps",
    "consultation_page_anon_rps",
    "consultation_page_signed_in_rps",
    "api_votes_per_s",
    "votes_lost",
)
PAGE_FIGURES = (
    "consultation_page_ms_median",
    "consultation_page_queries",
    "consultation_page_signed_in_queries",
    "consultation_page_anon_rps",
    "consultation_page_signed_in_rps",
)
HTTP_FIGURES = (
    "baseline_hello_rps",
    "consultation_page_anon_rps",
    "consultation_page_signed_in_rps",
    "api_votes_per_s",
    "votes_lost",
)
PAGE_URL_NAME = "consultations:detail"

TIMED_RENDERS = 30
SECONDS = 10
WARMUP_SECONDS = 2
WORKERS = 2
WORKER_CLASS = "gthread"
WORKER_THREADS = 4
WRK_THREADS = 2
CONNECTIONS = 32
READERS = 200  # distinct signed-in people reading the page
VOTERS = 30_000  # fresh people for the measured vote load (about 2,500/s at most)
WARMUP_VOTERS = 6_000


def run(ctx: Context) -> list[Figure | Unmeasured]:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BenchError(
            "the participation group measures PostgreSQL: set "
            "DATABASE_URL=postgres://user@host:5432/<your database> (the bench creates "
            "and drops a database of its own next to it)"
        )
    started = time.perf_counter()
    data = participation_data.load(voters=VOTERS + WARMUP_VOTERS)
    small = participation_data.load(
        number="3/2026-CR", articles=3, participants=5, comments=12, supports=10
    )
    ctx.log(f"participation: data loaded in {time.perf_counter() - started:.1f} s")

    figures: dict[str, Figure | Unmeasured] = {}
    path, missing_page = _page_path(data.consultation)
    if path is None:
        figures.update({name: Unmeasured(name, missing_page) for name in PAGE_FIGURES})
    else:
        figures.update(_in_process(ctx, data, small, path))
    missing_http = serve.wrk_missing() or _redis_missing()
    if missing_http:
        figures.update({name: Unmeasured(name, missing_http) for name in HTTP_FIGURES})
    else:
        for name, figure in _over_http(ctx, data, path).items():
            figures.setdefault(name, figure)
    return [figures[name] for name in FIGURES]


def _page_path(consultation) -> tuple[str | None, str]:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(PAGE_URL_NAME, kwargs={"pk": consultation.pk}), ""
    except NoReverseMatch:
        return None, f"the consultation page (URL name {PAGE_URL_NAME!r}) does not exist yet"


def _redis_missing() -> str | None:
    from django.conf import settings

    if settings.REDIS_URL:
        return None
    return "gunicorn's workers share their cache through Redis: set REDIS_URL=redis://..."


def _page_reader(data) -> int:
    """A participant who voted on every article and wrote comments."""
    from consultations.models import Comment

    return (
        Comment.objects.filter(consultation=data.consultation, parent=None)
        .values_list("author_id", flat=True)
        .order_by("pk")
        .first()
    )


def _in_process(ctx: Context, data, small, path: str) -> dict[str, Figure]:
    from django.urls import reverse

    from accounts.models import User

    def getter(client, url, *, first_visit=False):
        def get():
            if first_visit:
                client.cookies.clear()
            response = client.get(url)
            ctx.expect_status(response, 200, f"GET {url}")

        return get

    def clients(participation):
        anonymous, signed_in = ctx.client(), ctx.client()
        signed_in.force_login(User.objects.get(pk=_page_reader(participation)))
        return anonymous, signed_in

    def uncached_queries(get) -> int:
        ctx.clear_caches()
        return ctx.count_queries(get)

    anonymous, signed_in = clients(data)
    read_signed_in = getter(signed_in, path)
    samples = []
    for index in range(ctx.warmup + TIMED_RENDERS):
        ctx.clear_caches()  # nothing cached: every render is the first
        started = time.perf_counter_ns()
        read_signed_in()
        if index >= ctx.warmup:
            samples.append((time.perf_counter_ns() - started) / 1e6)
    queries = uncached_queries(getter(anonymous, path, first_visit=True))
    signed_in_queries = uncached_queries(read_signed_in)

    small_path = reverse(PAGE_URL_NAME, kwargs={"pk": small.consultation.pk})
    small_anonymous, small_signed_in = clients(small)
    small_queries = uncached_queries(getter(small_anonymous, small_path, first_visit=True))
    small_signed_in_queries = uncached_queries(getter(small_signed_in, small_path))
    grows = (small_queries, small_signed_in_queries) != (queries, signed_in_queries)
    ctx.log(
        f"participation: page {len(samples)} renders signed in, min {min(samples):.1f} ms, "
        f"max {max(samples):.1f} ms; queries anonymous/signed in: {queries}/{signed_in_queries} "
        f"(3 articles, 12 comments: {small_queries}/{small_signed_in_queries})"
        + (" -- THE QUERY COUNT GROWS WITH THE CONSULTATION" if grows else ", flat")
    )
    return {
        "consultation_page_ms_median": Figure(
            "consultation_page_ms_median", ctx.median(samples), "ms"
        ),
        "consultation_page_queries": Figure("consultation_page_queries", queries, "queries", 0),
        "consultation_page_signed_in_queries": Figure(
            "consultation_page_signed_in_queries", signed_in_queries, "queries", 0
        ),
    }


def _split(rows: list, parts: int) -> list[list]:
    return [rows[index::parts] for index in range(parts)]


def _over_http(ctx: Context, data, path: str | None) -> dict[str, Figure | Unmeasured]:
    from django.conf import settings

    ctx.clear_caches()  # nothing from the in-process renders
    secret_key = secrets.token_urlsafe(64)
    readers = participation_data.signed_in(data.participants[:READERS], secret_key=secret_key)
    voters = participation_data.signed_in(data.voters, secret_key=secret_key)
    eids = [article.eid for article in data.articles]
    votes = [(key, csrf, eids[index % len(eids)]) for index, (key, csrf) in enumerate(voters)]
    environment = serve.server_environment(
        database_url=serve.database_url(), redis_url=settings.REDIS_URL, secret_key=secret_key
    )
    vote_url = f"/api/v1/consultations/{data.consultation.pk}/vote/"

    with tempfile.TemporaryDirectory(prefix="aporta-bench-static-") as static_root:
        started = time.perf_counter()
        serve.collectstatic(environment, Path(static_root))
        ctx.log(f"participation: collectstatic in {time.perf_counter() - started:.1f} s")
        environment["STATIC_ROOT"] = static_root
        with serve.gunicorn(
            environment,
            workers=WORKERS,
            worker_class=WORKER_CLASS,
            threads=WORKER_THREADS,
            log=ctx.log,
        ) as base:

            def measure(what: str, url: str, script: str, rows=(), warmup_rows=()):
                options = {"threads": WRK_THREADS, "connections": CONNECTIONS}
                serve.wrk(base + url, script=script, seconds=WARMUP_SECONDS,
                          data=_split(list(warmup_rows or rows), WRK_THREADS) if rows else (),
                          **options)  # fmt: skip
                load = serve.wrk(
                    base + url,
                    script=script,
                    seconds=SECONDS,
                    data=_split(list(rows), WRK_THREADS) if rows else (),
                    **options,
                )
                ctx.log(f"participation: {what}: {load.describe()}")
                _expect_only(load, 200, f"{what} (GET/PUT {url})")
                return load

            hello = measure("hello", serve.HELLO_PATH, "pages.lua")
            figures: dict[str, Figure | Unmeasured] = {
                "baseline_hello_rps": Figure("baseline_hello_rps", hello.per_second, "req/s", 0)
            }
            if path is not None:
                anonymous = measure("page, anonymous", path, "pages.lua")
                signed_in = measure("page, signed in", path, "pages.lua", rows=readers)
                figures["consultation_page_anon_rps"] = Figure(
                    "consultation_page_anon_rps", anonymous.per_second, "req/s", 0
                )
                figures["consultation_page_signed_in_rps"] = Figure(
                    "consultation_page_signed_in_rps", signed_in.per_second, "req/s", 0
                )
            voting = measure(
                "votes",
                vote_url,
                "votes.lua",
                rows=votes[WARMUP_VOTERS:],
                warmup_rows=votes[:WARMUP_VOTERS],
            )
    if voting.exhausted:
        raise BenchError(
            f"the vote load used up its {VOTERS} fresh voters: raise VOTERS in {__name__}"
        )
    figures["api_votes_per_s"] = Figure(
        "api_votes_per_s", voting.answered(200) / voting.seconds, "votes/s", 0
    )
    figures["votes_lost"] = Figure("votes_lost", _votes_lost(data, voting), "votes", 0)
    return figures


def _expect_only(load: serve.Load, status: int, what: str) -> None:
    others = {code: count for code, count in load.statuses.items() if code != status}
    if others or not load.answered(status):
        raise BenchError(
            f"{what} answered {dict(load.statuses)}, expected only {status}; "
            "the figures would measure an error page"
        )


def _votes_lost(data, voting: serve.Load) -> int:
    """People answered 200 for their first vote, minus those with a stored vote."""
    from consultations.models import Vote

    accepted = set(voting.accepted)
    if len(accepted) != len(voting.accepted):
        raise BenchError("a person voted twice in the vote load: the pool wrapped around")
    if len(accepted) != voting.answered(200):
        raise BenchError(
            f"{voting.answered(200)} votes were answered 200 but {len(accepted)} answers "
            "named their voter (X-Bench-User): is tests.bench.settings in use?"
        )
    stored = (
        Vote.objects.filter(consultation=data.consultation, voter_id__in=accepted)
        .values("voter_id")
        .distinct()
        .count()
    )
    return len(accepted) - stored
