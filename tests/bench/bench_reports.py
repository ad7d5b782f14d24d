"""Group ``reports``: a committee report of a large consultation, in every format.

The data (:func:`load`): a bill of ARTICLES articles under an open consultation,
made by the services (``participation_data``), then bulk-loaded with ``COPY``:
PEOPLE accounts (no usable password, profile facts from a few values), one vote
per person on every article and on the whole bill (PEOPLE x (ARTICLES + 1) =
1,000,000 votes, so both unique constraints hold), and COMMENTS published
comments spread over the articles and three days, with the author's snapshot.
The tally triggers (migration 0005) are disabled while the votes are copied,
and the tallies rebuilt from the votes in one statement, all in one
transaction: a million trigger calls on the same twenty rows would make the
load, not the report, the slow part.

Every time is the best of ``RUNS`` runs (the XLSX: one run), every peak the
highest.

``copy_baseline_s``: a plain ``COPY (SELECT …) TO STDOUT WITH CSV`` of the rows
and columns the CSV annex writes, with the annex's own joins (the ORM's query,
support counts and answers included), for comments then proposals, every byte
read by psycopg and dropped.

``report_<format>_s``: wall time of ``write_report`` (``report_content`` and
the format's writer, in one snapshot) into a temporary file, as
``report_build`` does (language "es"), by a worker that has written that
format before: the libraries a writer imports on first use are imported
before the clock starts.
``report_<format>_peak_mb``: the process's resident-memory high-water mark
(``VmHWM``, reset through ``/proc/self/clear_refs`` before each format) during
that same timed build: absolute, so it includes the Django process itself
(logged as ``rss_before``); C allocations (libpq, lxml, fpdf) are counted too,
which ``tracemalloc`` would miss.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta

from tests.bench import participation_data
from tests.bench.runner import BenchError, Context, Figure

FORMATS = ("csv", "xlsx", "json", "pdf", "docx")
FIGURES = (
    "copy_baseline_s",
    *(name for fmt in FORMATS for name in (f"report_{fmt}_s", f"report_{fmt}_peak_mb")),
)

PEOPLE = 50_000
ARTICLES = 19  # and the whole bill: 20 votes a person
COMMENTS = 100_000
SEED = 11
NUMBER = "6060/2026-CR"
EMAIL_DOMAIN = "reports.bench.example.org"
MINUTES = 3 * 24 * 60  # votes and comments spread over three days
# The baseline and the formats that take seconds are timed RUNS times and the
# best run reported, as timeit does (a shared machine's noise only ever adds
# time); the workbook, which takes a minute, once. The peak is the highest.
RUNS = 3
REPEATED = ("csv", "json", "pdf", "docx")


def run(
    ctx: Context, *, people: int = PEOPLE, articles: int = ARTICLES, comments: int = COMMENTS
) -> list[Figure]:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BenchError(
            "the reports group measures PostgreSQL: set "
            "DATABASE_URL=postgres://user@host:5432/<your database> (the bench creates "
            "and drops a database of its own next to it)"
        )
    started = time.perf_counter()
    loaded = load(people=people, articles=articles, comments=comments)
    ctx.log(
        f"reports: {loaded.people} people, {loaded.votes} votes and {loaded.comments} "
        f"comments loaded in {time.perf_counter() - started:.1f} s"
    )
    copies = [copy_baseline(loaded.consultation) for _run in range(RUNS)]
    baseline, size = min(copies)
    ctx.log(
        f"reports: COPY baseline {baseline:.2f} s ({size / 2**20:.1f} MB of CSV; runs: "
        f"{', '.join(f'{seconds:.2f}' for seconds, _size in copies)})"
    )
    figures = [Figure("copy_baseline_s", baseline, "s")]
    for fmt in FORMATS:
        runs = [build(loaded.consultation, fmt) for _run in range(RUNS if fmt in REPEATED else 1)]
        best = min(built.seconds for built in runs)
        peak = max(built.peak for built in runs)
        ctx.log(
            f"reports: {fmt} in {best:.2f} s ({runs[0].size / 2**20:.1f} MB; runs: "
            f"{', '.join(f'{built.seconds:.2f}' for built in runs)}), resident peak "
            f"{peak / 2**20:.0f} MB (rss_before {runs[0].before / 2**20:.0f} MB)"
        )
        figures += [
            Figure(f"report_{fmt}_s", best, "s"),
            Figure(f"report_{fmt}_peak_mb", peak / 2**20, "mb", decimals=1),
        ]
    return figures


# --- The data -------------------------------------------------------------------------------


@dataclass
class Loaded:
    consultation: object  # consultations.models.Consultation, as report_build selects it
    people: int
    votes: int
    comments: int


def load(
    *, people: int = PEOPLE, articles: int = ARTICLES, comments: int = COMMENTS, seed: int = SEED
) -> Loaded:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import AgeRange, Region, RespondentType, User
    from consultations.models import Comment, Consultation, Vote, VoteTally

    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    opened = participation_data._open_consultation(NUMBER, articles)
    provisions = list(opened.version.provisions.filter(kind="article").order_by("order", "pk"))
    places = [None, *(provision.pk for provision in provisions)]
    regions = list(Region.objects.order_by("pk").values_list("pk", flat=True)[:6]) or [None]
    types = RespondentType.values[:3]
    ages = AgeRange.values[1:5]

    participation_data._copy(
        User,
        (
            {
                "email": f"r{index}@{EMAIL_DOMAIN}",
                "display_name": f"Participante {index}",
                "password": "!",  # unusable, as make_password(None) makes it
                "region_id": regions[index % len(regions)],
                "respondent_type": types[index % 7 % len(types)],
                "age_range": ages[index % 11 % len(ages)],
            }
            for index in range(people)
        ),
    )
    persons = list(
        User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
        .order_by("pk")
        .values_list("pk", "region_id", "respondent_type", "age_range")
    )
    now = timezone.now()
    moments = [now - timedelta(minutes=minute) for minute in range(MINUTES)]
    choices = ("agree", "agree", "disagree", "abstain")
    quote = connection.ops.quote_name
    votes, tallies = quote(Vote._meta.db_table), quote(VoteTally._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {votes} DISABLE TRIGGER USER")
        participation_data._copy(
            Vote,
            (
                {
                    "consultation_id": opened.pk,
                    "provision_id": place,
                    "voter_id": pk,
                    "region_id": region,
                    "respondent_type": kind,
                    "age_range": age,
                    "choice": choices[rng.randrange(4)],
                    "reason": "",
                    "reason_status": "",
                    "created_at": (moment := moments[rng.randrange(MINUTES)]),
                    "updated_at": moment,
                }
                for pk, region, kind, age in persons
                for place in places
            ),
        )
        # The foreign keys' checks are deferred to the commit, and a table with
        # pending trigger events cannot be altered: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {votes} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"DELETE FROM {tallies} WHERE consultation_id = %s", [opened.pk])  # noqa: S608
        cursor.execute(
            f"INSERT INTO {tallies} (consultation_id, provision_id, agree, disagree, abstain) "  # noqa: S608
            "SELECT consultation_id, provision_id, COUNT(*) FILTER (WHERE choice = 'agree'), "
            "COUNT(*) FILTER (WHERE choice = 'disagree'), "
            "COUNT(*) FILTER (WHERE choice = 'abstain') "
            f"FROM {votes} WHERE consultation_id = %s GROUP BY consultation_id, provision_id",
            [opened.pk],
        )
    participation_data._copy(
        Comment,
        (
            {
                "consultation_id": opened.pk,
                "provision_id": places[1 + index % (len(places) - 1)],
                "parent_id": None,
                "author_id": (author := persons[rng.randrange(len(persons))])[0],
                "region_id": author[1],
                "respondent_type": author[2],
                "age_range": author[3],
                "quote": "",
                "text": participation_data._text(rng, index),
                "status": "published",
                "created_at": (moment := moments[rng.randrange(MINUTES)]),
                "updated_at": moment,
            }
            for index in range(comments)
        ),
    )
    participation_data._vacuum()
    consultation = Consultation.objects.select_related("version__bill", "committee", "chamber").get(
        pk=opened.pk
    )
    loaded = Loaded(
        consultation,
        people=len(persons),
        votes=Vote.objects.filter(consultation=consultation).count(),
        comments=Comment.objects.filter(consultation=consultation, status="published").count(),
    )
    check_tallies(consultation)
    if (loaded.people, loaded.votes, loaded.comments) != (
        people,
        people * len(places),
        comments,
    ):
        raise BenchError(f"loaded {loaded}, expected {people} people and {comments} comments")
    return loaded


def check_tallies(consultation) -> None:
    """The rebuilt tallies are the votes' counts (as the triggers would keep them)."""
    from django.db.models import Count

    from consultations.models import Vote, VoteTally

    counted: dict = {}
    for place, choice, count in (
        Vote.objects.filter(consultation=consultation)
        .values_list("provision_id", "choice")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counted.setdefault(place, {"agree": 0, "disagree": 0, "abstain": 0})[choice] = count
    kept = {
        row["provision_id"]: {key: row[key] for key in ("agree", "disagree", "abstain")}
        for row in VoteTally.objects.filter(consultation=consultation).values()
    }
    if kept != counted:
        raise BenchError("the rebuilt vote tallies do not match the votes")


# --- The measurement ------------------------------------------------------------------------


def annex_queries(consultation) -> list[tuple[str, tuple]]:
    """The annex's queries (formats.annex: the same filter, joins and order),
    selecting the columns the CSV annex writes, as SQL and parameters."""
    from django.db.models import Count, F, Value

    from consultations.models import Comment, ItemStatus, Proposal

    queries = []
    for kind, model in (("comment", Comment), ("proposal", Proposal)):
        items = (
            model.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED)
            .annotate(
                kind=Value(kind),
                support_count=Count("supports", distinct=True),
                answer=F("responses__outcome"),
                answer_reason=F("responses__reason"),
                provision_label=F("provision__label"),
                author_name=F("author__display_name"),
                item_reason=F("reason") if model is Proposal else Value(""),
            )
            .order_by("created_at", "pk")
            .values_list(
                "kind", "pk", "provision_label", "created_at", "author_name", "support_count",
                "text", "item_reason", "answer", "answer_reason",
            )
        )  # fmt: skip
        queries.append(items.query.sql_with_params())
    return queries


