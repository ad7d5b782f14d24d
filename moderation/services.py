"""Screening of what citizens submit: the rules' hits stored as findings, and
the item held for a moderator when there are any."""

from __future__ import annotations

import functools
import hashlib
import logging
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config import sql
from config.text import clean_text
from consultations.models import Comment, Consultation, Flag, ItemStatus, Proposal, Vote
from moderation import campaigns, screening
from moderation.models import (
    Action,
    AuditEntry,
    BlockedDomain,
    Campaign,
    CampaignMember,
    DecisionReason,
    Finding,
    Fingerprint,
    Rule,
    ScreenedKind,
    Term,
)
from moderation.permissions import can_moderate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Screened:
    """What each kind of item is: its model, the fields screened, the field
    recording when, and the field holding its moderation state."""

    model: type
    fields: tuple[str, ...]
    screened_at: str
    status: str
    author: str = "author_id"
    in_consultation: bool = True  # a public name belongs to none

    @property
    def read(self) -> tuple[str, ...]:
        """What screening reads of an item."""
        names = ["id", self.status, *self.fields]
        if self.in_consultation:
            names += ["consultation_id", self.author, "created_at"]
        return tuple(names)


SCREENED = {
    ScreenedKind.COMMENT: Screened(Comment, ("text",), "screened_at", "status"),
    ScreenedKind.PROPOSAL: Screened(Proposal, ("text", "reason"), "screened_at", "status"),
    ScreenedKind.REASON: Screened(
        Vote, ("reason",), "reason_screened_at", "reason_status", author="voter_id"
    ),
    ScreenedKind.DISPLAY_NAME: Screened(
        User,
        ("display_name",),
        "display_name_screened_at",
        "display_name_status",
        author="id",
        in_consultation=False,
    ),
}

# The same author's copies of one text before another copy is held.
REPEATS_ALLOWED = 2
REPETITION_WINDOW = timedelta(days=1)


# --- The lists ---------------------------------------------------------------------------

_lists_lock = threading.Lock()
_lists_cache: dict[str, tuple[tuple, screening.Lists]] = {}


@functools.cache
def _lists_version_query() -> str:
    quote = connection.ops.quote_name
    return " UNION ALL ".join(
        f"SELECT COUNT(*), MAX({quote('updated_at')}) FROM {quote(model._meta.db_table)}"  # noqa: S608 - names from the models
        for model in (Term, BlockedDomain)
    )


def _lists_version() -> tuple:
    """How many terms and domains there are and when one last changed, in one
    round trip: what tells whether the lists must be built again."""
    with connection.cursor() as cursor:
        cursor.execute(_lists_version_query())
        return tuple(cursor.fetchall())


def current_lists() -> screening.Lists:
    """The lists as administrators left them. Built again only when a term or a
    domain changed (one small query tells), so every screening sees an edit at
    once, in every worker, without rebuilding the lists each time."""
    version = (_lists_version(), settings.APORTA_SCREENING_MAX_LINKS)
    key = repr(version)
    with _lists_lock:
        cached = _lists_cache.get("lists")
        if cached is not None and cached[0] == key:
            return cached[1]
    terms = tuple(
        term
        for text, category in Term.objects.filter(is_active=True).values_list("text", "category")
        if (term := screening.Term.parse(text, category)) is not None
    )
    domains = frozenset(
        domain.strip().lower().removeprefix("www.")
        for domain in BlockedDomain.objects.values_list("domain", flat=True)
    )
    lists = screening.Lists(
        terms=terms, blocked_domains=domains, max_links=settings.APORTA_SCREENING_MAX_LINKS
    )
    with _lists_lock:
        _lists_cache["lists"] = (key, lists)
    return lists


# --- Screening ---------------------------------------------------------------------------


