"""Writing events to the outbox, and sending what is due.

Outbox rows and digests are sent the same way: claimed by a conditional update
(a fresh claim token and an expiry), sent outside any transaction, and marked
sent by the claim that sent them. A sender that dies leaves its claims to
expire; the next run takes them over."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from config.ratelimit import take
from config.tasks import enqueue_on_commit
from notifications import emails
from notifications.models import (
    PERSONAL,
    Digest,
    Event,
    Outbox,
    OutboxStatus,
    Preferences,
)

logger = logging.getLogger(__name__)

# How long a sender holds its claim on a row before another may take it over.
CLAIM_SECONDS = 300
BATCH = 50  # rows one sending run claims at a time
SEND_SOON_SECONDS = 5  # events within this time share one prompt sending run
NOT_YET = timedelta(minutes=10)  # a notice about something not public yet waits this long
GIVE_UP_WAITING = timedelta(days=14)  # …and is dropped if it never becomes public
RATE_WINDOW = 60  # seconds: the sending rate is per minute
# A mail server's error names the address it refused; administrators read the
# errors (outbox page, admin) to see what failed, never to whom.
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


# --- Writing events -----------------------------------------------------------------------


def outbox_add(
    *,
    event: str,
    recipient_id: int,
    consultation_id: int | None = None,
    bill_id: int | None = None,
    provision_id: int | None = None,
    **payload,
) -> Outbox:
    """Records an event for one person. Call it inside the transaction that
    makes the change: the row exists exactly when the change does. The email
    goes out later (``outbox_send_due``), never from here."""
    row = Outbox.objects.create(
        event=Event(event),
        recipient_id=recipient_id,
        consultation_id=consultation_id,
        bill_id=bill_id,
        provision_id=provision_id,
        payload=payload,
    )
    _send_soon()
    return row


def outbox_add_about_bill(
    *,
    event: str,
    bill_id: int,
    consultation_id: int | None = None,
    provision_id: int | None = None,
    once: bool = False,
    **payload,
) -> int:
    """Records an event about a bill, once for all its followers: their
    digests read it. ``once``: the database keeps one such event per
    consultation, and a second is ignored. Answers how many were recorded."""
    row = Outbox(
        event=Event(event),
        bill_id=bill_id,
        consultation_id=consultation_id,
        provision_id=provision_id,
        payload=payload,
        status=OutboxStatus.DIGEST,
    )
    if not once:
        row.save()
        return 1
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return 0
    return 1


def _send_soon() -> None:
    """Queues a sending run once the transaction commits, once for a burst of
    events (a bulk decision); beat's run every minute catches a lost one."""
    from notifications.tasks import send_due  # the task module imports this one

    try:
        first = cache.add("notifications:send-due-queued", 1, timeout=SEND_SOON_SECONDS)
    except Exception:  # Redis away: the event is recorded all the same
        first = True
    if first:
        enqueue_on_commit(send_due)


# --- Claiming -------------------------------------------------------------------------------


