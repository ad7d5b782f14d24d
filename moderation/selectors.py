"""Reads for moderators: the queue, ranked by risk, and the moderation log."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from consultations.models import Comment, Flag, FlagReason, ItemStatus, Proposal, Response
from moderation.models import (
    DECISIONS,
    RISK,
    Action,
    Appeal,
    AppealOutcome,
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
APPEALED = "appealed"  # the queue's filter for decisions their authors appealed
# An appeal waits for a second look: it ranks with an insult.
APPEAL_RISK = 50
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
    campaign_id: int | None = None
    appeal: Appeal | None = None  # the author's open appeal of a decision
    own_decision: bool = False  # the moderator looking made the decision appealed

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
    viewer=None,
) -> list[QueueItem]:
    """Items waiting for a moderator, the riskiest first (the summed weight of
    what screening found: personal data most), the longest waiting first among
    equals: held and pending items, flagged ones, and decisions their authors
    appealed (marked for ``viewer`` when the decision was theirs: another
    moderator decides the appeal)."""
    items: list[QueueItem] = []
    for each_kind, spec in SCREENED.items():
        if kind and kind != each_kind:
            continue
        if not spec.in_consultation:
            if consultation_id or rule in (FLAGGED, IN_CAMPAIGN):
                continue
            items += _names(spec, rule=rule, older_than_hours=older_than_hours)
            continue
        appealed = Appeal.objects.filter(kind=each_kind, outcome=AppealOutcome.OPEN).values(
            "object_id"
        )
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
        elif rule == APPEALED:
            waiting = rows.filter(pk__in=appealed)
        elif rule == IN_CAMPAIGN:
            members = CampaignMember.objects.filter(
                kind=each_kind, released_at__isnull=True
            ).values("object_id")
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
                    Q(**{f"{spec.status}__in": WAITING})
                    | Q(pk__in=list(flagged))
                    | Q(pk__in=appealed)
                )
        # The riskiest first already in the database, so the page read holds
        # the riskiest items however many wait (then ranked exactly below).
        waiting = waiting.annotate(
            rank=Coalesce(Subquery(_screening_risk(each_kind)), 0)
            + Case(When(pk__in=list(flagged), then=Value(FLAG_RISK)), default=Value(0))
            + Case(When(pk__in=appealed, then=Value(APPEAL_RISK)), default=Value(0))
        )
        batch = _queue_items(
            each_kind, spec, waiting.order_by("-rank", "created_at", "pk")[:QUEUE_LIMIT]
        )
        for item in batch:
            item.flags = flagged.get(item.pk, {})
            item.risk += FLAG_RISK * sum(item.flags.values())
        items += batch
    _attach_findings(items)
    _attach_history(items)
    _attach_campaigns(items)
    _attach_appeals(items, viewer)
    return sorted(items, key=lambda item: (-item.risk, item.created_at, item.pk))


def _attach_campaigns(items: list[QueueItem]) -> None:
    by_kind: dict[str, dict[int, QueueItem]] = defaultdict(dict)
    for item in items:
        by_kind[item.kind][item.pk] = item
    for kind, wanted in by_kind.items():
        members = CampaignMember.objects.filter(
            kind=kind, object_id__in=list(wanted), released_at__isnull=True
        )
        counted = Q(campaign__members__released_at__isnull=True)
        sizes = members.annotate(size=Count("campaign__members", filter=counted))
        for object_id, campaign_id, size in sizes.values_list("object_id", "campaign_id", "size"):
            wanted[object_id].campaign_size = size
            wanted[object_id].campaign_id = campaign_id


def _screening_risk(kind: str) -> QuerySet:
    """The summed weight of what screening found in an item (``OuterRef``)."""
    weight = Case(
        *[When(rule=rule, then=Value(risk)) for rule, risk in RISK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        Finding.objects.filter(kind=kind, object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(total=Sum(weight))
        .values("total")
    )


def _attach_appeals(items: list[QueueItem], viewer) -> None:
    by_kind: dict[str, dict[int, QueueItem]] = defaultdict(dict)
    for item in items:
        by_kind[item.kind][item.pk] = item
    for kind, wanted in by_kind.items():
        appeals = Appeal.objects.filter(
            kind=kind, object_id__in=list(wanted), outcome=AppealOutcome.OPEN
        ).select_related("decision__actor")
        for appeal in appeals:
            item = wanted[appeal.object_id]
            item.appeal = appeal
            item.own_decision = viewer is not None and appeal.decision.actor_id == viewer.pk
            item.risk += APPEAL_RISK


def _names(spec, *, rule: str | None, older_than_hours: int | None) -> list[QueueItem]:
    """Public names screening held, and rejected ones their owners appealed,
    waiting since they were screened."""
    appealed = Appeal.objects.filter(
        kind=ScreenedKind.DISPLAY_NAME, outcome=AppealOutcome.OPEN
    ).values("object_id")
    if rule == APPEALED:
        people = spec.model.objects.filter(pk__in=appealed)
    else:
        people = spec.model.objects.filter(
            Q(**{f"{spec.status}__in": WAITING}) | Q(pk__in=appealed)
        )
    if rule and rule != APPEALED:
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
            kind=kind, object_id__in={pk for pk, _reason, _at in flags}, action__in=DECISIONS
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


# --- A person's own contributions ------------------------------------------------------------


@dataclass
class OwnItem:
    """One of a person's contributions, as its author sees it: its state, the
    moderator's last decision on it and the reason, and any appeal."""

    kind: str
    pk: int
    status: str
    text: str
    consultation_id: int
    consultation_title: str
    place: str
    created_at: datetime
    decision: AuditEntry | None = None
    appeal: Appeal | None = None
    response: object | None = None  # the committee's answer (consultations.Response)

    @property
    def kind_label(self) -> str:
        return ScreenedKind(self.kind).label

    @property
    def status_label(self) -> str:
        return ItemStatus(self.status).label

    @property
    def appealable(self) -> bool:
        from moderation.services import APPEALABLE

        return (
            self.appeal is None
            and self.status in (ItemStatus.REJECTED, ItemStatus.HIDDEN)
            and self.decision is not None
            and self.decision.action in APPEALABLE
        )