def item_screen(*, kind: str, pk: int) -> bool:
    """Screens one submitted text: stores what the rules found and, if they
    found anything, holds the item for a moderator (a published item under
    post-moderation becomes held; a pending one stays pending, ranked by its
    risk). Screening never rejects: a person decides.

    Idempotent: the item is locked and screened only while unscreened, so a
    task delivered twice, or run by two workers at once, gives one result.
    Answers whether this run screened it."""
    spec = SCREENED[ScreenedKind(kind)]
    lists = current_lists()
    with transaction.atomic():
        statements = _statements(spec)
        found = sql.fetch_instance(
            spec.model, spec.read, statements.lock, [pk], using=connection.alias
        )
        if found is None:
            return False  # screened already, or gone
        item, _rest = found
        findings, words = [], {}
        for name in spec.fields:
            text = getattr(item, name) or ""
            words[name] = screening.tokens(text)
            findings += [
                Finding(
                    kind=kind,
                    object_id=pk,
                    consultation_id=getattr(item, "consultation_id", None),
                    field=name,
                    rule=hit.rule,
                    label=hit.label[:253],
                    start=hit.start,
                    end=hit.end,
                )
                for hit in screening.screen_text(text, lists, words[name])
            ]
        findings += _repetition(kind, spec, item, words[spec.fields[0]])
        status = getattr(item, spec.status)
        if findings and status == ItemStatus.PUBLISHED:
            status = ItemStatus.HELD
        with connection.cursor() as cursor:
            cursor.execute(statements.forget, [kind, pk])  # an edited text's old findings
            cursor.execute(statements.mark, [timezone.now(), status, pk])
        Finding.objects.bulk_create(findings)
    return True


@dataclass(frozen=True)
class _Statements:
    lock: str  # the unscreened item's fields that screening reads, locked
    forget: str  # its findings, deleted
    mark: str  # screened now, in this state


@functools.cache
def _statements(spec: Screened) -> _Statements:
    """Screening's fixed statements for one kind of item, written once: it runs
    for every submission, and building them with the ORM each time cost more
    than the database's work."""
    quote = connection.ops.quote_name
    table = quote(spec.model._meta.db_table)
    screened_at, status = (
        quote(spec.model._meta.get_field(name).column) for name in (spec.screened_at, spec.status)
    )
    # SQLite has no row locks: its writes are serialised for the whole database.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return _Statements(
        lock=(
            f"SELECT {sql.columns(spec.model, spec.read, 'item')} FROM {table} item "  # noqa: S608 - names from the models
            f"WHERE item.id = %s AND item.{screened_at} IS NULL{lock}"
        ),
        forget=(
            f"DELETE FROM {quote(Finding._meta.db_table)} "  # noqa: S608 - names from the models
            f"WHERE {quote('kind')} = %s AND {quote('object_id')} = %s"
        ),
        mark=f"UPDATE {table} SET {screened_at} = %s, {status} = %s WHERE id = %s",  # noqa: S608 - names from the models
    )


