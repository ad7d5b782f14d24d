"""Daily and weekly digests: for each person, what happened on the bills they
follow (grouped per bill, then per article), plus the emails about their own
contributions that the hourly cap held back.

Beat plans a period's digests once it has ended (07:00 in Lima): one row per
person who has something to read, made with one statement that does nothing
for a row already made, so a period's digest exists once per person however
often planning runs. The rows are then sent in batches of short tasks, each
claiming its rows by a conditional update and marking each one sent by its
own claim; rows a killed worker left behind are taken over once its claim
expires (the sending task that runs every minute sweeps them)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from bills.models import Bill, BillVersion, Provision
from consultations.models import (
    Comment,
    Consultation,
    DigestFrequency,
    Follow,
    ItemStatus,
    Proposal,
)
from notifications import emails
from notifications.models import Digest, Outbox, OutboxStatus
from notifications.services import BATCH, claim, deliver, mailer, within_rate

DIGEST_BATCH = 500  # digests one task sends


@dataclass(frozen=True)
class Period:
    frequency: str
    start: date  # the Lima date it starts
    begins: datetime
    ends: datetime

    @property
    def last_day(self) -> date:
        return (self.ends - timedelta(days=1)).date()


def period_of(frequency: str, start: date) -> Period:
    days = 1 if frequency == DigestFrequency.DAILY else 7
    zone = timezone.get_current_timezone()
    end = start + timedelta(days=days)
    return Period(
        frequency=frequency,
        start=start,
        begins=datetime.combine(start, time.min, tzinfo=zone),
        ends=datetime.combine(end, time.min, tzinfo=zone),
    )


def period_before(frequency: str, moment: datetime) -> Period:
    """The last whole period before ``moment``, in Lima: yesterday, or last
    week from Monday to Sunday."""
    today = timezone.localtime(moment).date()
    if frequency == DigestFrequency.DAILY:
        return period_of(frequency, today - timedelta(days=1))
    return period_of(frequency, today - timedelta(days=today.weekday() + 7))


# --- Planning ---------------------------------------------------------------------------------


@functools.cache
def _plan_statement() -> str:
    quote = connection.ops.quote_name
    digest, follow, outbox, consultation, version = (
        quote(model._meta.db_table) for model in (Digest, Follow, Outbox, Consultation, BillVersion)
    )
    published = [
        f"SELECT v.bill_id FROM {quote(model._meta.db_table)} c "  # noqa: S608 - names from the models
        f"JOIN {consultation} k ON k.id = c.consultation_id "
        f"JOIN {version} v ON v.id = k.version_id "
        "WHERE c.status = 'published' AND c.created_at >= %(begins)s AND c.created_at < %(ends)s"
        for model in (Comment, Proposal)
    ]
    # The bills something happened on in the period: an event, or published
    # comments or alternative wordings.
    active = (
        f"SELECT o.bill_id FROM {outbox} o WHERE o.recipient_id IS NULL "  # noqa: S608 - names from the models
        "AND o.created_at >= %(begins)s AND o.created_at < %(ends)s "
        f"UNION {published[0]} UNION {published[1]}"
    )
    # Their followers with that frequency, and (daily) everyone with emails
    # about their contributions held back by the hourly cap.
    return (
        f"INSERT INTO {digest} (recipient_id, frequency, period_start, created_at, status, "  # noqa: S608 - names from the models
        "attempts, send_after, last_error) "
        "SELECT recipient, %(frequency)s, %(start)s, %(now)s, 'pending', 0, %(now)s, '' FROM ("
        f"SELECT f.follower_id AS recipient FROM {follow} f WHERE f.frequency = %(frequency)s "
        f"AND f.bill_id IN ({active}) "
        f"UNION SELECT o.recipient_id FROM {outbox} o WHERE %(daily)s AND o.status = 'digest' "
        "AND o.digest_id IS NULL AND o.recipient_id IS NOT NULL AND o.created_at < %(ends)s"
        ") AS wanted WHERE true "
        "ON CONFLICT (recipient_id, frequency, period_start) DO NOTHING"
    )


def digests_plan(*, frequency: str, now: datetime | None = None) -> tuple[Period, int]:
    """Makes the digests of the period that last ended; answers the period and
    how many were made now (none the second time)."""
    now = now or timezone.now()
    period = period_before(frequency, now)
    moment = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _plan_statement(),
            {
                "frequency": frequency,
                "start": connection.ops.adapt_datefield_value(period.start),
                "now": moment(now),
                "begins": moment(period.begins),
                "ends": moment(period.ends),
                "daily": frequency == DigestFrequency.DAILY,
            },
        )
        made = cursor.rowcount
    return period, max(made, 0)


def digest_batches(period: Period) -> Iterator[tuple[int, int]]:
    """The period's unsent digests as ranges of ids, ``DIGEST_BATCH`` each."""
    ids = (
        Digest.objects.filter(
            frequency=period.frequency, period_start=period.start, status=OutboxStatus.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    batch: list[int] = []
    for pk in ids.iterator(chunk_size=5000):
        batch.append(pk)
        if len(batch) == DIGEST_BATCH:
            yield batch[0], batch[-1]
            batch = []
    if batch:
        yield batch[0], batch[-1]


# --- Sending ----------------------------------------------------------------------------------


def digests_send(*, first: int, last: int, now: datetime | None = None) -> tuple[int, bool]:
    """Sends the unsent digests with ids from ``first`` to ``last``; answers
    how many were sent and whether the sending rate stopped it (the rest then
    stay for the task to come back to)."""
    token, claimed = claim(
        Digest, now=now or timezone.now(), size=DIGEST_BATCH, only=Q(pk__range=(first, last))
    )
    rows = within_rate(Digest, token, claimed)
    return _send(token, rows), len(rows) < len(claimed)


def digests_send_due(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Sends due digests whatever their batch (those a killed worker left)."""
    sent = 0
    while sent < limit:
        token, claimed = claim(Digest, now=now or timezone.now(), size=min(BATCH, limit - sent))
        rows = within_rate(Digest, token, claimed)
        sent += _send(token, rows)
        if not rows or len(rows) < len(claimed):
            break
    return sent


def _send(token, rows: list[Digest]) -> int:
    """Sends claimed digests through one mailer connection; answers how many."""
    if not rows:
        return 0
    news = contents(rows)
    sent = 0
    with mailer() as connection:
        for row in rows:
            content = news[row.pk]
            build = functools.partial(_message, content=content)
            done = deliver(Digest, token, row, build, connection)
            if done and content.personal:
                Outbox.objects.filter(pk__in=[each.pk for each in content.personal]).update(
                    status=OutboxStatus.SENT, sent_at=timezone.now()
                )
            sent += done
    return sent


def _message(digest: Digest, content: Content):
    """The digest's email; the held-back emails it carries are tied to it first
    (so another digest never carries them too)."""
    content.personal = emails.renderable(content.personal)
    if content.personal:
        wanted = [each.pk for each in content.personal]
        Outbox.objects.filter(
            Q(digest__isnull=True) | Q(digest=digest), pk__in=wanted, status=OutboxStatus.DIGEST
        ).update(digest=digest)
        ours = set(Outbox.objects.filter(digest=digest, pk__in=wanted).values_list("pk", flat=True))
        content.personal = [each for each in content.personal if each.pk in ours]
    return emails.build_digest(digest, content)


@dataclass
class ArticleNews:
    """What was published on one provision (None: the whole bill) of one
    consultation in the period."""

    consultation_id: int
    provision: Provision | None
    comments: int = 0
    proposals: int = 0


@dataclass
class BillNews:
    bill: Bill
    events: list[Outbox] = field(default_factory=list)
    articles: list[ArticleNews] = field(default_factory=list)


@dataclass
class Content:
    """What one digest says: news of each followed bill, and the person's own."""

    period: Period
    bills: list[BillNews] = field(default_factory=list)
    personal: list[Outbox] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.bills or self.personal)


def _attach_activity(news: dict[int, BillNews], followed: set[int], period: Period) -> None:
    """Comments and alternative wordings published in the period on each
    followed bill, counted per consultation and provision (two queries, and one
    for the provisions named)."""
    counts: dict[tuple[int, int, int | None], list[int]] = defaultdict(lambda: [0, 0])
    for index, model in enumerate((Comment, Proposal)):
        rows = (
            model.objects.filter(
                consultation__version__bill_id__in=followed,
                status=ItemStatus.PUBLISHED,
                created_at__gte=period.begins,
                created_at__lt=period.ends,
            )
            .values_list("consultation__version__bill_id", "consultation_id", "provision_id")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for bill, consultation, provision, count in rows:
            counts[bill, consultation, provision][index] += count
    if not counts:
        return
    provisions = Provision.objects.in_bulk({key[2] for key in counts if key[2] is not None})
    missing = {key[0] for key in counts} - set(news)
    bills = Bill.objects.in_bulk(missing) if missing else {}
    for (bill, consultation, provision), (comments, proposals) in counts.items():
        if bill not in news:
            news[bill] = BillNews(bills[bill])
        news[bill].articles.append(
            ArticleNews(consultation, provisions.get(provision), comments, proposals)
        )
    for item in news.values():
        item.articles.sort(
            key=lambda article: (article.provision is not None,
                                 article.provision.order if article.provision else 0)
        )  # fmt: skip


def contents(rows: list[Digest]) -> dict[int, Content]:
    """Every digest's content for a batch, in a fixed number of queries: the
    recipients' follows, the followed bills' events of the period, and the
    emails held back for them."""
    found: dict[int, Content] = {}
    groups: dict[tuple[str, date], list[Digest]] = defaultdict(list)
    for row in rows:
        groups[row.frequency, row.period_start].append(row)
    for (frequency, start), digests in groups.items():
        period = period_of(frequency, start)
        people = {row.recipient_id for row in digests}
        follows: dict[int, set[int]] = defaultdict(set)
        for follower, bill in Follow.objects.filter(
            follower_id__in=people, frequency=frequency
        ).values_list("follower_id", "bill_id"):
            follows[follower].add(bill)
        followed = set().union(*follows.values()) if follows else set()
        news: dict[int, BillNews] = {}
        events = (
            Outbox.objects.filter(
                recipient__isnull=True,
                bill_id__in=followed,
                created_at__gte=period.begins,
                created_at__lt=period.ends,
            )
            .select_related("bill", "consultation", "provision")
            .order_by("created_at", "pk")
        )
        for event in events:
            news.setdefault(event.bill_id, BillNews(event.bill)).events.append(event)
        _attach_activity(news, followed, period)
        held: dict[int, list[Outbox]] = defaultdict(list)
        mine = Q(digest__isnull=True) | Q(digest__in=[row.pk for row in digests])
        for row in (
            Outbox.objects.filter(
                mine,
                recipient_id__in=people,
                status=OutboxStatus.DIGEST,
                created_at__lt=period.ends,
            )
            .select_related("recipient", "consultation", "provision")
            .order_by("created_at", "pk")
        ):
            held[row.recipient_id].append(row)
        for row in digests:
            bills = [news[bill] for bill in follows.get(row.recipient_id, ()) if bill in news]
            bills.sort(key=lambda item: item.bill.title)
            found[row.pk] = Content(period, bills, held.get(row.recipient_id, []))
    return found
