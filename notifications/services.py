"""Writing events to the outbox, and sending what is due."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.ratelimit import allow
from config.tasks import enqueue_on_commit
from notifications import emails
from notifications.models import Event, Outbox, OutboxStatus

logger = logging.getLogger(__name__)

# How long a sender holds its claim on a row before another may take it over.
CLAIM_SECONDS = 300
BATCH = 50  # rows one sending run claims at a time
SEND_SOON_SECONDS = 5  # events within this time share one prompt sending run


def outbox_add(*, event: str, recipient_id: int, consultation_id=None, **payload) -> Outbox:
    """Records an event for one person. Call it inside the transaction that
    makes the change: the row exists exactly when the change does. The email
    goes out later (``outbox_send_due``), never from here."""
    row = Outbox.objects.create(
        event=Event(event),
        recipient_id=recipient_id,
        consultation_id=consultation_id,
        payload=payload,
    )
    from notifications.tasks import send_due  # the task module imports this one

    # Promptly, once for a burst of events (a bulk decision): the first queues
    # a run, which sends them all; beat's run every minute catches a lost one.
    try:
        first = cache.add("notifications:send-due-queued", 1, timeout=SEND_SOON_SECONDS)
    except Exception:  # Redis away: the event is recorded all the same
        first = True
    if first:
        enqueue_on_commit(send_due)
    return row


def outbox_send_due(*, now: datetime | None = None, limit: int | None = None) -> int:
    """Sends what is due, a batch at a time, and answers how many were sent.

    Rows are claimed with a conditional update, so two senders never send the
    same row; each send is recorded by the claim that made it. No send
    happens inside a database transaction (the claim and the record are each
    their own, ``durable``: nested in another, they refuse to run). Sending is
    throttled to ``APORTA_EMAIL_PER_MINUTE`` across all workers; a failure is
    retried with backoff and marked failed after ``APORTA_EMAIL_MAX_ATTEMPTS``."""
    sent = 0
    limit = limit if limit is not None else settings.APORTA_EMAIL_PER_MINUTE
    while sent < limit:
        claim, rows = _claim(now=now, size=min(BATCH, limit - sent))
        if not rows:
            break
        for index, row in enumerate(rows):
            if not allow(key="email:send", limit=settings.APORTA_EMAIL_PER_MINUTE, window=60):
                _release(claim, [each.pk for each in rows[index:]])
                return sent
            sent += _send_one(claim, row)
    return sent


def _claim(*, now: datetime | None, size: int) -> tuple:
    now = now or timezone.now()
    claim = Outbox.new_claim()
    due = Q(status=OutboxStatus.PENDING, send_after__lte=now) | Q(
        status=OutboxStatus.SENDING, claimed_until__lt=now
    )
    with transaction.atomic(durable=True):
        picked = list(
            Outbox.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("send_after", "pk")
            .values_list("pk", flat=True)[:size]
        )
        if not picked:
            return claim, []
        # Conditional: a row another sender claimed meanwhile is left alone.
        Outbox.objects.filter(due, pk__in=picked).update(
            status=OutboxStatus.SENDING,
            claim=claim,
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            attempts=F("attempts") + 1,
        )
    rows = list(
        Outbox.objects.filter(claim=claim, status=OutboxStatus.SENDING)
        .select_related("recipient")
        .order_by("send_after", "pk")
    )
    return claim, rows


def _release(claim, pks: list[int]) -> None:
    """Gives back rows not sent because of the throttle (not an attempt)."""
    Outbox.objects.filter(claim=claim, pk__in=pks, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING, claim=None, claimed_until=None, attempts=F("attempts") - 1
    )


def _send_one(claim, row: Outbox) -> int:
    mine = Outbox.objects.filter(pk=row.pk, claim=claim, status=OutboxStatus.SENDING)
    try:
        message = emails.build(row)
        if message is None:  # nothing left to say (the item is gone, the person too)
            mine.update(status=OutboxStatus.SKIPPED, claim=None, claimed_until=None)
            return 0
        message.send()
    except Exception as error:  # the mail server, a template: retried, then failed
        logger.warning("Email %s not sent (attempt %s)", row.pk, row.attempts, exc_info=True)
        failed = row.attempts >= settings.APORTA_EMAIL_MAX_ATTEMPTS
        mine.update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            send_after=timezone.now() + backoff(row.attempts),
            claim=None,
            claimed_until=None,
            last_error=f"{type(error).__name__}: {error}"[:300],
        )
        return 0
    mine.update(status=OutboxStatus.SENT, sent_at=timezone.now(), claimed_until=None)
    return 1


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after each failed attempt, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))
