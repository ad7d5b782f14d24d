"""What a committee report says about one consultation, computed with SQL
aggregation (no Python loop over the consultation's rows), as plain data that
every format writes: numbers, labels and the texts of the most supported
published items with their authors' public names. Nothing else personal.

Breakdowns by region, respondent type and age range count distinct
participants as the facts were recorded with their contributions; a group of
fewer than ``SMALL`` people is shown as suppressed, never as its number."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, F, Func, Max, Q, Value, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AgeRange, Region, RespondentType
from consultations.models import (
    Comment,
    Consultation,
    ItemStatus,
    Proposal,
    Response,
    ResponseOutcome,
    Vote,
    VoteChoice,
)
from consultations.reports import population
from consultations.selectors import tally_counts
from moderation.models import Campaign
from moderation.selectors import transparency_now
from moderation.services import SCREENED

SMALL = 5  # groups smaller than this are suppressed
TOP = 3  # most supported items shown per provision
SCHEMA = "aporta-report/1"


# For the report's few large aggregates: sorts and hashes of a million votes
# fit in memory instead of spilling to disk, and no time goes on compiling
# them to machine code (PostgreSQL's JIT costs more than it saves here).
REPORT_WORK_MEM = "64MB"


@contextlib.contextmanager
def report_snapshot() -> Iterator[None]:
    """One read-only transaction for a report: every table and the annex
    come from the same snapshot of the data, whatever arrives meanwhile.
    Inside a transaction already (a test, say), that transaction's own
    isolation applies. On PostgreSQL the large aggregates get the memory they need
    (``REPORT_WORK_MEM``) for this transaction only."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(
                    "SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                    [REPORT_WORK_MEM],
                )
        yield


def report_content(consultation: Consultation, *, now: datetime | None = None) -> dict:
    """The report's content for ``consultation``: see the JSON schema in the
    README (``SCHEMA``). Read from one snapshot (:func:`report_snapshot`)."""
    with report_snapshot():
        return _content(consultation, now=now or timezone.now())


def _content(consultation: Consultation, *, now: datetime) -> dict:
    version = consultation.version
    bill = version.bill
    per_day, latest = _per_day(consultation)
    groups = _all_groups(consultation)
    return {
        "schema": SCHEMA,
        "generated_at": now.isoformat(),
        "data_until": latest.isoformat() if latest else None,
        "consultation": {
            "id": consultation.pk,
            "title": consultation.title,
            "status": consultation.status,
            "opens_at": consultation.opens_at.isoformat(),
            "closes_at": consultation.closes_at.isoformat(),
            "chamber": str(consultation.chamber),
            "committee": str(consultation.committee),
            "bill": {"number": bill.number, "title": bill.title, "version": version.number},
        },
        "totals": _totals(consultation, groups["total"]),
        "provisions": _provisions(consultation),
        "regions": _regions(groups["region_id"]),
        "respondent_types": _groups(groups["respondent_type"], RespondentType),
        "age_ranges": _groups(groups["age_range"], AgeRange),
        "per_day": per_day,
        "moderation": _moderation(consultation),
        "campaigns": _campaigns(consultation),
        "responses": _responses(consultation),
        "methodology": _methodology(),
    }


def _participants_sql(
    consultation: Consultation, columns: tuple[str, ...] = ()
) -> tuple[str, list]:
    """Distinct (person[, facts]) rows of everyone who voted or has a
    published comment or proposal, as SQL and its parameters. Each part is
    made distinct on its own first: a person has many votes, which the
    database reads in order from the index ``vote_participant`` and keeps
    one row per person and facts of, instead of sorting a million rows for
    the union."""
    quote = connection.ops.quote_name
    extra = "".join(f", {quote(column)}" for column in columns)
    group = ", ".join(["person", *(quote(column) for column in columns)])
    parts, params = [], []
    for model, person, published in (
        (Vote, "voter_id", False),
        (Comment, "author_id", True),
        (Proposal, "author_id", True),
    ):
        where = "consultation_id = %s" + (" AND status = %s" if published else "")
        parts.append(
            f"SELECT {quote(person)} AS person{extra} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names from the models
            f"WHERE {where} GROUP BY {group}"
        )
        params += [consultation.pk] + ([ItemStatus.PUBLISHED] if published else [])
    return " UNION ".join(parts), params


