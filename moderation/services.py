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
    DECISIONS,
    Action,
    Appeal,
    AppealOutcome,
    AuditEntry,
    BlockedDomain,
    Campaign,
    CampaignMember,
    DecisionReason,
    Finding,
    Fingerprint,
    LoggedKind,
    Rule,
    ScreenedKind,
    Term,
)
from moderation.permissions import can_moderate
from notifications.models import Event
from notifications.services import outbox_add

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

# What each action does: the states it applies to, and the state it leaves
# (None: the state stays as it is).
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
    # Only on appeal: the decision appealed stands.
    Action.UPHOLD: ({ItemStatus.HIDDEN, ItemStatus.REJECTED}, None),
}
NEEDS_REASON = {Action.REJECT, Action.HIDE}
APPEALABLE = {Action.REJECT, Action.HIDE}
NOTE_LIMIT = 1000
APPEAL_LIMIT = 2000


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
    its reason and the state before and after; the author is told (an outbox
    row written in the same transaction, the email sent later).

    ``seen_status`` is the state the moderator saw: when two moderators decide
    the same item at once, the item is locked and the second finds it changed
    and is told so, so both never succeed. An item under appeal is decided
    by restoring it or upholding the decision, and never by the moderator who
    made the decision appealed."""
    if not can_moderate(moderator):
        raise PermissionDenied
    try:
        spec, action = SCREENED[ScreenedKind(kind)], Action(action)
    except ValueError:
        raise ValidationError(_("Unknown item or action."), code="invalid") from None
    if action not in TRANSITIONS:
        raise ValidationError(_("Unknown item or action."), code="invalid")
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
                % {"status": _status_label(before)},
                code="conflict",
            )
        appeal = (
            Appeal.objects.select_related("decision")
            .filter(kind=kind, object_id=pk, outcome=AppealOutcome.OPEN)
            .first()
        )
        _check_appeal(appeal, moderator, action)
        if before not in allowed:
            raise ValidationError(
                _("This action does not apply to an item that is “%(status)s”.")
                % {"status": _status_label(before)},
                code="not_allowed",
            )
        after = after or before
        if after != before:
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
        recipient = getattr(item, spec.author)
        if appeal is not None:
            appeal.outcome = (
                AppealOutcome.OVERTURNED if after == ItemStatus.PUBLISHED else AppealOutcome.UPHELD
            )
            appeal.decided_by, appeal.decided_at = moderator, entry.created_at
            appeal.save(update_fields=["outcome", "decided_by", "decided_at"])
            outbox_add(
                event=Event.APPEAL_DECIDED,
                recipient_id=recipient,
                consultation_id=entry.consultation_id,
                kind=kind,
                object_id=pk,
                appeal=appeal.pk,
            )
        elif after != before:
            outbox_add(
                event=Event.DECISION,
                recipient_id=recipient,
                consultation_id=entry.consultation_id,
                kind=kind,
                object_id=pk,
                entry=entry.pk,
            )
    return entry


def _status_label(status: str) -> str:
    return ItemStatus(status).label if status in ItemStatus.values else status


def _check_appeal(appeal: Appeal | None, moderator: User, action: Action) -> None:
    if appeal is None:
        if action == Action.UPHOLD:
            raise ValidationError(
                _("Only a decision under appeal can be upheld."), code="not_allowed"
            )
        return
    if appeal.decision.actor_id == moderator.pk:
        raise ValidationError(
            _("You made the decision under appeal: another moderator decides the appeal."),
            code="own_decision",
        )
    if action not in (Action.UPHOLD, Action.RESTORE, Action.APPROVE):
        raise ValidationError(
            _("An appeal is decided by restoring the item or upholding the decision."),
            code="not_allowed",
        )


def last_decision(kind: str, pk: int) -> AuditEntry | None:
    """The latest decision a moderator took on the item."""
    return (
        AuditEntry.objects.filter(kind=kind, object_id=pk, action__in=DECISIONS)
        .order_by("-created_at", "-pk")
        .first()
    )


def appeal_file(*, author: User, kind: str, pk: int, text: str) -> Appeal:
    """The author asks another moderator to look again at the decision that
    rejected or hid their contribution (or public name). Once per item; the
    item goes back to the queue, and the log records that it was appealed
    (not what the author wrote: only moderators read that)."""
    try:
        spec = SCREENED[ScreenedKind(kind)]
    except ValueError:
        raise ValidationError(_("Unknown item or action."), code="invalid") from None
    text = clean_text(text, field="text", limit=APPEAL_LIMIT, required=True)
    with transaction.atomic():
        item = spec.model.objects.select_for_update().filter(pk=pk).first()
        if item is None or getattr(item, spec.author) != author.pk:
            raise PermissionDenied
        if Appeal.objects.filter(kind=kind, object_id=pk).exists():
            raise ValidationError(
                _("You have already appealed: each contribution can be appealed once."),
                code="appealed",
            )
        status = getattr(item, spec.status)
        decision = last_decision(kind, pk)
        if (
            status not in (ItemStatus.REJECTED, ItemStatus.HIDDEN)
            or decision is None
            or decision.action not in APPEALABLE
        ):
            raise ValidationError(
                _("There is no moderator's decision to appeal on this contribution."),
                code="not_appealable",
            )
        consultation_id = getattr(item, "consultation_id", None)
        appeal = Appeal.objects.create(
            kind=kind,
            object_id=pk,
            consultation_id=consultation_id,
            author=author,
            decision=decision,
            text=text,
        )
        AuditEntry.objects.create(
            actor=author,
            action=Action.APPEAL,
            kind=kind,
            object_id=pk,
            consultation_id=consultation_id,
            status_before=status,
            status_after=status,
        )
    return appeal


# --- Flags -------------------------------------------------------------------------------


def last_decision_at(kind: str, pk: int):
    """When a moderator last decided on the item (None: never): flags before it
    were answered by that decision."""
    decision = last_decision(kind, pk)
    return decision.created_at if decision else None


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


# What a campaign's review names a member by: (kind, pk).
MemberKey = tuple[str, int]
# How many members one split or release may name.
CAMPAIGN_MEMBERS_LIMIT = 1000
_IN_BATCHES = 500  # members read per query: below every database's parameter limit
_CONFIRMED, _DETECTED = "confirmed", "detected"


def campaign_confirm(*, moderator: User, campaign_id: int) -> Campaign:
    """A moderator agrees the campaign's texts are one campaign: it records who
    and when, and the log says so. Confirming a confirmed campaign is refused
    (code ``confirmed``), so two moderators at once never both succeed. Holds
    the campaign's row lock."""
    if not can_moderate(moderator):
        raise PermissionDenied
    with transaction.atomic():
        campaign = _campaign_locked(campaign_id)
        if campaign.confirmed_at is not None:
            raise ValidationError(_("This campaign is already confirmed."), code="confirmed")
        campaign.confirmed_at, campaign.confirmed_by = timezone.now(), moderator
        campaign.save(update_fields=["confirmed_at", "confirmed_by"])
        AuditEntry.objects.create(
            actor=moderator,
            action=Action.CONFIRM,
            kind=LoggedKind.CAMPAIGN,
            object_id=campaign.pk,
            consultation_id=campaign.consultation_id,
            status_before=_DETECTED,
            status_after=_CONFIRMED,
            created_at=campaign.confirmed_at,
        )
    return campaign


