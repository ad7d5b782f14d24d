"""Everything that changes a consultation or its feedback.

Callers pass the acting person; each service checks permission itself, so the
browser views, the API and commands share one set of rules.
"""

import logging
import random
import time
from datetime import datetime, timedelta
from functools import cache

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from bills.models import Bill, BillVersion, Committee, Provision
from config.tasks import enqueue_on_commit
from config.text import clean_text
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    DigestFrequency,
    Flag,
    ItemStatus,
    ModerationPolicy,
    ParticipationLevel,
    Proposal,
    Report,
    ReportFormat,
    ReportStatus,
    Response,
    ResponseOutcome,
    Support,
    Vote,
    VoteChoice,
    VoteTally,
)
from consultations.page import provision_with_text
from consultations.permissions import (
    can_manage_consultation,
    can_take_part,
    has_verified_email,
    levels_met,
)
from notifications.models import Event
from notifications.services import outbox_add, outbox_add_about_bill

logger = logging.getLogger(__name__)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_participation(user: User, consultation: Consultation) -> None:
    """Like ``_require(can_take_part(...))``, with the reason a person can act on."""
    if can_take_part(user, consultation):
        return
    if not consultation.is_open:
        if consultation.status in {ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED}:
            raise PermissionDenied(_("This consultation is not open yet."))
        raise PermissionDenied(
            _(
                "This consultation is closed: you can read it, "
                "but it no longer takes votes or comments."
            )
        )
    raise PermissionDenied(_("Only people with a verified email address can take part."))


def _snapshot(user: User) -> dict:
    return {
        "region_id": user.region_id,
        "respondent_type": user.respondent_type,
        "age_range": user.age_range,
    }


def _initial_status(consultation: Consultation) -> str:
    # Until screening exists (moderation issue), post-moderation publishes at once.
    if consultation.moderation_policy == ModerationPolicy.PRE:
        return ItemStatus.PENDING
    return ItemStatus.PUBLISHED


def _provision_of(consultation: Consultation, provision: Provision | None) -> Provision | None:
    if provision is not None and provision.version_id != consultation.version_id:
        raise ValidationError({"provision": _("This provision is not part of the consulted text.")})
    return provision


# --- Consultations -----------------------------------------------------------

# A form filled in a few minutes ago that asks to open "now" is not refused as
# being in the past: the opening time may lag the clock by this much.
OPENING_GRACE = timedelta(minutes=10)
MAX_QUESTIONS = 20
MAX_QUESTION_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 20000
# Once a consultation has opened its window can only grow (extend) or end
# (close early); once it has closed it is a record and cannot change.
EDITABLE_DATES = frozenset({ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED})
EDITABLE = EDITABLE_DATES | {ConsultationStatus.OPEN}


def _clean_questions(questions: list[str]) -> list[str]:
    cleaned = [
        clean_text(question, field="questions", limit=MAX_QUESTION_LENGTH, required=False)
        for question in questions
    ]
    cleaned = [question for question in cleaned if question]
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError(
            {"questions": _("Ask at most %(limit)d questions.") % {"limit": MAX_QUESTIONS}},
            code="too_many",
        )
    return cleaned


def _check_window(*, opens_at: datetime, closes_at: datetime, now: datetime) -> None:
    errors = {}
    if opens_at < now - OPENING_GRACE:
        errors["opens_at"] = _("The opening time is in the past. Choose now or a later time.")
    if closes_at <= opens_at:
        errors["closes_at"] = _("The consultation must close after it opens.")
    elif closes_at <= now:
        errors["closes_at"] = _("The closing time is in the past. Choose a later time.")
    if errors:
        raise ValidationError(errors)


def _set_details(consultation: Consultation, details: dict) -> None:
    """Cleans and sets title, description, questions, moderation and level."""
    consultation.title = clean_text(details["title"], field="title", limit=300)
    consultation.description = clean_text(
        details["description"],
        field="description",
        limit=MAX_DESCRIPTION_LENGTH,
        required=False,
    )
    consultation.questions = _clean_questions(details["questions"])
    consultation.moderation_policy = details["moderation_policy"]
    consultation.minimum_level = details["minimum_level"]