def _totals(consultation: Consultation, participants: int) -> dict:
    published = {"consultation": consultation, "status": ItemStatus.PUBLISHED}
    return {
        "participants": participants,
        "comments": Comment.objects.filter(**published).count(),
        "proposals": Proposal.objects.filter(**published).count(),
        # The tallies the database keeps count every vote once.
        "votes": sum(sum(counts.values()) for counts in tally_counts(consultation).values()),
    }


def _provisions(consultation: Consultation) -> list[dict]:
    """Each article (and the whole bill): votes by stance with shares,
    published comments and proposals, and the most supported items."""
    # The running tallies the database keeps with every vote (migration 0005):
    # one row per provision instead of counting a million votes.
    tallies = tally_counts(consultation)
    counts: dict[str, dict[int | None, int]] = {}
    for name, model in (("comments", Comment), ("proposals", Proposal)):
        counts[name] = dict(
            model.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED)
            .values_list("provision_id").annotate(count=Count("pk")).order_by()
        )  # fmt: skip
    top = _most_supported(consultation)
    places = [(None, _("The whole bill"), "bill")] + [
        (provision.pk, str(provision), provision.eid)
        for provision in consultation.version.provisions.filter(kind="article").order_by("order")
    ]
    rows = []
    for pk, label, eid in places:
        votes = tallies.get(pk, dict.fromkeys(VoteChoice.values, 0))
        total = sum(votes.values())
        rows.append({
            "eid": eid,
            "label": label,
            "votes": votes,
            "shares": {choice: round(100 * count / total, 1) if total else None
                       for choice, count in votes.items()},
            "comments": counts["comments"].get(pk, 0),
            "proposals": counts["proposals"].get(pk, 0),
            "most_supported": top.get(pk, []),
        })  # fmt: skip
    return rows


def _most_supported(consultation: Consultation) -> dict[int | None, list[dict]]:
    """The ``TOP`` most supported published items of each provision, among
    those with at least one support (an item nobody supported is not "most
    supported"). Per kind, one window query ranks the supported items,
    reading only the supports, keys and counts; one reads the few winners'
    texts and authors."""
    found: dict[int | None, list[dict]] = defaultdict(list)
    for kind, model in (("comment", Comment), ("proposal", Proposal)):
        ranked = dict(
            model.objects.filter(
                consultation=consultation, status=ItemStatus.PUBLISHED, supports__isnull=False
            )
            .annotate(support_count=Count("supports"))
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("provision_id")],
                    order_by=[F("support_count").desc(), F("created_at").asc(), F("pk").asc()],
                )
            )
            .filter(rank__lte=TOP)
            .values_list("pk", "support_count")
        )
        winners = model.objects.filter(pk__in=ranked).select_related("author")
        for item in winners.order_by("created_at", "pk"):
            found[item.provision_id].append({
                "kind": kind,
                "id": item.pk,
                "supports": ranked[item.pk],
                "author": item.author.public_name,
                "text": item.text,
            })  # fmt: skip
    for items in found.values():
        items.sort(key=lambda item: -item["supports"])  # stable: the first sent first
        del items[TOP:]
    return found


GROUPED = ("region_id", "respondent_type", "age_range")


