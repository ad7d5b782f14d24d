from celery import shared_task

from notifications import services


@shared_task(soft_time_limit=240, time_limit=300)
def send_due() -> int:
    """Sends the outbox's due emails. Beat runs it every minute; a new event
    queues it too, so a notice goes out within seconds."""
    return services.outbox_send_due()