@transaction.atomic
def consultation_create(
    *,
    actor: User,
    version: BillVersion,
    committee: Committee,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    moderation_policy: str = ModerationPolicy.POST,
    minimum_level: str = ParticipationLevel.EMAIL_VERIFIED,
    questions: list[str] | None = None,
    draft: bool = False,
) -> Consultation:
    """Creates a consultation, scheduled to open at ``opens_at`` (the beat task
    opens it), or with ``draft=True`` a draft that nobody outside the committee
    sees until ``consultation_schedule``.

    The version must be published and its bill assigned to ``committee``."""
    consultation = Consultation(
        version=version,
        chamber=committee.chamber,
        committee=committee,
        opens_at=opens_at,
        closes_at=closes_at,
        status=ConsultationStatus.DRAFT if draft else ConsultationStatus.SCHEDULED,
        created_by=actor,
    )
    _require(can_manage_consultation(actor, consultation))
    if not version.is_published:
        raise ValidationError({"version": _("Only a published version can be consulted.")})
    if not version.bill.committees.filter(pk=committee.pk).exists():
        raise ValidationError(
            {"version": _("This bill is not assigned to the chosen committee.")}, code="committee"
        )
    _set_details(
        consultation,
        {
            "title": title,
            "description": description,
            "questions": questions or [],
            "moderation_policy": moderation_policy,
            "minimum_level": minimum_level,
        },
    )
    _check_window(opens_at=opens_at, closes_at=closes_at, now=timezone.now())
    consultation.full_clean()
    consultation.save()
    return consultation


