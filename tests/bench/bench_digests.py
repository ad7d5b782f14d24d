"""Group ``digests``: last week's digest for 100,000 followers, sent in batches
of short tasks.

The data (:func:`load`): eight bills made by the services, five of which had
events in last week's period (Monday to Sunday in Lima), written by the
services too (a consultation opened, a new version, closing in 48 hours) and
then dated into the period; one bill's consultation opened before the period
(only its closing is news), one bill's new version came at the very end of the
period (so, not in it), and two bills were quiet. FOLLOWERS people (accounts
without a usable password, a tenth reading English) each follow one to three
bills weekly, at least one of them with news, and some a further bill daily;
BYSTANDERS more follow only quiet bills weekly, or bills with news only daily,
and must get no weekly digest. Accounts and follows go in with ``COPY``.

The measurement runs what the Celery tasks run (notifications/tasks.py), in
this process, one call per task: ``digests_plan`` (one statement makes every
digest) and ``digest_batches`` (the batches ``plan_digests`` would queue), then
``digests_send`` for each batch of 500 in turn, as ``send_digests`` tasks on a
single worker would. Mail goes to Django's in-memory backend, emptied after
every batch as a mail server would take the messages away, and the sending
rate limit (still counted in Redis, one round trip per email) is raised out
of the way.

``digest_100k_s``: wall time from planning to the last batch sent (counting
each batch's messages, what a mail server would do, is left out).
``digest_queries_per_batch``: the most SQL queries one ``digests_send`` ran;
every batch's are counted, and batches of one size may differ by QUERY_SPREAD
at most. ``digest_peak_mb``: the ``tracemalloc`` peak of a second, traced run
of the same period (its digests deleted and planned again) over its first
TRACED_BATCHES batches (tracing makes sending 2.5 times slower: a whole traced
run would take longer than the timed one). Memory must be flat, or the run
fails: after the first WARMUP_BATCHES, what stays allocated after a batch in
the traced run may grow by TRACED_GROWTH_MB at most, and the process's resident
memory after each batch of the whole timed run by RSS_GROWTH_MB at most.

Each run counts only if every message went to a different follower, every
follower got one (when all batches were sent), no one else any, and the
digest rows say the same (each message's address is counted into a byte per
person, so the check itself takes no memory that grows).
"""

from __future__ import annotations

import os
import random
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.bench import participation_data
from tests.bench.runner import BenchError, Context, Figure

FIGURES = ("digest_100k_s", "digest_peak_mb", "digest_queries_per_batch")

FOLLOWERS = 100_000
BYSTANDERS = 5_000
SEED = 7
EMAIL_DOMAIN = "digests.bench.example.org"
ENGLISH_SHARE = 0.10
DAILY_TOO_SHARE = 0.05

QUERY_SPREAD = 3  # the most two batches of one size may differ by, in queries
WARMUP_BATCHES = 3  # templates compiled, catalogues loaded: memory settles after these
TRACED_BATCHES = 20  # batches of the traced run (tracing makes sending 2.5 times slower)
TRACED_GROWTH_MB = 1.0  # what may stay allocated after the warm-up (noise, not a leak)
RSS_GROWTH_MB = 16.0  # the same for the process's resident memory (the allocator's noise)
RAISED = 1_000_000_000  # emails per minute: the rate limit out of the way


def run(ctx: Context, *, followers: int = FOLLOWERS, bystanders: int = BYSTANDERS) -> list[Figure]:
    from django.db import connection

    if connection.vendor != "postgresql":
        raise BenchError(
            "the digests group measures PostgreSQL: set "
            "DATABASE_URL=postgres://user@host:5432/<your database> (the bench creates "
            "and drops a database of its own next to it)"
        )
    started = time.perf_counter()
    loaded = load(followers=followers, bystanders=bystanders)
    ctx.log(
        f"digests: {followers} followers and {bystanders} bystanders "
        f"({loaded.follows} follows) loaded in {time.perf_counter() - started:.1f} s"
    )
    with _mail_settings():
        timed = send_all(ctx, loaded, count_queries=True)
        verify(loaded, timed)
        ctx.log(
            f"digests: {timed.sent} digests sent in {timed.seconds:.1f} s "
            f"({timed.sent / timed.seconds:.0f}/s; planning {timed.planning_s:.2f} s, "
            f"{len(timed.batch_s)} batches of {min(timed.batch_s):.2f}–"
            f"{max(timed.batch_s):.2f} s, median {ctx.median(timed.batch_s):.2f} s)"
        )
        queries = check_queries(timed.queries)
        if timed.resident:
            check_flat(timed.resident, RSS_GROWTH_MB, "resident memory")
            ctx.log(f"digests: resident memory after each batch {_span(timed.resident)}")
        _forget(loaded)
        traced = send_all(ctx, loaded, trace=True, batches=TRACED_BATCHES)
        verify(loaded, traced)
    check_flat(traced.allocated, TRACED_GROWTH_MB, "allocated memory")
    ctx.log(
        f"digests: traced run of {len(traced.allocated)} batches, peak "
        f"{traced.peak / 2**20:.1f} MB, allocated after each batch {_span(traced.allocated)}"
    )
    return [
        Figure("digest_100k_s", timed.seconds, "s", decimals=1),
        Figure("digest_peak_mb", traced.peak / 2**20, "mb", decimals=1),
        Figure("digest_queries_per_batch", queries, "queries", decimals=0),
    ]


