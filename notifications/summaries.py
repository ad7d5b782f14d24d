"""The daily summary for staff: for moderators, what waits for them; for
committee staff, their consultations' activity. Beat writes one outbox row per
person each morning (08:00 in Lima) with the figures as they were then."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, User
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    ItemStatus,
    Proposal,
    Vote,
)
from moderation import selectors as moderation
from notifications.models import Event, Outbox
from notifications.services import outbox_add, preferences_of

DAY = timedelta(days=1)
LOCK_SECONDS = 600


def staff_summaries_add(*, now: datetime | None = None) -> int:
    """Writes today's summaries (none twice for one person and day, none
    with nothing to say, none for someone who turned them off); answers how
    many were written."""
    now = now or timezone.now()
    day = timezone.localtime(now).date().isoformat()
    # One run at a time (a second, meanwhile, does nothing); a later run writes
    # only what an interrupted one did not.
    if not cache.add(f"notifications:staff-summaries:{day}", 1, timeout=LOCK_SECONDS):
        return 0
    try:
        return _write(now, day)
    finally:
        cache.delete(f"notifications:staff-summaries:{day}")


def _write(now: datetime, day: str) -> int:
    already = set(
        Outbox.objects.filter(event=Event.STAFF_SUMMARY, payload__day=day).values_list(
            "recipient_id", flat=True
        )
    )
    staff = (
        User.objects.filter(is_active=True, groups__name__in=[Role.MODERATOR, Role.COMMITTEE_STAFF,
                                                               Role.ADMINISTRATOR])
        .exclude(pk__in=already)
        .prefetch_related("groups")
        .distinct()
    )  # fmt: skip
    moderation_figures = None
    written = 0
    for person in staff:
        if not preferences_of(person).staff_summary:
            continue
        roles = {group.name for group in person.groups.all()}
        payload: dict = {"day": day}
        if roles & {Role.MODERATOR, Role.ADMINISTRATOR}:
            if moderation_figures is None:
                moderation_figures = moderation.summary(now)
            if any(moderation_figures.values()):
                payload["moderation"] = moderation_figures
        if Role.COMMITTEE_STAFF in roles:
            payload["consultations"] = _activity(person, now)
        if not payload.get("moderation") and not payload.get("consultations"):
            continue
        outbox_add(event=Event.STAFF_SUMMARY, recipient_id=person.pk, **payload)
        written += 1
    return written


def _activity(person: User, now: datetime) -> list[dict]:
    """Each open (or just closed) consultation of the person's committees: what
    came in during the last day, and in all."""
    consultations = Consultation.objects.filter(committee__staff=person).filter(
        Q(status=ConsultationStatus.OPEN)
        | Q(status=ConsultationStatus.CLOSED, closes_at__gte=now - DAY)
    )
    figures = []
    for consultation in consultations.order_by("closes_at"):
        row = {"id": consultation.pk, "title": consultation.title}
        for name, model in (("comments", Comment), ("proposals", Proposal), ("votes", Vote)):
            counts = model.objects.filter(consultation=consultation).aggregate(
                total=Count("pk"), recent=Count("pk", filter=Q(created_at__gte=now - DAY))
            )
            row[name], row[f"total_{name}"] = counts["recent"], counts["total"]
        row["unanswered"] = sum(
            model.objects.filter(
                consultation=consultation, status=ItemStatus.PUBLISHED, responses__isnull=True
            ).count()
            for model in (Comment, Proposal)
        )
        figures.append(row)
    return figures