def _all_groups(consultation: Consultation) -> dict[str, dict]:
    """Distinct participants in all (``total``) and by region, respondent
    type and age range. On PostgreSQL in one pass over the votes and items
    (``GROUPING SETS``); elsewhere a query per fact."""
    quote = connection.ops.quote_name
    found: dict = {column: {} for column in GROUPED}
    if connection.vendor == "postgresql":
        union, params = _participants_sql(consultation, GROUPED)
        columns = ", ".join(quote(column) for column in GROUPED)
        flags = ", ".join(f"GROUPING({quote(column)})" for column in GROUPED)
        sets = ", ".join(f"({quote(column)})" for column in GROUPED) + ", ()"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns}, {flags}, COUNT(DISTINCT person) FROM ({union}) AS p "  # noqa: S608
                f"GROUP BY GROUPING SETS ({sets})",
                params,
            )
            found["total"] = 0
            for row in cursor.fetchall():
                values, grouped, count = row[:3], row[3:6], row[6]
                if all(grouped):  # the grand total: every person once
                    found["total"] = count
                for index, column in enumerate(GROUPED):
                    if grouped[index] == 0:  # this row groups by this column
                        found[column][values[index]] = count
    else:
        for column in GROUPED:
            union, params = _participants_sql(consultation, (column,))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(column)}, COUNT(DISTINCT person) FROM ({union}) AS p "  # noqa: S608
                    f"GROUP BY {quote(column)}",
                    params,
                )
                found[column] = dict(cursor.fetchall())
        union, params = _participants_sql(consultation)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT person) FROM ({union}) AS p", params)  # noqa: S608
            found["total"] = cursor.fetchone()[0]
    return found


def _suppressed(count: int) -> int | None:
    return count if count >= SMALL else None


def _regions(counts: dict[int | None, int]) -> list[dict]:
    """Participants per region (suppressed under ``SMALL``), each region's
    share of them next to its share of Peru's 2017 census population."""
    total = sum(counts.values())
    rows = []
    for region in Region.objects.order_by("position", "code"):
        count = counts.get(region.pk, 0)
        people = population.CENSUS_2017.get(region.code)
        rows.append({
            "code": region.code,
            "name": str(region),
            "participants": _suppressed(count),
            "share": round(100 * count / total, 1) if total and count >= SMALL else None,
            "population_share": round(100 * people / population.TOTAL_2017, 1) if people else None,
        })  # fmt: skip
    unknown = counts.get(None, 0)
    rows.append({"code": "", "name": _("Not given"), "participants": _suppressed(unknown),
                 "share": round(100 * unknown / total, 1) if total and unknown >= SMALL else None,
                 "population_share": None})  # fmt: skip
    return rows


def _groups(counts: dict[str | None, int], choices) -> list[dict]:
    total = sum(counts.values())
    rows = []
    for value, label in [*choices.choices, ("", _("Not given"))]:
        count = counts.get(value, 0) + (counts.get(None, 0) if value == "" else 0)
        rows.append({
            "value": value,
            "label": str(label),
            "participants": _suppressed(count),
            "share": round(100 * count / total, 1) if total and count >= SMALL else None,
        })  # fmt: skip
    return rows


def _per_day(consultation: Consultation) -> tuple[list[dict], datetime | None]:
    """Votes, published comments and proposals per day, in the calendar of
    the site's time zone (Lima), and when the last of them came in (what the
    report's data goes until)."""
    days: dict[str, dict[str, int]] = defaultdict(lambda: {"votes": 0, "comments": 0,
                                                           "proposals": 0})  # fmt: skip
    zone = timezone.get_current_timezone()
    latest = None
    for name, model, filters in (
        ("votes", Vote, {}),
        ("comments", Comment, {"status": ItemStatus.PUBLISHED}),
        ("proposals", Proposal, {"status": ItemStatus.PUBLISHED}),
    ):
        rows = model.objects.filter(consultation=consultation, **filters)
        for day, count, last in _counts_by_day(rows, zone):
            days[day.isoformat()][name] += count
            latest = last if latest is None or last > latest else latest
    return [{"day": day, **figures} for day, figures in sorted(days.items())], latest


