"""Screening of what citizens submit: the rules' hits stored as findings, and
the item held for a moderator when there are any."""

from __future__ import annotations

import functools
import hashlib
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from consultations.models import Comment, ItemStatus, Proposal, Vote
from moderation import screening
from moderation.models import BlockedDomain, Finding, Fingerprint, Rule, ScreenedKind, Term


@dataclass(frozen=True)
class Screened:
    """What each kind of item is: its model, the fields screened, the field
    recording when, and the field holding its moderation state."""

    model: type
    fields: tuple[str, ...]
    screened_at: str
    status: str


SCREENED = {
    ScreenedKind.COMMENT: Screened(Comment, ("text",), "screened_at", "status"),
    ScreenedKind.PROPOSAL: Screened(Proposal, ("text", "reason"), "screened_at", "status"),
    ScreenedKind.REASON: Screened(Vote, ("reason",), "reason_screened_at", "reason_status"),
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
        item = (
            spec.model.objects.select_for_update()
            .filter(pk=pk, **{f"{spec.screened_at}__isnull": True})
            .first()
        )
        if item is None:
            return False  # screened already, or gone
        findings, words = [], {}
        for name in spec.fields:
            text = getattr(item, name) or ""
            words[name] = screening.tokens(text)
            findings += [
                Finding(
                    kind=kind,
                    object_id=pk,
                    consultation_id=item.consultation_id,
                    field=name,
                    rule=hit.rule,
                    label=hit.label[:253],
                    start=hit.start,
                    end=hit.end,
                )
                for hit in screening.screen_text(text, lists, words[name])
            ]
        findings += _repetition(kind, spec, item, words[spec.fields[0]])
        Finding.objects.filter(kind=kind, object_id=pk).delete()
        Finding.objects.bulk_create(findings)
        update = {spec.screened_at: timezone.now()}
        if findings and getattr(item, spec.status) == ItemStatus.PUBLISHED:
            update[spec.status] = ItemStatus.HELD
        spec.model.objects.filter(pk=pk).update(**update)
    return True


def _repetition(kind: str, spec: Screened, item, words: list[screening.Token]) -> list[Finding]:
    """Records the text's fingerprint; a finding when its author sent the same
    text (as normalised) in this consultation more than ``REPEATS_ALLOWED``
    times within a day either side (so the copy screened last is held, in
    whatever order the copies are screened). Vote reasons are left out: one
    reason given on several articles is no spam."""
    if spec.model is Vote:
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
