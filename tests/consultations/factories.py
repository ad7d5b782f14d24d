from datetime import timedelta

from django.utils import timezone

from consultations import services
from consultations.models import ModerationPolicy
from tests.bills import factories as bill_factories


def open_consultation(
    committee_staff, *, policy: str = ModerationPolicy.POST, articles: int = 3, version=None
):
    """An open consultation on ``version``, or on a new published bill's text."""
    if version is None:
        version = bill_factories.published_bill(articles=articles).versions.get()
    committee = version.bill.committees.get()
    committee.staff.add(committee_staff)
    consultation = services.consultation_create(
        actor=committee_staff,
        version=version,
        committee=committee,
        title="Consulta ciudadana de prueba",
        opens_at=timezone.now() - timedelta(minutes=1),
        closes_at=timezone.now() + timedelta(days=15),
        moderation_policy=policy,
    )
    services.consultations_open_and_close_due()
    consultation.refresh_from_db()
    return consultation


def article(consultation, number: int = 1):
    return consultation.version.provisions.get(kind="article", label=f"Artículo {number}.-")