@transaction.atomic
def consultation_update(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    description: str,
    questions: list[str],
    moderation_policy: str,
    minimum_level: str,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Consultation:
    """Changes what people read and the rules of taking part; the dates only
    while the consultation is a draft or scheduled (pass ``None`` to keep them).
    Once open, the window only changes through ``consultation_extend`` and
    ``consultation_close_early``; a closed consultation is read-only. Holds a
    row lock, so a concurrent opening by the beat task is seen."""
    _require(can_manage_consultation(actor, consultation))
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status not in EDITABLE:
        raise ValidationError(_("A closed consultation cannot be changed."), code="closed")
    new_opens = opens_at or consultation.opens_at
    new_closes = closes_at or consultation.closes_at
    dates_changed = (new_opens, new_closes) != (consultation.opens_at, consultation.closes_at)
    if dates_changed and consultation.status not in EDITABLE_DATES:
        raise ValidationError(
            _("The consultation is open: extend it or close it early to change its dates."),
            code="open",
        )
    _set_details(
        consultation,
        {
            "title": title,
            "description": description,
            "questions": questions,
            "moderation_policy": moderation_policy,
            "minimum_level": minimum_level,
        },
    )
    if dates_changed:
        _check_window(opens_at=new_opens, closes_at=new_closes, now=timezone.now())
        consultation.opens_at, consultation.closes_at = new_opens, new_closes
    consultation.full_clean()
    consultation.save()
    return consultation


@transaction.atomic
def consultation_schedule(*, actor: User, consultation: Consultation) -> Consultation:
    """A draft becomes public and is opened by the beat task at ``opens_at``."""
    _require(can_manage_consultation(actor, consultation))
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != ConsultationStatus.DRAFT:
        raise ValidationError(_("Only a draft can be scheduled."), code="not_draft")
    _check_window(
        opens_at=consultation.opens_at, closes_at=consultation.closes_at, now=timezone.now()
    )
    consultation.status = ConsultationStatus.SCHEDULED
    consultation.save(update_fields=["status"])
    return consultation


@transaction.atomic
def consultation_unschedule(*, actor: User, consultation: Consultation) -> Consultation:
    """A scheduled consultation that has not opened goes back to being a draft
    (no longer public). The conditional update loses cleanly to the beat task."""
    _require(can_manage_consultation(actor, consultation))
    updated = Consultation.objects.filter(
        pk=consultation.pk, status=ConsultationStatus.SCHEDULED
    ).update(status=ConsultationStatus.DRAFT)
    if not updated:
        raise ValidationError(
            _("Only a consultation that has not opened yet can go back to draft."),
            code="not_scheduled",
        )
    consultation.refresh_from_db()
    return consultation


def consultations_open_and_close_due(*, now: datetime | None = None) -> tuple[int, int]:
    """Opens scheduled consultations whose time has come and closes those past
    their end; the beat task runs it every minute. Conditional updates make it
    safe to run twice at once."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Consultation.objects.due_to_open(now)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "version__bill_id")
        )
        opened = (
            Consultation.objects.due_to_open(now)
            .filter(pk__in=[pk for pk, _bill in due])
            .update(status=ConsultationStatus.OPEN)
        )
        for pk, bill_id in due:
            outbox_add_about_bill(
                event=Event.CONSULTATION_OPENED, bill_id=bill_id, consultation_id=pk
            )
    closed = Consultation.objects.due_to_close(now).update(status=ConsultationStatus.CLOSED)
    return opened, closed


CLOSING_SOON = timedelta(hours=48)


def consultations_closing_soon(*, now: datetime | None = None) -> int:
    """Tells followers once that an open consultation closes within 48 hours
    (one event per consultation: the database refuses a second)."""
    now = now or timezone.now()
    closing = Consultation.objects.filter(
        status=ConsultationStatus.OPEN, closes_at__gt=now, closes_at__lte=now + CLOSING_SOON
    ).values_list("pk", "version__bill_id", "closes_at")
    told = 0
    for pk, bill_id, closes_at in closing:
        told += outbox_add_about_bill(
            event=Event.CLOSING_SOON,
            bill_id=bill_id,
            consultation_id=pk,
            once=True,
            closes_at=closes_at.isoformat(),
        )
    return told


@transaction.atomic
def consultation_close_early(*, actor: User, consultation: Consultation) -> Consultation:
    """Ends an open consultation now. One still waiting to open cannot be closed
    (its window would end before it starts): move it back to draft instead."""
    _require(can_manage_consultation(actor, consultation))
    now = timezone.now()
    updated = Consultation.objects.filter(
        pk=consultation.pk,
        status__in=[ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN],
        opens_at__lte=now,
    ).update(status=ConsultationStatus.CLOSED, closes_at=now)
    if not updated:
        consultation.refresh_from_db()
        if consultation.status == ConsultationStatus.SCHEDULED:
            message = _("This consultation has not opened yet; move it back to draft instead.")
        elif consultation.status == ConsultationStatus.DRAFT:
            message = _("A draft cannot be closed.")
        else:
            message = _("This consultation is already closed.")
        raise ValidationError(message, code="closed")
    consultation.refresh_from_db()
    return consultation


@transaction.atomic
def consultation_extend(
    *, actor: User, consultation: Consultation, closes_at: datetime
) -> Consultation:
    """Moves the closing time later; for a scheduled or open consultation."""
    _require(can_manage_consultation(actor, consultation))
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status not in {ConsultationStatus.SCHEDULED, ConsultationStatus.OPEN}:
        raise ValidationError(
            _("Only a scheduled or open consultation can be extended."), code="closed"
        )
    if closes_at <= consultation.closes_at:
        raise ValidationError({"closes_at": _("Choose a later closing time.")})
    consultation.closes_at = closes_at
    consultation.save(update_fields=["closes_at"])
    return consultation


# --- Votes ---------------------------------------------------------------------


@transaction.atomic
def tallies_recount(*, consultation: Consultation) -> int:
    """Rebuilds the consultation's running tallies from its votes (a repair,
    say after a restore made with triggers disabled); returns how many tally
    rows it wrote. Locks the consultation's votes meanwhile, so no vote slips
    between count and write."""
    list(Vote.objects.select_for_update().filter(consultation=consultation).values_list("pk"))
    counts: dict[int | None, dict[str, int]] = {}
    rows = (
        Vote.objects.filter(consultation=consultation)
        .values_list("provision_id", "choice")
        .annotate(count=Count("*"))
        .order_by()
    )
    for provision_id, choice, count in rows:
        counts.setdefault(provision_id, dict.fromkeys(VoteChoice.values, 0))[choice] = count
    VoteTally.objects.filter(consultation=consultation).delete()
    VoteTally.objects.bulk_create(
        VoteTally(consultation=consultation, provision_id=provision_id, **figures)
        for provision_id, figures in counts.items()
    )
    return len(counts)


# How often a vote tries again when the person's vote vanishes under it.
VOTE_ATTEMPTS = 12
VOTE_PAUSE = 0.002  # seconds, times the attempt: the most a retry waits


def vote_cast_on(
    *, voter: User, consultation_id: int, eid: str | None, choice: str, reason: str = ""
) -> Vote:
    """:func:`vote_cast` on the consultation ``consultation_id`` (not a draft)
    and its provision ``eid`` (none: the whole bill), as the API names them;
    404 when either is not there.

    A person's first vote without a reason, the commonest write of a busy
    consultation, is one statement: an INSERT that reads the consultation and
    the provision and stores nothing unless the consultation takes votes now,
    from this person, on this provision. Anything else (a changed vote, a
    reason to screen, a refusal to explain) takes :func:`vote_cast`'s way."""
    eid = eid or None
    levels = levels_met(voter)
    if levels and not reason and choice in VoteChoice.values and "\x00" not in (eid or ""):
        vote = _first_vote_without_reason(voter, consultation_id, eid, choice, levels)
        if vote is not None:
            return vote
    from consultations.selectors import place_to_vote

    consultation, provision = place_to_vote(consultation_id, eid)
    return vote_cast(
        voter=voter, consultation=consultation, provision=provision, choice=choice, reason=reason
    )


