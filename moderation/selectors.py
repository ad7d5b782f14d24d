"""Reads for moderators: the queue, ranked by risk, and the moderation log."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from consultations.models import Comment, Flag, FlagReason, ItemStatus, Proposal
from moderation.models import (
    RISK,
    Action,
    AuditEntry,
    Campaign,
    CampaignMember,
    DecisionReason,
    Finding,
    Rule,
    ScreenedKind,
)
from moderation.services import SCREENED

# What waits for a moderator.
WAITING = (ItemStatus.PENDING, ItemStatus.HELD)
# How many of each kind the queue reads at most; the rest wait for the next page.
QUEUE_LIMIT = 300
# Each person who flagged an item since a moderator last decided on it adds this.
FLAG_RISK = 25
# The queue's filter for items citizens flagged (not a screening rule).
FLAGGED = "flagged"
IN_CAMPAIGN = "campaign"  # the queue's filter for items in a campaign
FLAGS_READ = 20_000  # open flags read at most per kind


@dataclass
class Part:
    """One screened text of an item, with what screening found in it."""

    name: str
    text: str
    findings: list[Finding] = field(default_factory=list)

    def highlighted(self) -> SafeString:
        """The text, escaped, each finding marked (``<mark>``) with its rule."""
        pieces, place = [], 0
        for finding in sorted(self.findings, key=lambda each: (each.start, -each.end)):
            if finding.start < place or finding.end > len(self.text):
                continue  # overlapping or stale: the first mark stands
            pieces.append(format_html("{}", self.text[place : finding.start]))
            pieces.append(
                format_html(
                    '<mark class="hit hit-{}" title="{}">{}</mark>',
                    finding.rule,
                    Rule(finding.rule).label,
                    self.text[finding.start : finding.end],
                )
            )
            place = finding.end
        pieces.append(format_html("{}", self.text[place:]))
        return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above


@dataclass
class QueueItem:
    kind: str
    pk: int
    status: str
    consultation_id: int
    consultation_title: str
    place: str  # the provision's label, or "" for the whole bill
    author_id: int
    author_name: str
    created_at: datetime
    parts: list[Part]
    risk: int = 0
    history: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)  # open flags by reason
    campaign_size: int = 0  # the campaign it belongs to, if any: its signatories

    @property
    def flag_labels(self) -> list[tuple[str, int]]:
        return [(FlagReason(reason).label, count) for reason, count in sorted(self.flags.items())]

    @property
    def key(self) -> str:
        """What a form sends to name this item as the moderator saw it."""
        return f"{self.kind}:{self.pk}:{self.status}"

    @property
    def rules(self) -> list[str]:
        return sorted({finding.rule for part in self.parts for finding in part.findings})

    def waiting(self, now: datetime) -> timedelta:
        return now - self.created_at

    def overdue(self, now: datetime) -> bool:
        return self.waiting(now) > timedelta(hours=settings.APORTA_MODERATION_TARGET_HOURS)


def queue(
    *,
    consultation_id: int | None = None,
    kind: str | None = None,
    rule: str | None = None,
    older_than_hours: int | None = None,
) -> list[QueueItem]:
    """Items waiting for a moderator, the riskiest first (the summed weight of
    what screening found: personal data most), the longest waiting first among
    equals."""
    items: list[QueueItem] = []
    for each_kind, spec in SCREENED.items():
        if kind and kind != each_kind:
            continue
        if not spec.in_consultation:
            if consultation_id or rule in (FLAGGED, IN_CAMPAIGN):
                continue
            items += _names(spec, rule=rule, older_than_hours=older_than_hours)
            continue
        rows = spec.model.objects.all()
        if spec.model not in (Comment, Proposal):
            rows = rows.exclude(reason="")
        if consultation_id:
            rows = rows.filter(consultation_id=consultation_id)
        if older_than_hours:
            rows = rows.filter(created_at__lte=timezone.now() - timedelta(hours=older_than_hours))
        flagged = _open_flags(each_kind, rows) if spec.model in (Comment, Proposal) else {}
        if rule == FLAGGED:
            waiting = rows.filter(pk__in=list(flagged))
        elif rule == IN_CAMPAIGN:
            members = CampaignMember.objects.filter(kind=each_kind).values("object_id")
            waiting = rows.filter(
                Q(**{f"{spec.status}__in": WAITING}) | Q(pk__in=list(flagged)), pk__in=members
            )
        else:
            waiting = rows.filter(**{f"{spec.status}__in": WAITING})
            if rule:
                found = Finding.objects.filter(kind=each_kind, rule=rule)
                waiting = waiting.filter(pk__in=found.values("object_id"))
            else:
                waiting = rows.filter(
                    Q(**{f"{spec.status}__in": WAITING}) | Q(pk__in=list(flagged))
                )
        batch = _queue_items(each_kind, spec, waiting.order_by("created_at", "pk")[:QUEUE_LIMIT])
        for item in batch:
            item.flags = flagged.get(item.pk, {})
            item.risk += FLAG_RISK * sum(item.flags.values())
        items += batch
    _attach_findings(items)
    _attach_history(items)
    _attach_campaigns(items)
    return sorted(items, key=lambda item: (-item.risk, item.created_at, item.pk))


def _attach_campaigns(items: list[QueueItem]) -> None:
    by_kind: dict[str, dict[int, QueueItem]] = defaultdict(dict)
    for item in items:
        by_kind[item.kind][item.pk] = item
    for kind, wanted in by_kind.items():
        members = CampaignMember.objects.filter(kind=kind, object_id__in=list(wanted))
        sizes = members.annotate(size=Count("campaign__members")).values_list("object_id", "size")
        for object_id, size in sizes:
            wanted[object_id].campaign_size = size


def _names(spec, *, rule: str | None, older_than_hours: int | None) -> list[QueueItem]:
    """Public names screening held, waiting since they were screened."""
    people = spec.model.objects.filter(**{f"{spec.status}__in": WAITING})
    if rule:
        found = Finding.objects.filter(kind=ScreenedKind.DISPLAY_NAME, rule=rule)
        people = people.filter(pk__in=found.values("object_id"))
    if older_than_hours:
        cutoff = timezone.now() - timedelta(hours=older_than_hours)
        people = people.filter(**{f"{spec.screened_at}__lte": cutoff})
    return [
        QueueItem(
            kind=ScreenedKind.DISPLAY_NAME,
            pk=person.pk,
            status=getattr(person, spec.status),
            consultation_id=0,
            consultation_title="",
            place="",
            author_id=person.pk,
            author_name=person.display_name,
            created_at=getattr(person, spec.screened_at) or person.date_joined,
            parts=[Part("display_name", person.display_name)],
        )
        for person in people.order_by(spec.screened_at, "pk")[:QUEUE_LIMIT]
    ]


def _open_flags(kind: str, rows: QuerySet) -> dict[int, dict[str, int]]:
    """Flags on published or hidden items of ``rows`` made since a moderator
    last decided on the item (a decision answers the flags before it): by item,
    the count per reason, one per person."""
    flags = (
        Flag.objects.filter(
            **{f"{kind}__in": rows.filter(status__in=(ItemStatus.PUBLISHED, ItemStatus.HIDDEN))}
        )
        .values_list(f"{kind}_id", "reason", "created_at")
        .order_by()[:FLAGS_READ]
    )
    flags = list(flags)
    decided = dict(
        AuditEntry.objects.filter(
            kind=kind, object_id__in={pk for pk, _reason, _at in flags}, actor__isnull=False
        )
        .values("object_id")
        .annotate(last=Max("created_at"))
        .values_list("object_id", "last")
    )
    open_flags: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk, reason, created_at in flags:
        if pk not in decided or created_at > decided[pk]:
            open_flags[pk][reason] += 1
    return {pk: dict(reasons) for pk, reasons in open_flags.items()}


def _queue_items(kind: str, spec, rows: QuerySet) -> list[QueueItem]:
    author = "voter" if kind == ScreenedKind.REASON else "author"
    rows = rows.select_related("consultation", "provision", author)
    return [
        QueueItem(
            kind=kind,
            pk=row.pk,
            status=getattr(row, spec.status),
            consultation_id=row.consultation_id,
            consultation_title=row.consultation.title,
            place=str(row.provision) if row.provision_id else "",
            author_id=getattr(row, f"{author}_id"),
            author_name=getattr(row, author).display_name,
            created_at=row.created_at,
            parts=[Part(name, getattr(row, name) or "") for name in spec.fields],
        )
        for row in rows
    ]


def _attach_findings(items: list[QueueItem]) -> None:
    by_kind: dict[str, dict[int, QueueItem]] = defaultdict(dict)
    for item in items:
        by_kind[item.kind][item.pk] = item
    for kind, wanted in by_kind.items():
        for finding in Finding.objects.filter(kind=kind, object_id__in=list(wanted)):
            item = wanted[finding.object_id]
            item.risk += RISK.get(finding.rule, 0)
            for part in item.parts:
                if part.name == finding.field:
                    part.findings.append(finding)


def _attach_history(items: list[QueueItem]) -> None:
    """Each author's contributions so far, by state: a moderator weighs a first
    slip differently from a habit."""
    authors = {item.author_id for item in items}
    history: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ItemStatus.values, 0))
    for model in (Comment, Proposal):
        rows = (
            model.objects.filter(author_id__in=authors)
            .values_list("author_id", "status")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for author_id, status, count in rows:
            history[author_id][status] += count
    for item in items:
        item.history = history[item.author_id]


def log(*, consultation_id: int | None = None) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.select_related("actor", "consultation")
    if consultation_id:
        entries = entries.filter(consultation_id=consultation_id)
    return entries.order_by("-created_at", "-pk")


# --- Transparency ----------------------------------------------------------------------------

TRANSPARENCY_SECONDS = 60  # the public figures may be this old


@dataclass(frozen=True)
class Transparency:
    received: int
    by_status: dict[str, int]
    decisions_by_reason: list[tuple[str, int]]  # (reason label, count)
    hidden_by_flags: int
    decided: int
    median_hours: float | None
    campaigns: int = 0
    signatories: int = 0


def transparency(consultation_id: int) -> Transparency:
    """What moderation did in one consultation, for everyone to see: items
    received and where they are now, decisions by reason, items citizens'
    flags hid, and the median time from submission to a moderator's first
    decision. Computed at most once a minute per consultation."""
    key = f"moderation:transparency:{consultation_id}"
    found = cache.get(key)
    if found is None:
        found = _transparency(consultation_id)
        cache.set(key, found, TRANSPARENCY_SECONDS)
    return found


def _transparency(consultation_id: int) -> Transparency:
    by_status: dict[str, int] = dict.fromkeys(ItemStatus.values, 0)
    waits: list[float] = []
    for kind, spec in SCREENED.items():
        if not spec.in_consultation:
            continue
        rows = spec.model.objects.filter(consultation_id=consultation_id)
        if spec.model not in (Comment, Proposal):
            rows = rows.exclude(reason="")
        counts = rows.values_list(spec.status).annotate(count=Count("pk")).order_by()
        for status, count in counts:
            if status in by_status:
                by_status[status] += count
        first_decision = (
            AuditEntry.objects.filter(kind=kind, object_id=OuterRef("pk"), actor__isnull=False)
            .order_by("created_at")
            .values("created_at")[:1]
        )
        decided = (
            rows.annotate(decided_at=Subquery(first_decision))
            .filter(decided_at__isnull=False)
            .values_list("created_at", "decided_at")
        )
        waits += [(decided_at - created).total_seconds() / 3600 for created, decided_at in decided]
    log = AuditEntry.objects.filter(consultation_id=consultation_id)
    reasons = (
        log.exclude(reason="").values_list("reason").annotate(count=Count("pk")).order_by("-count")
    )
    return Transparency(
        campaigns=Campaign.objects.filter(consultation_id=consultation_id).count(),
        signatories=CampaignMember.objects.filter(
            campaign__consultation_id=consultation_id
        ).count(),
        received=sum(by_status.values()),
        by_status=by_status,
        decisions_by_reason=[(DecisionReason(reason).label, count) for reason, count in reasons],
        hidden_by_flags=log.filter(action=Action.FLAGGED).count(),
        decided=len(waits),
        median_hours=round(statistics.median(waits), 1) if waits else None,
    )