def _repetition(kind: str, spec: Screened, item, words: list[screening.Token]) -> list[Finding]:
    """Records the text's fingerprint; a finding when its author sent the same
    text (as normalised) in this consultation more than ``REPEATS_ALLOWED``
    times within a day either side (so the copy screened last is held, in
    whatever order the copies are screened). Comments and proposals only: one
    reason given on several articles is no spam, and a name is one per person."""
    if spec.model not in (Comment, Proposal):
        return []
    field = spec.fields[0]
    text = getattr(item, field) or ""
    normalised = " ".join(token.text for token in words)
    digest = hashlib.blake2b(normalised.encode(), digest_size=16).hexdigest()
    Fingerprint.objects.bulk_create(
        [
            Fingerprint(
                kind=kind,
                object_id=item.pk,
                consultation_id=item.consultation_id,
                author_id=item.author_id,
                digest=digest,
                created_at=item.created_at,
            )
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["digest", "created_at"],
    )
    copies = (
        Fingerprint.objects.filter(
            consultation_id=item.consultation_id,
            author_id=item.author_id,
            digest=digest,
            created_at__range=(
                item.created_at - REPETITION_WINDOW,
                item.created_at + REPETITION_WINDOW,
            ),
        )
        .exclude(kind=kind, object_id=item.pk)
        .count()
    )
    if copies < REPEATS_ALLOWED:
        return []
    return [
        Finding(
            kind=kind,
            object_id=item.pk,
            consultation_id=item.consultation_id,
            field=field,
            rule=Rule.REPETITION,
            label=str(copies + 1),
            start=0,
            end=len(text),
        )
    ]


# --- Nothing waits forever ---------------------------------------------------------------

SCREENING_GRACE = timedelta(minutes=5)


def unscreened_requeue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queues again what was sent more than a few minutes ago and is still
    unscreened (a lost broker message, a worker killed mid-task), public names
    chosen before names were screened included, so nothing waits forever. Beat
    runs it every five minutes."""
    from consultations.tasks import screen_item

    cutoff = (now or timezone.now()) - SCREENING_GRACE
    queued = 0
    for kind, spec in SCREENED.items():
        changed = "updated_at" if spec.in_consultation else "date_joined"
        waiting = spec.model.objects.filter(
            **{f"{spec.screened_at}__isnull": True, f"{changed}__lt": cutoff}
        )
        if spec.model is Vote:
            waiting = waiting.exclude(reason="")
        for pk in waiting.order_by("pk").values_list("pk", flat=True)[:limit]:
            try:
                screen_item.apply_async(args=(kind.value, pk))
            except Exception:  # the broker is still away: try again next sweep
                logger.warning("Screening of %s %s not queued; next sweep retries", kind, pk)
                return queued
            queued += 1
    return queued


# --- Decisions -----------------------------------------------------------------------------

# What each action does: the states it applies to, and the state it leaves.
TRANSITIONS = {
    # Approving a flagged item (published, or hidden by flags) keeps it up and
    # answers its flags.
    Action.APPROVE: (
        {ItemStatus.PENDING, ItemStatus.HELD, ItemStatus.HIDDEN, ItemStatus.PUBLISHED},
        ItemStatus.PUBLISHED,
    ),
    Action.REJECT: ({ItemStatus.PENDING, ItemStatus.HELD, ItemStatus.HIDDEN}, ItemStatus.REJECTED),
    Action.HIDE: ({ItemStatus.PUBLISHED}, ItemStatus.HIDDEN),
    Action.RESTORE: ({ItemStatus.HIDDEN, ItemStatus.REJECTED}, ItemStatus.PUBLISHED),
}
NEEDS_REASON = {Action.REJECT, Action.HIDE}
NOTE_LIMIT = 1000


def item_decide(
    *,
    moderator: User,
    kind: str,
    pk: int,
    action: str,
    seen_status: str,
    reason: str = "",
    note: str = "",
) -> AuditEntry:
    """A moderator's decision on one item, recorded in the moderation log with
    its reason and the state before and after.

    ``seen_status`` is the state the moderator saw: when two moderators decide
    the same item at once, the item is locked and the second finds it changed
    and is told so, so both never succeed."""
    if not can_moderate(moderator):
        raise PermissionDenied
    try:
        spec, action = SCREENED[ScreenedKind(kind)], Action(action)
    except ValueError:
        raise ValidationError(_("Unknown item or action."), code="invalid") from None
    reason = reason.strip()
    if action in NEEDS_REASON and reason not in DecisionReason.values:
        raise ValidationError({"reason": _("Choose the reason from the list.")}, code="reason")
    if action not in NEEDS_REASON:
        reason = ""
    note = clean_text(note, field="note", limit=NOTE_LIMIT, required=False)
    allowed, after = TRANSITIONS[action]
    with transaction.atomic():
        item = spec.model.objects.select_for_update().filter(pk=pk).first()
        if item is None:
            raise ValidationError(_("This item no longer exists."), code="gone")
        before = getattr(item, spec.status)
        if before != seen_status:
            raise ValidationError(
                _("Someone decided on this item first: it is now “%(status)s”.")
                % {"status": ItemStatus(before).label if before in ItemStatus.values else before},
                code="conflict",
            )
        if before not in allowed:
            raise ValidationError(
                _("This action does not apply to an item that is “%(status)s”.")
                % {"status": ItemStatus(before).label},
                code="not_allowed",
            )
        spec.model.objects.filter(pk=pk).update(**{spec.status: after})
        entry = AuditEntry.objects.create(
            actor=moderator,
            action=action,
            kind=kind,
            object_id=pk,
            consultation_id=getattr(item, "consultation_id", None),
            reason=reason,
            note=note,
            status_before=before,
            status_after=after,
        )
    return entry


# --- Flags -------------------------------------------------------------------------------


def last_decision_at(kind: str, pk: int):
    """When a moderator last decided on the item (None: never): flags before it
    were answered by that decision."""
    return (
        AuditEntry.objects.filter(kind=kind, object_id=pk, actor__isnull=False)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def open_flaggers(kind: str, pk: int) -> int:
    """Distinct people who flagged the item since a moderator last decided on it."""
    flags = Flag.objects.filter(**{kind: pk})
    since = last_decision_at(kind, pk)
    if since is not None:
        flags = flags.filter(created_at__gt=since)
    return flags.values("flagger").distinct().count()


def item_flagged(*, kind: str, pk: int) -> bool:
    """After a citizen's flag: a published item flagged by
    ``APORTA_FLAGS_TO_HIDE`` distinct people (since a moderator last decided on
    it) is hidden until a moderator reviews it, and the log says so. Answers
    whether it was hidden now."""
    if kind not in (ScreenedKind.COMMENT, ScreenedKind.PROPOSAL):
        raise ValueError(kind)
    spec = SCREENED[ScreenedKind(kind)]
    with transaction.atomic():
        item = spec.model.objects.select_for_update().filter(pk=pk).first()
        if item is None or item.status != ItemStatus.PUBLISHED:
            return False
        flaggers = open_flaggers(kind, pk)
        if flaggers < settings.APORTA_FLAGS_TO_HIDE:
            return False
        spec.model.objects.filter(pk=pk).update(status=ItemStatus.HIDDEN)
        AuditEntry.objects.create(
            actor=None,
            action=Action.FLAGGED,
            kind=kind,
            object_id=pk,
            consultation_id=item.consultation_id,
            note=str(flaggers),
            status_before=ItemStatus.PUBLISHED,
            status_after=ItemStatus.HIDDEN,
        )
    return True


# --- Campaigns ---------------------------------------------------------------------------------

CAMPAIGN_KINDS = (ScreenedKind.COMMENT, ScreenedKind.PROPOSAL)


def campaigns_refresh(*, consultation_id: int) -> int:
    """Finds the consultation's campaigns (moderation.campaigns.detect over its
    comments and proposals, withdrawn ones aside) and records them: a group
    that overlaps a recorded campaign adds its new members to it, any other
    becomes a new campaign. Nothing is ever removed. Answers how many campaigns
    were created or grew."""
    texts, sent = [], {}
    for index, kind in enumerate(CAMPAIGN_KINDS):
        rows = (
            SCREENED[kind]
            .model.objects.filter(consultation_id=consultation_id)
            .exclude(status=ItemStatus.WITHDRAWN)
            .values_list("pk", "text", "created_at")
        )
        for pk, text, created_at in rows.iterator(chunk_size=5000):
            key = pk * len(CAMPAIGN_KINDS) + index  # one number for (kind, pk)
            texts.append((key, text))
            sent[key] = created_at
    found = campaigns.detect(texts)
    changed = 0
    with transaction.atomic():
        # One run at a time per consultation: the second waits, then sees the first's.
        Consultation.objects.select_for_update().filter(pk=consultation_id).first()
        recorded = {
            (kind, object_id): campaign_id
            for kind, object_id, campaign_id in CampaignMember.objects.filter(
                campaign__consultation_id=consultation_id
            ).values_list("kind", "object_id", "campaign_id")
        }
        for group in found:
            members = {
                (CAMPAIGN_KINDS[key % len(CAMPAIGN_KINDS)], key // len(CAMPAIGN_KINDS)): key
                for key in group.members
            }
            new = {member: key for member, key in members.items() if member not in recorded}
            if not new:
                continue
            owners = Counter(recorded[member] for member in members if member in recorded)
            if owners:
                campaign = Campaign.objects.get(pk=owners.most_common(1)[0][0])
            else:
                representative = group.representative
                campaign = Campaign.objects.create(
                    consultation_id=consultation_id,
                    representative_kind=CAMPAIGN_KINDS[representative % len(CAMPAIGN_KINDS)],
                    representative_id=representative // len(CAMPAIGN_KINDS),
                )
            CampaignMember.objects.bulk_create(
                [
                    CampaignMember(
                        campaign=campaign, kind=kind, object_id=object_id, created_at=sent[key]
                    )
                    for (kind, object_id), key in new.items()
                ],
                ignore_conflicts=True,
            )
            recorded.update(dict.fromkeys(new, campaign.pk))
            Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())
            changed += 1
    return changed