@cache
def _first_vote_insert(on_provision: bool, levels: int) -> tuple[str, list]:
    """The statement of :func:`_first_vote_without_reason` and the vote fields
    its leading parameters fill, in order."""
    quote = connection.ops.quote_name
    read = {"consultation_id": "consultation.id", "provision_id": "provision.id"}
    if not on_provision:
        read["provision_id"] = "NULL"
    fields = [field for field in Vote._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    values = ", ".join(read.get(field.attname, "%s") for field in fields)
    consultation = f"{quote(Consultation._meta.db_table)} consultation"
    if on_provision:
        consultation += (
            f" JOIN {quote(Provision._meta.db_table)} provision"
            " ON provision.version_id = consultation.version_id AND provision.eid = %s"
        )
    holders = ", ".join(["%s"] * levels)
    return (
        f"INSERT INTO {quote(Vote._meta.db_table)} ({columns}) "  # noqa: S608 - names from the models
        f"SELECT {values} FROM {consultation} "
        "WHERE consultation.id = %s AND consultation.status = %s "
        "AND consultation.opens_at <= %s AND consultation.closes_at > %s "
        f"AND consultation.minimum_level IN ({holders}) "
        "ON CONFLICT DO NOTHING RETURNING id, provision_id",
        [field for field in fields if field.attname not in read],
    )


def _first_vote_without_reason(
    voter: User, consultation_id: int, eid: str | None, choice: str, levels: tuple[str, ...]
) -> Vote | None:
    """The new vote, or None when the statement stored nothing: a vote of this
    person's is there already, or the consultation, provision or person does
    not qualify (:func:`vote_cast` then says which). The conditions are
    :func:`can_take_part`'s: open now, a participation level the person meets."""
    sql, fields = _first_vote_insert(eid is not None, len(levels))
    now = timezone.now()
    vote = Vote(
        consultation_id=consultation_id,
        voter=voter,
        choice=choice,
        created_at=now,
        updated_at=now,
        **_snapshot(voter),
    )
    params = [field.get_db_prep_save(getattr(vote, field.attname), connection) for field in fields]
    if eid is not None:
        params.append(eid)
    params += [consultation_id, ConsultationStatus.OPEN, now, now, *levels]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    vote.pk, provision_id = row
    vote._state.adding = False
    vote.provision = None
    if provision_id is not None:
        vote.provision = Provision.from_db(connection.alias, ["id", "eid"], [provision_id, eid])
    return vote


def vote_cast(
    *,
    voter: User,
    consultation: Consultation,
    provision: Provision | None,
    choice: str,
    reason: str = "",
) -> Vote:
    """Records the person's vote, or changes it. One row per person per provision
    (or for the whole bill) whatever the concurrency: an insert that loses a race
    becomes a change of the row that won, made with that row locked. The running
    tally moves with the vote, in the same statement (database triggers: see
    migration 0005)."""
    _require_participation(voter, consultation)
    provision = _provision_of(consultation, provision)
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": _("Choose agree, disagree or abstain.")})
    reason = clean_text(reason, field="reason", limit=1000, required=False)
    now = timezone.now()
    fields = {"choice": choice, "updated_at": now, **_snapshot(voter)}
    reason_fields = {
        "reason": reason,
        "reason_status": _initial_status(consultation) if reason else "",
        "reason_screened_at": None,
    }
    lookup = {"consultation": consultation, "provision": provision, "voter": voter}
    for _attempt in range(VOTE_ATTEMPTS):
        # Most votes are first votes: one INSERT, a transaction of its own, that
        # does nothing when the person already voted here.
        vote = Vote(**lookup, created_at=now, **fields, **reason_fields)
        if _insert_unless_present(vote):
            if reason:
                _queue_screening("reason", vote.pk)
            return vote
        with transaction.atomic():
            vote = Vote.objects.select_for_update().filter(**lookup).first()
            if vote is None:
                # Withdrawn since the INSERT: insert again, after a short,
                # growing, random pause when the same person keeps racing
                # themselves (many tabs or a script), so one attempt wins.
                if _attempt:
                    time.sleep(random.uniform(0, VOTE_PAUSE * _attempt))  # noqa: S311 - jitter
                continue
            vote.provision = provision  # known already: no query to read it back
            if vote.reason != reason:  # a new reason is screened and moderated afresh
                fields.update(reason_fields)
                if reason:
                    _queue_screening("reason", vote.pk)
            for name, value in fields.items():
                setattr(vote, name, value)
            vote.save(update_fields=list(fields))
            return vote
    raise ValidationError(
        _("Your vote changed at the same moment elsewhere. Try again."), code="busy"
    )


@cache
def _vote_insert() -> tuple[str, list]:
    fields = [field for field in Vote._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    holders = ", ".join(["%s"] * len(fields))
    table = connection.ops.quote_name(Vote._meta.db_table)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({holders}) "  # noqa: S608 - names from the model
        "ON CONFLICT DO NOTHING RETURNING id",
        fields,
    )


def _insert_unless_present(vote: Vote) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL and SQLite):
    sets ``vote.pk`` and answers True when the row is new; False when a vote of
    this person for this place exists already, without an error to recover from."""
    sql, fields = _vote_insert()
    values = [field.get_db_prep_save(getattr(vote, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    vote.pk = row[0]
    vote._state.adding = False
    return True


@transaction.atomic
def vote_withdraw(*, voter: User, consultation: Consultation, provision: Provision | None) -> bool:
    _require_participation(voter, consultation)
    vote = (
        Vote.objects.select_for_update()
        .filter(consultation=consultation, provision=provision, voter=voter)
        .first()
    )
    if vote is None:
        return False
    vote.delete()
    return True


# --- Comments and proposals ------------------------------------------------------


@transaction.atomic
def comment_submit(
    *,
    author: User,
    consultation: Consultation,
    text: str,
    provision: Provision | None = None,
    parent: Comment | None = None,
    quote: str = "",
) -> Comment:
    """Stores a comment (or a reply, one level deep) with the state the
    consultation's moderation policy gives it."""
    _require_participation(author, consultation)
    provision = _provision_of(consultation, provision)
    if parent is not None:
        if parent.consultation_id != consultation.pk or parent.parent_id is not None:
            raise ValidationError({"parent": _("Replies go one level deep, in the same place.")})
        if parent.status != ItemStatus.PUBLISHED:
            raise ValidationError({"parent": _("This comment cannot be replied to.")})
        provision = parent.provision
    comment = Comment(
        consultation=consultation,
        provision=provision,
        parent=parent,
        author=author,
        text=clean_text(text, field="text", limit=5000),
        # A selection made in a browser wraps lines its own way: spacing is
        # normalised, the words must be the provision's own.
        quote=" ".join(clean_text(quote, field="quote", limit=2000, required=False).split()),
        status=_initial_status(consultation),
        **_snapshot(author),
    )
    if comment.quote:
        if provision is None:
            raise ValidationError({"quote": _("Quote a passage in a comment on its provision.")})
        if comment.quote not in " ".join(provision_with_text(provision).split()):
            raise ValidationError(
                {"quote": _("The quoted passage is not in this provision's text.")}
            )
    comment.full_clean()
    comment.save()
    _queue_screening("comment", comment.pk)
    if parent is not None and parent.author_id != author.pk:
        # Sent once the reply is published (the email waits for it).
        outbox_add(
            event=Event.REPLY,
            recipient_id=parent.author_id,
            consultation_id=consultation.pk,
            bill_id=consultation.version.bill_id,
            provision_id=parent.provision_id,
            reply=comment.pk,
            comment=parent.pk,
        )
    return comment