# Every time zone's offset from UTC is a whole number of quarter hours, so a
# quarter hour of UTC never straddles a local midnight.
QUARTER_HOUR = timedelta(minutes=15)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class DateBin(Func):
    """PostgreSQL's ``date_bin(stride, source, origin)``: the start of the
    stride-long bin (counted from ``origin``) that ``source`` falls in."""

    function = "date_bin"
    output_field = DateTimeField()


def _counts_by_day(rows, zone):
    """(local day, count, latest ``created_at``) of ``rows``. On PostgreSQL
    the rows are counted by quarter hour of UTC (``date_bin``: no time-zone
    arithmetic on each of a million rows) and the quarters put in their
    local days here; elsewhere the database converts each row."""
    if connection.vendor == "postgresql":
        bins = rows.annotate(bin=DateBin(Value(QUARTER_HOUR), "created_at", Value(EPOCH)))
        for start, count, last in (
            bins.values_list("bin").annotate(count=Count("pk"), last=Max("created_at")).order_by()
        ):
            yield timezone.localtime(start, zone).date(), count, last
        return
    yield from (
        rows.annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("day").annotate(count=Count("pk"), last=Max("created_at")).order_by()
    )  # fmt: skip


def _moderation(consultation: Consultation) -> dict:
    figures = transparency_now(consultation.pk)
    return {
        "received": figures.received,
        "by_status": figures.by_status,
        "decisions_by_reason": [
            {"reason": str(label), "count": count} for label, count in figures.decisions_by_reason
        ],
        "hidden_by_flags": figures.hidden_by_flags,
        "median_hours_to_decision": figures.median_hours,
    }


def _campaigns(consultation: Consultation) -> list[dict]:
    """Each campaign counted once, with its signatories and representative text."""
    rows = []
    campaigns = Campaign.objects.filter(consultation=consultation).with_figures().filter(size__gt=0)
    for campaign in campaigns.order_by("-size", "pk"):
        model = SCREENED[campaign.representative_kind].model
        text = model.objects.filter(pk=campaign.representative_id).values_list("text", flat=True)
        rows.append({
            "id": campaign.pk,
            "signatories": campaign.size,
            "first_seen": campaign.first_seen.isoformat() if campaign.first_seen else None,
            "last_seen": campaign.last_seen.isoformat() if campaign.last_seen else None,
            "confirmed": campaign.confirmed_at is not None,
            "text": text.first() or "",
        })  # fmt: skip
    return rows


def _responses(consultation: Consultation) -> dict:
    counts = dict(
        Response.objects.filter(consultation=consultation)
        .values_list("outcome").annotate(count=Count("pk")).order_by()
    )  # fmt: skip
    published = sum(
        model.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED).count()
        for model in (Comment, Proposal)
    )
    answered = sum(
        model.objects.filter(
            Q(responses__isnull=False), consultation=consultation, status=ItemStatus.PUBLISHED
        ).count()
        for model in (Comment, Proposal)
    )
    return {
        "by_outcome": {outcome: counts.get(outcome, 0) for outcome in ResponseOutcome.values},
        "answered": answered,
        "unanswered": published - answered,
    }


def _methodology() -> list[str]:
    return [
        _("Participants are the people who voted or have a published comment or alternative "
          "wording; each is counted once."),
        _("Comments and alternative wordings are counted when published; those held, rejected, "
          "hidden or withdrawn are not counted, and moderation figures are given apart."),
        _("Votes are counted per article; each person has one vote per article, which they could "
          "change while the consultation was open; the last one counts."),
        _("Region, respondent type and age range are those the person had given when they took "
          "part; a person who took part from two regions counts in each. Groups of fewer than "
          "%(small)d people are not shown.") % {"small": SMALL},
        _("Near-identical texts sent by many people (campaigns) are counted as one campaign with "
          "its number of signatories, not as independent opinions."),
        _("Population shares: %(source)s.") % {"source": population.SOURCE},
    ]  # fmt: skip