def copy_baseline(consultation) -> tuple[float, int]:
    """Seconds to COPY the annex's rows to CSV, read fully; and the bytes read."""
    from django.db import connection

    queries = annex_queries(consultation)
    size = 0
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for sql, params in queries:
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV", params) as copy:
                for data in copy:
                    size += len(data)
        seconds = time.perf_counter() - started
    return seconds, size


@dataclass
class Built:
    seconds: float
    size: int
    peak: int  # bytes resident at most during the build (0 where unknown)
    before: int  # bytes resident when it started


def build(consultation, fmt: str) -> Built:
    """The report into a temporary file, as ``report_build`` writes it, by a
    worker that has written one before (the format's libraries imported)."""
    import importlib

    from django.utils import timezone, translation

    from consultations.reports.build import LIBRARIES, write_report

    for library in LIBRARIES.get(fmt, ()):
        importlib.import_module(library)
    with translation.override("es"), tempfile.TemporaryFile() as handle:
        before = _reset_peak()
        started = time.perf_counter()
        write_report(consultation, fmt, handle, now=timezone.now())
        handle.flush()
        seconds = time.perf_counter() - started
        peak = _peak()
        size = handle.tell()
    if size == 0:
        raise BenchError(f"the {fmt} report is empty")
    if not peak:
        raise BenchError("resident memory cannot be measured here (needs Linux /proc)")
    return Built(seconds, size, peak, before)


def _status(key: str) -> int:
    """A ``VmXXX`` line of /proc/self/status, in bytes (0 where unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _reset_peak() -> int:
    """Resets the resident high-water mark to the current resident size; returns it."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError as error:
        raise BenchError(f"cannot reset the resident-memory peak: {error}") from error
    return _status("VmRSS")


def _peak() -> int:
    return _status("VmHWM")
