"""Reads for administrators: the state of the outbox and the digests."""

from __future__ import annotations

from django.db.models import Count, Min, Q

from notifications.models import Digest, Event, Outbox, OutboxStatus

PERIODS_SHOWN = 20
FAILURES_SHOWN = 50


def _status(*statuses) -> Q:
    return Q(status__in=statuses)


def outbox_state() -> dict:
    """Emails per kind and state (one row per kind, a count per state), digests
    per period, when the oldest waiting email was written, and the latest
    failures."""
    counts: dict[str, dict[str, int]] = {}
    for event, status, count in (
        Outbox.objects.values_list("event", "status").annotate(count=Count("pk")).order_by()
    ):
        counts.setdefault(event, {})[status] = count
    statuses = list(OutboxStatus)
    periods = (
        Digest.objects.values("frequency", "period_start")
        .annotate(
            pending=Count("pk", filter=_status(OutboxStatus.PENDING, OutboxStatus.SENDING)),
            sent=Count("pk", filter=_status(OutboxStatus.SENT)),
            failed=Count("pk", filter=_status(OutboxStatus.FAILED)),
            skipped=Count("pk", filter=_status(OutboxStatus.SKIPPED)),
        )
        .order_by("-period_start", "frequency")[:PERIODS_SHOWN]
    )
    oldest = Outbox.objects.filter(status=OutboxStatus.PENDING).aggregate(at=Min("created_at"))
    return {
        "statuses": statuses,
        "events": [
            (Event(event).label, [counts[event].get(status, 0) for status in statuses])
            for event in Event.values
            if event in counts
        ],
        "periods": periods,
        "oldest_pending": oldest["at"],
        "failures": Outbox.objects.filter(status=OutboxStatus.FAILED)
        .select_related("recipient")
        .order_by("-created_at")[:FAILURES_SHOWN],
    }