def claim(model: type[models.Model], *, now: datetime, size: int, only: Q | None = None):
    """Claims up to ``size`` due rows of ``model`` (an Outbox or a Digest):
    pending ones whose time has come and ones whose sender's claim expired.
    Answers the claim token and the claimed rows."""
    token = uuid.uuid4()
    due = Q(status=OutboxStatus.PENDING, send_after__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )
    if only is not None:
        due &= only
    with transaction.atomic(durable=True):
        picked = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("send_after", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not picked:
            return token, []
        # Conditional: a row another sender claimed meanwhile is left alone.
        model.objects.filter(due, pk__in=picked).update(
            status=OutboxStatus.SENDING,
            claim=token,
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    rows = (
        model.objects.filter(pk__in=picked, claim=token, status=OutboxStatus.SENDING)
        .select_related("recipient")
        .order_by("send_after", "pk")
    )
    return token, list(rows)


def within_rate(model: type[models.Model], token, rows: list) -> list:
    """Of the claimed ``rows``, those the sending rate lets go out now
    (``APORTA_EMAIL_PER_MINUTE``, reserved at once across all workers); the
    others are given back unsent."""
    granted = take(
        key="email:send",
        wanted=len(rows),
        limit=settings.APORTA_EMAIL_PER_MINUTE,
        window=RATE_WINDOW,
    )
    if granted < len(rows):
        release(model, token, [row.pk for row in rows[granted:]])
    return rows[:granted]


def release(model: type[models.Model], token, pks: list[int], **fields) -> None:
    """Gives back claimed rows unsent, not counting it as an attempt."""
    model.objects.filter(claim=token, pk__in=pks, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING,
        claim=None,
        claimed_until=None,
        attempts=F("attempts") - 1,
        **fields,
    )


def deliver(model: type[models.Model], token, row, build: Callable, mailer) -> int:
    """Builds and sends one claimed row's email through ``mailer`` (one open
    connection for a whole batch), outside any transaction, then records what
    happened under the claim. Answers 1 if an email was sent."""
    mine = model.objects.filter(pk=row.pk, claim=token, status=OutboxStatus.SENDING)
    try:
        message = build(row)
        if message is None:  # nothing left to say (the item is gone, the person too)
            mine.update(status=OutboxStatus.SKIPPED, claim=None, claimed_until=None)
            return 0
        mailer.send_messages([message])
    except emails.NotYet:
        if timezone.now() - row.created_at > GIVE_UP_WAITING:
            mine.update(status=OutboxStatus.SKIPPED, claim=None, claimed_until=None)
        else:
            release(model, token, [row.pk], send_after=timezone.now() + NOT_YET)
        return 0
    except Exception as error:  # the mail server, a template: retried, then failed
        logger.warning("Email %s %s not sent (attempt %s)", model.__name__, row.pk, row.attempts,
                       exc_info=True)  # fmt: skip
        mailer.close()  # a broken connection is opened afresh for the next one
        failed = row.attempts >= settings.APORTA_EMAIL_MAX_ATTEMPTS
        mine.update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            send_after=timezone.now() + backoff(row.attempts),
            claim=None,
            claimed_until=None,
            last_error=ADDRESS.sub("…", f"{type(error).__name__}: {error}")[:300],
        )
        return 0
    mine.update(status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None)
    return 1


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def mailer():
    """The default mailer (``MAILERS``), to open once for a batch of sends."""
    return mail.mailers.default


# --- Prompt emails ------------------------------------------------------------------------


def outbox_send_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Sends the outbox's due emails (then any due digest a batch left behind),
    a batch at a time, and answers how many were sent.

    No send happens inside a database transaction: the claims and records are
    ``durable`` transactions, which refuse to run nested in another. Sending is
    throttled to ``APORTA_EMAIL_PER_MINUTE`` across all workers; a failure is
    retried with backoff and marked failed after ``APORTA_EMAIL_MAX_ATTEMPTS``.
    An email about a person's own contributions past ``APORTA_EMAIL_PROMPT_PER_HOUR``
    in the hour waits for their next digest."""
    from notifications import digests

    sent = 0
    limit = limit if limit is not None else settings.APORTA_EMAIL_PER_MINUTE
    with mailer() as connection:
        while sent < limit:
            moment = now or timezone.now()
            token, claimed = claim(Outbox, now=moment, size=min(BATCH, limit - sent))
            rows = within_rate(Outbox, token, claimed)
            for row in rows:
                if not _held_back(token, row, moment):
                    sent += deliver(Outbox, token, row, emails.build, connection)
            if len(rows) < BATCH:  # nothing more due, or the rate is used up
                break
    if sent < limit:
        sent += digests.digests_send_due(now=now, limit=limit - sent)
    return sent


def _held_back(token, row: Outbox, now: datetime) -> bool:
    """Whether the person's preferences or the hourly cap keep this email back:
    turned off, it is skipped; past the cap, it waits for the next digest."""
    preferences = preferences_of(row.recipient)
    if row.event == Event.STAFF_SUMMARY:
        wanted = preferences.staff_summary
    elif row.event in PERSONAL:
        wanted = preferences.about_my_contributions
    else:
        wanted = True  # a report the person asked for a moment ago
    mine = Outbox.objects.filter(pk=row.pk, claim=token, status=OutboxStatus.SENDING)
    if not wanted:
        mine.update(status=OutboxStatus.SKIPPED, claim=None, claimed_until=None)
        return True
    if row.event not in PERSONAL:
        return False
    sent_lately = Outbox.objects.filter(
        recipient=row.recipient_id,
        event__in=PERSONAL,
        status=OutboxStatus.SENT,
        sent_at__gt=now - timedelta(hours=1),
    ).count()
    if sent_lately < settings.APORTA_EMAIL_PROMPT_PER_HOUR:
        return False
    mine.update(
        status=OutboxStatus.DIGEST, claim=None, claimed_until=None, attempts=F("attempts") - 1
    )
    return True


# --- Preferences ------------------------------------------------------------------------------


def preferences_of(user) -> Preferences:
    """A person's email preferences (the defaults until they change one)."""
    found = Preferences.objects.filter(user=user).first()
    return found or Preferences(user=user)


@transaction.atomic
def preferences_save(
    *,
    user,
    about_my_contributions: bool,
    staff_summary: bool,
    follows: dict[int, str] | None = None,
) -> Preferences:
    """Saves what a person wants: the two switches, and for each of their
    follows a new frequency (``never`` ends the follow)."""
    from consultations.models import DigestFrequency, Follow

    preferences, _created = Preferences.objects.update_or_create(
        user=user,
        defaults={"about_my_contributions": about_my_contributions, "staff_summary": staff_summary},
    )
    for bill_id, frequency in (follows or {}).items():
        mine = Follow.objects.filter(follower=user, bill_id=bill_id)
        if frequency == DigestFrequency.NEVER:
            mine.delete()
        elif frequency in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
            mine.update(frequency=frequency)
    return preferences


@transaction.atomic
def unsubscribe(*, user, scope: str) -> None:
    """Applies an unsubscribe link (``notifications.unsubscribe`` scopes):
    no further email of that kind is sent. Doing it twice changes nothing."""
    from consultations.models import Follow
    from notifications import unsubscribe as links

    preferences = preferences_of(user)
    bill = links.bill_of(scope)
    if bill is not None:
        Follow.objects.filter(follower=user, bill_id=bill).delete()
        return
    if scope in (links.ALL, links.BILLS):
        Follow.objects.filter(follower=user).delete()
    if scope in (links.ALL, links.MINE):
        preferences.about_my_contributions = False
    if scope in (links.ALL, links.STAFF):
        preferences.staff_summary = False
    preferences.save()
    if scope in (links.ALL, links.MINE, links.STAFF):
        # What was waiting to go out is not sent either.
        waiting = Outbox.objects.filter(
            recipient=user, status__in=(OutboxStatus.PENDING, OutboxStatus.DIGEST)
        )
        if scope == links.MINE:
            waiting = waiting.filter(event__in=PERSONAL)
        elif scope == links.STAFF:
            waiting = waiting.filter(event=Event.STAFF_SUMMARY)
        waiting.update(status=OutboxStatus.SKIPPED)
    if scope in (links.ALL, links.BILLS):
        Digest.objects.filter(recipient=user, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.SKIPPED
        )