def campaign_split(
    *, moderator: User, campaign_id: int, members: list[MemberKey], release: bool
) -> Campaign | None:
    """Takes the named members (counted ones, of this campaign) out of it:
    into a new campaign of the same consultation (``split_from`` the original,
    its representative the earliest moved), answered; or, with ``release``,
    set aside as not part of any campaign (kept on record, no longer counted,
    never added to a campaign again by detection), answering None. Nothing is
    deleted. The original keeps a representative among its counted members.

    Refused (ValidationError): a member not counted in this campaign (code
    ``not_member``), none named (``no_members``), all of them (``all_members``:
    confirm the campaign or split a part instead), too many (``too_many``).
    Holds the campaign's row lock."""
    if not can_moderate(moderator):
        raise PermissionDenied
    wanted = _member_keys(members)
    with transaction.atomic():
        campaign = _campaign_locked(campaign_id)
        counted = CampaignMember.objects.filter(campaign=campaign, released_at__isnull=True)
        found = []
        for kind in CAMPAIGN_KINDS:
            ids = sorted(pk for each, pk in wanted if each == kind)
            for start in range(0, len(ids), _IN_BATCHES):
                batch = ids[start : start + _IN_BATCHES]
                found += counted.filter(kind=kind, object_id__in=batch)
        if len(found) != len(wanted):
            raise ValidationError(
                _("Some of the texts chosen are not (or no longer) counted in this campaign."),
                code="not_member",
            )
        before = counted.count()
        if len(found) == before:
            raise ValidationError(
                _(
                    "Every text of the campaign was chosen: a campaign keeps at least one. "
                    "Confirm it, or choose only the texts that do not belong."
                ),
                code="all_members",
            )
        found.sort(key=lambda member: (member.created_at, member.pk))
        now = timezone.now()
        chosen = CampaignMember.objects.filter(pk__in=[member.pk for member in found])
        new = None
        if release:
            chosen.update(released_at=now)
        else:
            new = Campaign(
                consultation_id=campaign.consultation_id,
                representative_kind=found[0].kind,
                representative_id=found[0].object_id,
                created_at=now,
                updated_at=now,
                split_from=campaign,
            )
            new.full_clean()
            new.save()
            chosen.update(campaign=new)
        campaign.updated_at = now
        fields = ["updated_at"]
        representative = counted.filter(
            kind=campaign.representative_kind, object_id=campaign.representative_id
        )
        if not representative.exists():  # moved or released, now or before
            first = counted.order_by("created_at", "pk").first()
            campaign.representative_kind, campaign.representative_id = first.kind, first.object_id
            fields += ["representative_kind", "representative_id"]
        campaign.save(update_fields=fields)
        named = " ".join(f"{member.kind}:{member.object_id}" for member in found)
        note = f"→ {new.pk}: {named}" if new else named
        AuditEntry.objects.create(
            actor=moderator,
            action=Action.RELEASE if release else Action.SPLIT,
            kind=LoggedKind.CAMPAIGN,
            object_id=campaign.pk,
            consultation_id=campaign.consultation_id,
            note=note if len(note) <= NOTE_LIMIT else note[: NOTE_LIMIT - 1] + "…",
            status_before=str(before),
            status_after=str(before - len(found)),
            created_at=now,
        )
    return new


def _campaign_locked(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None:
        raise ValidationError(_("This campaign no longer exists."), code="gone")
    return campaign


def _member_keys(members: list[MemberKey]) -> set[MemberKey]:
    """The members named, checked for shape before any is read."""
    if not members:
        raise ValidationError(_("Choose at least one text."), code="no_members")
    if len(members) > CAMPAIGN_MEMBERS_LIMIT:
        raise ValidationError(
            _("Choose at most %(limit)d texts at once.") % {"limit": CAMPAIGN_MEMBERS_LIMIT},
            code="too_many",
        )
    wanted = set()
    for member in members:
        kind, pk = member if isinstance(member, tuple) and len(member) == 2 else (None, None)
        if kind not in CAMPAIGN_KINDS or type(pk) is not int or not 0 < pk < 2**63:
            raise ValidationError(
                _("Some of the texts chosen are not (or no longer) counted in this campaign."),
                code="not_member",
            )
        wanted.add((str(kind), pk))
    return wanted
