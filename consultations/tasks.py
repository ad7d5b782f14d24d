from celery import shared_task

from consultations import services


@shared_task(soft_time_limit=50, time_limit=60)
def open_and_close_consultations() -> tuple[int, int]:
    """Beat runs this every minute: consultations open and close on time."""
    return services.consultations_open_and_close_due()