def own_items(user) -> QuerySet:
    """Every contribution of ``user`` (comments, proposals, reasons given with
    a vote), newest first, as ``(kind, pk, created_at)`` rows: one query that
    pages, whatever the number."""
    parts = []
    for kind, spec in SCREENED.items():
        if not spec.in_consultation:
            continue
        rows = spec.model.objects.filter(**{spec.author: user.pk})
        if spec.model not in (Comment, Proposal):
            rows = rows.exclude(reason="")
        parts.append(
            rows.annotate(kind=Value(kind.value, output_field=CharField()))
            .values_list("kind", "pk", "created_at")
            .order_by()
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-created_at", "-pk")


def own_items_detail(rows) -> list[OwnItem]:
    """The page's contributions in full, with decisions and appeals."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for kind, pk, _created_at in rows:
        wanted[kind].append(pk)
    found: dict[tuple[str, int], OwnItem] = {}
    for kind, pks in wanted.items():
        spec = SCREENED[ScreenedKind(kind)]
        for row in spec.model.objects.filter(pk__in=pks).select_related(
            "consultation", "provision"
        ):
            found[kind, row.pk] = OwnItem(
                kind=kind,
                pk=row.pk,
                status=getattr(row, spec.status),
                text=getattr(row, spec.fields[0]) or "",
                consultation_id=row.consultation_id,
                consultation_title=row.consultation.title,
                place=str(row.provision) if row.provision_id else "",
                created_at=row.created_at,
            )
        decisions = AuditEntry.objects.filter(
            kind=kind, object_id__in=pks, action__in=DECISIONS
        ).order_by("created_at", "pk")
        for entry in decisions:  # the last one stays
            found[kind, entry.object_id].decision = entry
        for appeal in Appeal.objects.filter(kind=kind, object_id__in=pks):
            found[kind, appeal.object_id].appeal = appeal
        if kind in (ScreenedKind.COMMENT, ScreenedKind.PROPOSAL):
            for response in Response.objects.filter(**{f"{kind}_id__in": pks}):
                found[kind, getattr(response, f"{kind}_id")].response = response
    return [found[kind, pk] for kind, pk, _created_at in rows if (kind, pk) in found]


def own_item(user, kind: str, pk: int) -> OwnItem | None:
    """One of ``user``'s contributions, or None (not theirs, or no such one)."""
    if kind not in ScreenedKind.values or kind == ScreenedKind.DISPLAY_NAME:
        return None
    spec = SCREENED[ScreenedKind(kind)]
    row = (
        spec.model.objects.filter(pk=pk, **{spec.author: user.pk})
        .values_list("created_at", flat=True)
        .first()
    )
    if row is None:
        return None
    items = own_items_detail([(kind, pk, row)])
    return items[0] if items else None


def own_name(user) -> OwnItem | None:
    """The person's public name while it is not published, with the decision
    on it and any appeal; None once it is published."""
    if user.display_name_status == ItemStatus.PUBLISHED:
        return None
    kind = ScreenedKind.DISPLAY_NAME
    item = OwnItem(
        kind=kind,
        pk=user.pk,
        status=user.display_name_status,
        text=user.display_name,
        consultation_id=0,
        consultation_title="",
        place="",
        created_at=user.display_name_screened_at or user.date_joined,
    )
    item.decision = (
        AuditEntry.objects.filter(kind=kind, object_id=user.pk, action__in=DECISIONS)
        .order_by("-created_at", "-pk")
        .first()
    )
    item.appeal = Appeal.objects.filter(kind=kind, object_id=user.pk).first()
    return item


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
    decision. Computed at most once a minute per consultation (a report
    reads :func:`transparency_now`)."""
    key = f"moderation:transparency:{consultation_id}"
    found = cache.get(key)
    if found is None:
        found = transparency_now(consultation_id)
        cache.set(key, found, TRANSPARENCY_SECONDS)
    return found


def transparency_now(consultation_id: int) -> Transparency:
    """:func:`transparency`'s figures, computed now. The time to a decision is
    read only for the items with one (found from the log's side), so a
    consultation's many undecided items cost nothing here."""
    log = AuditEntry.objects.filter(consultation_id=consultation_id)
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
            AuditEntry.objects.filter(kind=kind, object_id=OuterRef("pk"), action__in=DECISIONS)
            .order_by("created_at")
            .values("created_at")[:1]
        )
        with_decision = log.filter(kind=kind, action__in=DECISIONS).values("object_id")
        decided = (
            rows.filter(pk__in=with_decision)
            .annotate(decided_at=Subquery(first_decision))
            .filter(decided_at__isnull=False)
            .values_list("created_at", "decided_at")
        )
        waits += [(decided_at - created).total_seconds() / 3600 for created, decided_at in decided]
    reasons = (
        log.exclude(reason="").values_list("reason").annotate(count=Count("pk")).order_by("-count")
    )
    return Transparency(
        campaigns=Campaign.objects.filter(consultation_id=consultation_id).count(),
        signatories=CampaignMember.objects.filter(
            campaign__consultation_id=consultation_id, released_at__isnull=True
        ).count(),
        received=sum(by_status.values()),
        by_status=by_status,
        decisions_by_reason=[(DecisionReason(reason).label, count) for reason, count in reasons],
        hidden_by_flags=log.filter(action=Action.FLAGGED).count(),
        decided=len(waits),
        median_hours=round(statistics.median(waits), 1) if waits else None,
    )


# --- Campaigns under review ------------------------------------------------------------------

EXCERPT_CHARS = 280  # of a campaign's representative text, in the list


def campaigns(*, consultation_id: int | None = None) -> QuerySet[Campaign]:
    """Campaigns with their figures (``size``: signatories, ``first_seen``,
    ``last_seen``, released members not counted) and who confirmed them, the
    largest first. Page it, then read the page's texts with
    :func:`with_representatives`."""
    found = Campaign.objects.with_figures().select_related("consultation", "confirmed_by")
    if consultation_id:
        found = found.filter(consultation_id=consultation_id)
    return found.order_by("-size", "-last_seen", "pk")


def with_representatives(found: list[Campaign]) -> list[Campaign]:
    """``found``, each with its representative text (``representative_text``,
    empty if the item is gone) and the start of it (``excerpt``): one query per
    kind of item."""
    items = _campaign_items([(c.representative_kind, c.representative_id) for c in found])
    for campaign in found:
        item = items.get((campaign.representative_kind, campaign.representative_id))
        text = item.text if item else ""
        campaign.representative_text = text
        campaign.excerpt = (
            text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"
        )
    return found


@dataclass(frozen=True)
class MemberRow:
    """One text of a campaign as a moderator reviews it."""

    kind: str
    pk: int
    text: str
    author_name: str  # public name only
    created_at: datetime  # when it was sent
    status: str  # the item's moderation state ("" if the item is gone)
    released_at: datetime | None

    @property
    def key(self) -> str:
        """What the page's form sends to name this text."""
        return f"{self.kind}:{self.pk}"

    @property
    def status_label(self) -> str:
        return ItemStatus(self.status).label if self.status in ItemStatus.values else "—"


def campaign_members(*, campaign_id: int, released: bool = False) -> QuerySet[CampaignMember]:
    """A campaign's counted members or, with ``released``, those a moderator
    set aside (kept on record, not counted), the first sent first. Page it,
    then read the page's texts with :func:`member_rows`."""
    return CampaignMember.objects.filter(
        campaign_id=campaign_id, released_at__isnull=not released
    ).order_by("created_at", "pk")


def member_rows(members: list[CampaignMember]) -> list[MemberRow]:
    """The members' texts, authors' public names and states: one query per kind."""
    items = _campaign_items([(member.kind, member.object_id) for member in members])
    rows = []
    for member in members:
        item = items.get((member.kind, member.object_id))
        rows.append(
            MemberRow(
                kind=member.kind,
                pk=member.object_id,
                text=item.text if item else "",
                author_name=item.author.public_name if item else "",
                created_at=member.created_at,
                status=item.status if item else "",
                released_at=member.released_at,
            )
        )
    return rows


def _campaign_items(keys: list[tuple[str, int]]) -> dict[tuple[str, int], Comment | Proposal]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, pk in keys:
        wanted[kind].add(pk)
    found = {}
    for kind, pks in wanted.items():
        model = SCREENED[ScreenedKind(kind)].model
        rows = model.objects.filter(pk__in=pks).select_related("author")
        rows = rows.only("text", "status", "author__display_name", "author__display_name_status")
        found.update({(kind, row.pk): row for row in rows})
    return found


# --- The day's summary -------------------------------------------------------------------------


def summary(now: datetime | None = None) -> dict[str, int]:
    """What waits for moderators, in numbers: items waiting for a decision,
    the oldest's wait in hours, those past the target time, published items
    citizens flagged, and open appeals."""
    now = now or timezone.now()
    target = now - timedelta(hours=settings.APORTA_MODERATION_TARGET_HOURS)
    waiting = overdue = flagged = 0
    oldest = None
    for kind, spec in SCREENED.items():
        rows = spec.model.objects.all()
        if spec.model not in (Comment, Proposal) and spec.in_consultation:
            rows = rows.exclude(reason="")
        since = "created_at" if spec.in_consultation else spec.screened_at
        held = rows.filter(**{f"{spec.status}__in": WAITING})
        figures = held.aggregate(
            count=Count("pk"),
            oldest=Min(since),
            overdue=Count("pk", filter=Q(**{f"{since}__lt": target})),
        )
        waiting += figures["count"]
        overdue += figures["overdue"]
        if figures["oldest"] and (oldest is None or figures["oldest"] < oldest):
            oldest = figures["oldest"]
        if spec.model in (Comment, Proposal):
            open_flags = _open_flags(kind, rows)
            flagged += rows.filter(pk__in=list(open_flags), status=ItemStatus.PUBLISHED).count()
    return {
        "waiting": waiting,
        "oldest_hours": int((now - oldest).total_seconds() // 3600) if oldest else 0,
        "overdue": overdue,
        "flagged": flagged,
        "appeals": Appeal.objects.filter(outcome=AppealOutcome.OPEN).count(),
    }