@transaction.atomic
def proposal_submit(
    *, author: User, consultation: Consultation, provision: Provision, text: str, reason: str = ""
) -> Proposal:
    _require_participation(author, consultation)
    provision = _provision_of(consultation, provision)
    if provision is None:
        raise ValidationError({"provision": _("A proposal rewords one provision.")})
    text = clean_text(text, field="text", limit=20000)
    if " ".join(text.split()) == " ".join(provision_with_text(provision).split()):
        raise ValidationError({"text": _("The proposal is the same as the current text.")})
    proposal = Proposal(
        consultation=consultation,
        provision=provision,
        author=author,
        text=text,
        reason=clean_text(reason, field="reason", limit=2000, required=False),
        status=_initial_status(consultation),
        **_snapshot(author),
    )
    proposal.full_clean()
    proposal.save()
    _queue_screening("proposal", proposal.pk)
    return proposal


def _own_item(item: Comment | Proposal, author: User) -> None:
    _require(item.author_id == author.pk)


@transaction.atomic
def item_withdraw(*, author: User, item: Comment | Proposal) -> Comment | Proposal:
    """The author withdraws their item at any time; it shows as withdrawn."""
    _own_item(item, author)
    model = type(item)
    model.objects.filter(pk=item.pk).update(status=ItemStatus.WITHDRAWN, updated_at=timezone.now())
    item.refresh_from_db()
    return item