def _span(samples: list[int]) -> str:
    return f"{min(samples) / 2**20:.1f}–{max(samples) / 2**20:.1f} MB"


# --- The data -------------------------------------------------------------------------------


@dataclass
class Loaded:
    now: datetime  # when planning runs: in the week after the period
    period: object  # notifications.digests.Period: last week
    bills: list  # bills.models.Bill, in PLAN's order
    followers: int  # people d0 … d<followers - 1>: each must get one weekly digest
    people: int  # followers, then bystanders, who must get none
    expected: set[int]  # the followers' pks
    follows: int


def address(index: int) -> str:
    return f"d{index}@{EMAIL_DOMAIN}"


# Bill -> (its events: (event, where in time)); "in" is in the period, "before"
# and "end" outside it. Consultations on bills with a closing event close in
# 10 days, the others in 30.
PLAN = (
    (("new_version", "in"), ("consultation_opened", "in")),
    (("consultation_opened", "in"),),
    (("consultation_opened", "in"), ("closing_soon", "in")),
    (("consultation_opened", "before"), ("closing_soon", "in")),
    (("new_version", "in"),),
    (("new_version", "end"),),
    (),
    (),
)


def load(*, followers: int = FOLLOWERS, bystanders: int = BYSTANDERS, seed: int = SEED) -> Loaded:
    """The bills and their events (through the services), then the followers."""
    from django.utils import timezone

    from accounts.models import User
    from consultations.models import Follow
    from notifications.digests import period_before

    rng = random.Random(seed)  # noqa: S311 (reproducible data, not secrets)
    now = timezone.now()
    period = period_before("weekly", now)
    bills = _bills_with_events(rng, now, period)
    with_news = [bill.pk for bill, events in zip(bills, PLAN, strict=True) if _news(events)]
    quiet = [bill.pk for bill, events in zip(bills, PLAN, strict=True) if not _news(events)]
    every = [bill.pk for bill in bills]

    people = followers + bystanders
    participation_data._copy(
        User,
        (
            {
                "email": address(index),
                "display_name": f"Lectora {index}",
                "password": "!",  # unusable, as make_password(None) makes it
                "language": "en" if rng.random() < ENGLISH_SHARE else "es",
            }
            for index in range(people)
        ),
    )
    pks = dict(User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").values_list("email", "pk"))
    follows: list[tuple[int, int, str]] = []
    for index in range(people):
        person = pks[address(index)]
        if index < followers:
            weekly = {rng.choice(with_news)}
            weekly.update(rng.sample(every, rng.choice((0, 0, 0, 1, 1, 2))))
            daily = set(rng.sample(every, 1)) - weekly if rng.random() < DAILY_TOO_SHARE else set()
        elif index % 2:  # weekly, but only quiet bills
            weekly, daily = set(rng.sample(quiet, rng.randint(1, 2))), set()
        else:  # bills with news, but daily
            weekly, daily = set(), set(rng.sample(with_news, rng.randint(1, 2)))
        follows += [(person, bill, "weekly") for bill in sorted(weekly)]
        follows += [(person, bill, "daily") for bill in sorted(daily)]
    participation_data._copy(
        Follow,
        (
            {"follower_id": person, "bill_id": bill, "frequency": frequency, "created_at": now}
            for person, bill, frequency in follows
        ),
    )
    participation_data._vacuum()
    expected = {pks[address(index)] for index in range(followers)}
    return Loaded(now, period, bills, followers, people, expected, len(follows))


def _news(events) -> bool:
    return any(when == "in" for _event, when in events)


def _bills_with_events(rng: random.Random, now: datetime, period) -> list:
    """PLAN's bills and their events, made by the services (which date the
    events now), then dated where PLAN puts them."""
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import user_assign_role, user_create
    from bills.models import Bill
    from consultations import services
    from notifications.models import Outbox
    from tests.bills.factories import published_bill

    staff = user_create(
        email=f"staff@{EMAIL_DOMAIN}",
        password=None,
        display_name="Secretaría Técnica",
        email_verified=True,
    )
    user_assign_role(user=staff, role=Role.COMMITTEE_STAFF)
    bills, closing = [], []
    for number, events in enumerate(PLAN):
        kinds = [event for event, _when in events]
        bill = published_bill(
            f"{7000 + number}/2026-CR", articles=3, versions=2 if "new_version" in kinds else 1
        )
        Bill.objects.filter(pk=bill.pk).update(title=f"Ley de prueba número {number}")
        bill.refresh_from_db()
        bills.append(bill)
        if "consultation_opened" not in kinds:
            continue
        committee = bill.committees.get()
        committee.staff.add(staff)
        days = 10 if "closing_soon" in kinds else 30
        consultation = services.consultation_create(
            actor=staff,
            version=bill.versions.order_by("-number").first(),
            committee=committee,
            title=f"Consulta ciudadana sobre el proyecto {bill.number}",
            opens_at=timezone.now(),
            closes_at=now + timedelta(days=days),
        )
        if days == 10:
            closing.append(consultation)
    services.consultations_open_and_close_due()
    if closing:
        services.consultations_closing_soon(now=closing[0].closes_at - timedelta(hours=47))
    length = (period.ends - period.begins).total_seconds()
    for bill, events in zip(bills, PLAN, strict=True):
        for event, when in events:
            if when == "in":
                moment = period.begins + timedelta(seconds=rng.uniform(0, length - 1))
            elif when == "before":
                moment = period.begins - timedelta(days=2)
            else:
                moment = period.ends  # the first instant of the next period
            dated = Outbox.objects.filter(recipient=None, bill=bill, event=event).update(
                created_at=moment
            )
            if dated != 1:
                raise BenchError(f"expected one {event} event of {bill.number}, found {dated}")
    stray = Outbox.objects.filter(recipient=None, created_at__gte=period.ends).exclude(
        created_at=period.ends
    )
    if stray.exists():
        raise BenchError("the services wrote bill events the plan does not account for")
    return bills


# --- The measurement ------------------------------------------------------------------------


@dataclass
class Sent:
    made: int = 0  # digests planned
    seconds: float = 0.0  # from planning to the last batch sent, bookkeeping left out
    planning_s: float = 0.0
    batch_s: list[float] = field(default_factory=list)
    sent: int = 0
    # Messages to each person d<index>, and to anyone else (constant memory).
    received: bytearray = field(default_factory=bytearray)
    strangers: int = 0
    queries: list[tuple[int, int]] = field(default_factory=list)  # (digests, queries) a batch
    resident: list[int] = field(default_factory=list)  # bytes resident after each batch
    allocated: list[int] = field(default_factory=list)  # traced: bytes allocated after each
    peak: int = 0  # traced: the most allocated at once


def send_all(
    ctx: Context,
    loaded: Loaded,
    *,
    count_queries: bool = False,
    trace: bool = False,
    batches: int | None = None,
) -> Sent:
    """Plans the period's digests and sends them (the first ``batches`` of
    them, if given) batch by batch, as the tasks do. What a mail server would
    do with each batch's messages (take them away; here, count their
    addresses) is left out of the time."""
    from django.core import mail

    from notifications.digests import digest_batches, digests_plan

    result = Sent(received=bytearray(loaded.people))
    mail.outbox = []
    untimed = 0.0
    if trace:
        tracemalloc.start()
    try:
        started = time.perf_counter()
        period, result.made = digests_plan(frequency="weekly", now=loaded.now)
        if period != loaded.period:
            raise BenchError(f"planned the period {period}, expected {loaded.period}")
        ranges = list(digest_batches(period))  # what plan_digests queues
        result.planning_s = time.perf_counter() - started
        for number, (first, last) in enumerate(ranges[:batches], start=1):
            batch_started = time.perf_counter()
            sent = _send(first, last, result, count_queries=count_queries)
            aside = time.perf_counter()
            result.batch_s.append(aside - batch_started)
            _take_away(result, sent)
            if trace:
                result.allocated.append(tracemalloc.get_traced_memory()[0])
            elif resident := _resident():
                result.resident.append(resident)
            if number % 50 == 0:
                ctx.log(f"digests: {number} of {len(ranges)} batches sent")
            untimed += time.perf_counter() - aside
        result.seconds = time.perf_counter() - started - untimed
        if trace:
            result.peak = tracemalloc.get_traced_memory()[1]
    finally:
        if trace:
            tracemalloc.stop()
    return result


def _send(first: int, last: int, result: Sent, *, count_queries: bool) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.digests import digests_send

    if not count_queries:
        sent, stopped = digests_send(first=first, last=last)
    else:
        # Django keeps the last 9,000 queries only: counting by difference needs room.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            sent, stopped = digests_send(first=first, last=last)
        result.queries.append((sent, len(captured.captured_queries)))
    if stopped:
        raise BenchError("the sending rate limit stopped a batch: it should be out of the way")
    return sent


def _take_away(result: Sent, sent: int) -> None:
    """As a mail server would: the batch's messages counted by address, and gone."""
    from django.core import mail

    if len(mail.outbox) != sent:
        raise BenchError(f"a batch said it sent {sent} emails; the mailer has {len(mail.outbox)}")
    suffix = f"@{EMAIL_DOMAIN}"
    for message in mail.outbox:
        for to in message.to:
            number = to.removeprefix("d").removesuffix(suffix)
            if to.startswith("d") and to.endswith(suffix) and number.isdecimal():
                index = int(number)
                if index < len(result.received):
                    result.received[index] = min(result.received[index] + 1, 255)
                    continue
            result.strangers += 1
    result.sent += sent
    mail.outbox = []


def _resident() -> int:
    """The process's resident memory in bytes (Linux); 0 where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _forget(loaded: Loaded) -> None:
    """The period's digests deleted, so that planning makes them again. In
    SQL: the ORM would first load all of them (for the outbox rows that may
    point at one) and then name them all in one statement, which PostgreSQL
    refuses past 65,535 parameters."""
    from django.db import connection

    from notifications.models import Digest

    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(Digest._meta.db_table)} "  # noqa: S608 - the model's table
            "WHERE frequency = %s AND period_start = %s",
            ["weekly", loaded.period.start],
        )
    participation_data._vacuum(Digest._meta.db_table)


def _mail_settings():
    from django.test.utils import override_settings

    return override_settings(
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
        APORTA_EMAIL_PER_MINUTE=RAISED,
    )


# --- The checks -----------------------------------------------------------------------------


def verify(loaded: Loaded, sent: Sent) -> None:
    """The digests were made for exactly the followers; each message sent went
    to a different follower, every follower got one if every batch was sent,
    and the digest rows say the same."""
    from django.db.models import Count

    from notifications.models import Digest, OutboxStatus

    if sent.made != loaded.followers:
        raise BenchError(f"{sent.made} digests made, expected {loaded.followers}")
    complete = sent.sent == loaded.followers
    received = sent.received
    twice = sum(1 for times in received if times > 1)
    none = received[: loaded.followers].count(0) if complete else 0
    bystanders = sum(1 for times in received[loaded.followers :] if times)
    if twice or none or bystanders or sent.strangers:
        raise BenchError(
            f"of {sent.sent} digests sent, {twice} people got more than one, "
            f"{none} followers got none, and {bystanders + sent.strangers} went to people "
            "who should get none"
        )
    rows = Digest.objects.filter(frequency="weekly", period_start=loaded.period.start)
    statuses = dict(rows.values_list("status").annotate(count=Count("pk")).order_by())
    wanted = {OutboxStatus.SENT: sent.sent}
    if not complete:
        wanted[OutboxStatus.PENDING] = loaded.followers - sent.sent
    if statuses != wanted:
        raise BenchError(f"the period's digests are {statuses}, expected {wanted}")
    if set(rows.values_list("recipient_id", flat=True)) != loaded.expected:
        raise BenchError("the period's digests are not the followers'")
    if Digest.objects.exclude(frequency="weekly", period_start=loaded.period.start).exists():
        raise BenchError("digests were made for another period or frequency")


def check_queries(batches: list[tuple[int, int]]) -> int:
    """The most queries a batch ran; fails if batches of the same size (the
    last one may be smaller) differ by more than QUERY_SPREAD."""
    if not batches:
        raise BenchError("no batch was sent")
    by_size: dict[int, list[int]] = {}
    for size, queries in batches:
        by_size.setdefault(size, []).append(queries)
    for size, counts in by_size.items():
        if max(counts) - min(counts) > QUERY_SPREAD:
            raise BenchError(
                f"batches of {size} digests ran from {min(counts)} to {max(counts)} queries "
                f"({sorted(Counter(counts).items())}): the count must stay constant"
            )
    return max(queries for _size, queries in batches)


def check_flat(after_each: list[int], growth_mb: float, what: str) -> None:
    """Fails if ``what`` (bytes after each batch) grows by more than
    ``growth_mb`` from the end of the warm-up to its highest."""
    if not after_each:
        raise BenchError(f"no {what} was measured")
    settled = after_each[min(WARMUP_BATCHES, len(after_each)) - 1 :]
    growth = max(settled) - settled[0]
    if growth > growth_mb * 2**20:
        raise BenchError(
            f"{what} grew by {growth / 2**20:.1f} MB over {len(settled)} batches after the "
            f"warm-up (from {settled[0] / 2**20:.1f} MB): it must stay flat"
        )
