from celery import shared_task

from consultations.models import Consultation
from moderation import services


@shared_task(soft_time_limit=240, time_limit=300)
def refresh_consultation_campaigns(consultation_id: int) -> int:
    """Finds and records one consultation's campaigns."""
    return services.campaigns_refresh(consultation_id=consultation_id)


@shared_task(soft_time_limit=50, time_limit=60)
def refresh_campaigns() -> int:
    """Beat runs this every fifteen minutes: each open consultation's
    campaigns are found again, one task per consultation."""
    queued = 0
    for pk in Consultation.objects.open().values_list("pk", flat=True):
        refresh_consultation_campaigns.delay(pk)
        queued += 1
    return queued
