"""Thin tasks around the outbox, the digests and the staff summaries. Beat's
schedule (America/Lima) is in config/celery.py."""

from celery import shared_task

from config.ratelimit import seconds_left
from notifications import digests, services, summaries
from notifications.services import RATE_WINDOW


@shared_task(soft_time_limit=240, time_limit=300)
def send_due() -> int:
    """Sends the outbox's due emails (and any digest a batch left behind). Beat
    runs it every minute; a new event queues it too, so a notice goes out
    within seconds."""
    return services.outbox_send_due()


@shared_task(soft_time_limit=240, time_limit=300)
def plan_digests(frequency: str) -> int:
    """Makes the digests of the period that just ended (daily at 07:00, weekly
    on Mondays at 07:15) and queues their sending in batches."""
    period, _made = digests.digests_plan(frequency=frequency)
    queued = 0
    for first, last in digests.digest_batches(period):
        send_digests.delay(first, last)
        queued += 1
    return queued


@shared_task(soft_time_limit=240, time_limit=300)
def send_digests(first: int, last: int) -> int:
    """Sends one batch of digests; stopped by the sending rate, it comes back
    for the rest when the next minute's allowance starts."""
    sent, stopped = digests.digests_send(first=first, last=last)
    if stopped:
        send_digests.apply_async(args=(first, last), countdown=seconds_left(RATE_WINDOW))
    return sent


@shared_task(soft_time_limit=50, time_limit=60)
def note_closing_soon() -> int:
    """Every fifteen minutes: consultations closing within 48 hours, said once."""
    from consultations.services import consultations_closing_soon

    return consultations_closing_soon()


@shared_task(soft_time_limit=240, time_limit=300)
def staff_summaries() -> int:
    """Every morning at 08:00: the day's summary for moderators and committee staff."""
    return summaries.staff_summaries_add()