@transaction.atomic
def item_edit(*, author: User, item: Comment | Proposal, text: str) -> Comment | Proposal:
    """The author may edit an item while it is pending and the consultation open."""
    _own_item(item, author)
    _require_participation(author, item.consultation)
    item = type(item).objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.PENDING:
        raise ValidationError(_("Only a pending item can be edited."), code="not_pending")
    item.text = clean_text(text, field="text", limit=5000 if isinstance(item, Comment) else 20000)
    item.updated_at = timezone.now()
    item.screened_at = None
    item.full_clean()
    item.save(update_fields=["text", "updated_at", "screened_at"])
    _queue_screening(item._meta.model_name, item.pk)
    return item


# --- Supports, flags, follows ----------------------------------------------------------


def _item_fields(item: Comment | Proposal) -> dict:
    return {"comment": item} if isinstance(item, Comment) else {"proposal": item}


def support_add(*, supporter: User, item: Comment | Proposal) -> Support:
    """Backs a published item; supporting twice is harmless (one row)."""
    _require_participation(supporter, item.consultation)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError(_("Only published items can be supported."), code="not_published")
    if item.author_id == supporter.pk:
        raise ValidationError(_("You cannot support your own contribution."), code="own")
    try:
        with transaction.atomic():
            return Support.objects.create(supporter=supporter, **_item_fields(item))
    except IntegrityError:
        return Support.objects.get(supporter=supporter, **_item_fields(item))


