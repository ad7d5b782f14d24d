from celery import shared_task

from consultations import services
from moderation import services as moderation


@shared_task(soft_time_limit=50, time_limit=60)
def open_and_close_consultations() -> tuple[int, int]:
    """Beat runs this every minute: consultations open and close on time."""
    return services.consultations_open_and_close_due()


@shared_task(soft_time_limit=50, time_limit=60)
def screen_item(kind: str, pk: int) -> bool:
    """Screens one comment, proposal or vote reason (queued on commit)."""
    return moderation.item_screen(kind=kind, pk=pk)


@shared_task(soft_time_limit=240, time_limit=300)
def requeue_unscreened() -> int:
    """Beat runs this every five minutes: nothing waits forever unscreened."""
    return moderation.unscreened_requeue()


@shared_task(soft_time_limit=500, time_limit=560)  # within the broker visibility timeout
def build_report(report_id: int) -> bool:
    """Builds one requested report (queued when staff ask for it)."""
    from consultations.reports.build import report_build

    return report_build(report_id)
