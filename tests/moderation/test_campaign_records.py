"""Campaigns found in a consultation are recorded, grow as copies arrive, are
never removed, and are counted as one in the public figures."""

import random

import pytest

from consultations import services as participation
from moderation import selectors, services, tasks
from moderation.models import Campaign, CampaignMember
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LETTER = (
    "Como ciudadano de la región pido a la comisión que rechace el artículo tercero "
    "porque elimina la consulta previa a las comunidades campesinas y nativas, "
    "reduce el presupuesto de los gobiernos locales para agua potable y deja sin "
    "control independiente la ejecución de las obras de saneamiento rural."
)
OTHERS = [
    "El plazo de noventa días me parece corto para los municipios pequeños.",
    "Sugiero precisar quién fiscaliza el fondo y cómo se publican sus cuentas.",
    "Estoy de acuerdo con la propuesta, pero falta incluir a las rondas campesinas.",
    "La definición de vivienda rural debería incluir a los centros poblados menores.",
    "Pido que el reglamento se publique en quechua y aimara además del castellano.",
    "El artículo cinco repite lo que ya dice la ley general de saneamiento vigente.",
]


def copies(count: int, seed: int) -> list[str]:
    """The letter as people send it: a few words changed, case and spacing noise."""
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    words = LETTER.split()
    sent = []
    for _ in range(count):
        copy = list(words)
        for index in rng.sample(range(len(copy)), 3):
            copy[index] = copy[index].upper()
        sent.append("  ".join(copy) if rng.random() < 0.5 else " ".join(copy) + " Gracias.")
    return sent


def send(consultation, texts):
    return [
        participation.comment_submit(
            author=UserFactory(), consultation=consultation, provision=None, text=text
        )
        for text in texts
    ]


def test_copies_are_recorded_as_one_campaign_that_grows(committee_staff):
    consultation = open_consultation(committee_staff)
    first = send(consultation, copies(6, seed=1))
    send(consultation, OTHERS)

    assert services.campaigns_refresh(consultation_id=consultation.pk) == 1
    campaign = Campaign.objects.with_figures().get()
    assert campaign.size == 6
    assert set(campaign.members.values_list("object_id", flat=True)) == {c.pk for c in first}
    assert (campaign.representative_kind, campaign.representative_id in {c.pk for c in first}) == (
        "comment", True,
    )  # fmt: skip

    assert services.campaigns_refresh(consultation_id=consultation.pk) == 0  # nothing new
    later = send(consultation, copies(3, seed=2))
    assert services.campaigns_refresh(consultation_id=consultation.pk) == 1
    campaign = Campaign.objects.with_figures().get()
    assert campaign.size == 9
    assert Campaign.objects.count() == 1
    assert campaign.last_seen == max(c.created_at for c in later)
    assert campaign.first_seen == min(c.created_at for c in first)


def test_a_campaign_is_never_removed(committee_staff):
    consultation = open_consultation(committee_staff)
    items = send(consultation, copies(6, seed=3))
    services.campaigns_refresh(consultation_id=consultation.pk)
    for item in items[:4]:
        participation.item_withdraw(author=item.author, item=item)

    services.campaigns_refresh(consultation_id=consultation.pk)

    assert Campaign.objects.with_figures().get().size == 6
    assert CampaignMember.objects.count() == 6


def test_the_public_figures_count_a_campaign_once_with_its_signatories(client, committee_staff):
    consultation = open_consultation(committee_staff)
    send(consultation, copies(7, seed=4) + OTHERS)
    services.campaigns_refresh(consultation_id=consultation.pk)

    figures = selectors.transparency_now(consultation.pk)

    assert (figures.campaigns, figures.signatories) == (1, 7)
    page = client.get(f"/consultations/{consultation.pk}/moderation/").content.decode()
    assert "7" in page


def test_queue_items_show_their_campaign(committee_staff, moderator):
    consultation = open_consultation(committee_staff)
    items = send(consultation, copies(5, seed=5))
    for item in items:
        services.item_screen(kind="comment", pk=item.pk)
    participation.flag_add(flagger=UserFactory(), item=items[0], reason="spam")
    services.campaigns_refresh(consultation_id=consultation.pk)

    queued = {item.pk: item for item in selectors.queue()}
    assert queued[items[0].pk].campaign_size == 5
    in_campaign = selectors.queue(rule="campaign")
    assert [item.pk for item in in_campaign] == [items[0].pk]  # the one waiting: flagged


def test_beat_refreshes_every_open_consultation(committee_staff, settings):
    from config.celery import app

    consultation = open_consultation(committee_staff)
    send(consultation, copies(5, seed=6))
    app.conf.task_always_eager = True
    try:
        assert tasks.refresh_campaigns() == 1
    finally:
        app.conf.task_always_eager = settings.REDIS_URL is None
    assert Campaign.objects.filter(consultation=consultation).count() == 1


def test_a_consultation_without_texts_has_no_campaign(committee_staff):
    consultation = open_consultation(committee_staff)
    assert services.campaigns_refresh(consultation_id=consultation.pk) == 0
    assert not Campaign.objects.exists()