@transaction.atomic
def support_remove(*, supporter: User, item: Comment | Proposal) -> None:
    _require_participation(supporter, item.consultation)
    Support.objects.filter(supporter=supporter, **_item_fields(item)).delete()


def flag_add(*, flagger: User, item: Comment | Proposal, reason: str, detail: str = "") -> Flag:
    """Stores a flag, one per person per item; enough of them from different
    people hide a published item until a moderator reviews it."""
    _require_participation(flagger, item.consultation)
    flag = Flag(
        flagger=flagger,
        reason=reason,
        detail=clean_text(detail, field="detail", limit=1000, required=False),
        **_item_fields(item),
    )
    flag.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            flag.save()
    except IntegrityError:
        return Flag.objects.get(flagger=flagger, **_item_fields(item))
    from moderation.services import item_flagged

    item_flagged(kind=item._meta.model_name, pk=item.pk)
    return flag


@transaction.atomic
def follow_set(*, follower: User, bill: Bill, frequency: str) -> None:
    """Follows a bill with a digest frequency; ``never`` keeps no row. Digests
    go by email, so only a verified address may follow."""
    if frequency != DigestFrequency.NEVER and not has_verified_email(follower):
        raise PermissionDenied(_("Only people with a verified email address can follow a bill."))
    if not follower.is_authenticated:
        raise PermissionDenied
    if frequency not in DigestFrequency.values:
        raise ValidationError({"frequency": _("Choose daily, weekly or never.")})
    if frequency == DigestFrequency.NEVER:
        bill.follows.filter(follower=follower).delete()
        return
    bill.follows.update_or_create(follower=follower, defaults={"frequency": frequency})


# --- Committee responses -------------------------------------------------------------

RESPONSE_REASON_LIMIT = 3000
RESPONSES_AT_ONCE = 1000  # items one answer may name (a selection, or a campaign)
ANSWERED_KINDS = {"comment": Comment, "proposal": Proposal}


@transaction.atomic
def responses_set(
    *,
    actor: User,
    consultation: Consultation,
    items: list[tuple[str, int]],
    outcome: str,
    reason: str,
) -> int:
    """The committee answers one published comment or proposal, or many at
    once (a selection, a campaign's texts) with the same outcome and reason.
    An answer given before is replaced. Each author is told (an outbox row in
    this transaction) when an item is first answered or its outcome changes.
    Answers how many items were answered."""
    _require(can_manage_consultation(actor, consultation))
    if outcome not in ResponseOutcome.values:
        raise ValidationError({"outcome": _("Choose the outcome from the list.")}, code="outcome")
    reason = clean_text(reason, field="reason", limit=RESPONSE_REASON_LIMIT)
    wanted = list(dict.fromkeys(items))
    if not wanted:
        raise ValidationError(_("Choose at least one contribution."), code="no_items")
    if len(wanted) > RESPONSES_AT_ONCE:
        raise ValidationError(
            _("Answer at most %(limit)d contributions at once.") % {"limit": RESPONSES_AT_ONCE},
            code="too_many",
        )
    found = {}
    for kind, model in ANSWERED_KINDS.items():
        ids = [pk for each, pk in wanted if each == kind]
        if ids:
            rows = model.objects.select_for_update().filter(
                consultation=consultation, pk__in=ids, status=ItemStatus.PUBLISHED
            )
            for pk, author_id, provision_id in rows.values_list("pk", "author_id", "provision_id"):
                found[kind, pk] = (author_id, provision_id)
    if len(found) != len(wanted):
        raise ValidationError(
            _("Some of the chosen contributions are not published in this consultation."),
            code="not_answerable",
        )
    earlier = {
        (("comment", response.comment_id) if response.comment_id else
         ("proposal", response.proposal_id)): response
        for response in Response.objects.filter(
            Q(comment_id__in=[pk for kind, pk in wanted if kind == "comment"])
            | Q(proposal_id__in=[pk for kind, pk in wanted if kind == "proposal"])
        )
    }  # fmt: skip
    now = timezone.now()
    for (kind, pk), (author_id, provision_id) in found.items():
        response = earlier.get((kind, pk))
        changed = response is None or response.outcome != outcome
        if response is None:
            response = Response(consultation=consultation, **{f"{kind}_id": pk})
        response.outcome, response.reason = outcome, reason
        response.answered_by, response.updated_at = actor, now
        response.save()
        if changed:
            outbox_add(
                event=Event.ANSWER,
                recipient_id=author_id,
                consultation_id=consultation.pk,
                bill_id=consultation.version.bill_id,
                provision_id=provision_id,
                kind=kind,
                object_id=pk,
                response=response.pk,
            )
    return len(found)


@transaction.atomic
def results_publish(*, actor: User, consultation: Consultation, summary: str = "") -> Consultation:
    """The committee publishes what it did with a closed consultation's
    feedback: the public results page opens, and the bill's followers hear of
    it in their digests. Published again, the summary is updated (followers
    are told once)."""
    _require(can_manage_consultation(actor, consultation))
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != ConsultationStatus.CLOSED:
        raise ValidationError(
            _("Results are published once the consultation has closed."), code="not_closed"
        )
    first = consultation.results_published_at is None
    consultation.results_summary = clean_text(
        summary, field="results_summary", limit=5000, required=False
    )
    if first:
        consultation.results_published_at = timezone.now()
    consultation.save(update_fields=["results_summary", "results_published_at"])
    if first:
        outbox_add_about_bill(
            event=Event.RESULTS,
            bill_id=consultation.version.bill_id,
            consultation_id=consultation.pk,
        )
    return consultation


# --- Reports ------------------------------------------------------------------------------


@transaction.atomic
def report_request(
    *, actor: User, consultation: Consultation, format: str, language: str = "es"
) -> Report:
    """Staff of the consultation's committee ask for a report; a task builds
    it. The same report already waiting or being built is answered instead of
    a second one."""
    _require(can_manage_consultation(actor, consultation))
    if consultation.status == ConsultationStatus.DRAFT:
        raise ValidationError(_("A draft has no feedback to report."), code="draft")
    if format not in ReportFormat.values:
        raise ValidationError({"format": _("Choose a format from the list.")}, code="format")
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Choose a language from the list.")})
    waiting = Report.objects.filter(
        consultation=consultation,
        format=format,
        language=language,
        status__in=(ReportStatus.QUEUED, ReportStatus.BUILDING),
    ).first()
    if waiting is not None:
        return waiting
    report = Report.objects.create(
        consultation=consultation, format=format, language=language, requested_by=actor
    )
    from consultations.tasks import build_report

    enqueue_on_commit(build_report, report.pk)
    return report


# --- Screening ----------------------------------------------------------------------


def _queue_screening(kind: str, pk: int) -> None:
    """Queues the item's screening once the submission is committed. A broker
    outage never fails the submission: the item waits, unscreened, for the
    sweeper (``moderation.services.unscreened_requeue``)."""
    from consultations.tasks import screen_item

    enqueue_on_commit(screen_item, kind, pk)
