"""The queue reads the riskiest items first however many wait: a phone number
sent last is not buried under older, milder items."""

import pytest

from consultations import services as participation
from moderation import selectors, services
from tests.consultations.factories import open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_riskiest_item_is_read_even_past_the_page_of_oldest(
    committee_staff, monkeypatch, moderator
):
    consultation = open_consultation(committee_staff)
    texts = ["ESTO ES UN ESCÁNDALO TOTAL Y ABSOLUTO"] * 4 + ["Llamen a Rosa al 987 654 321"]
    made = []
    for text in texts:
        item = participation.comment_submit(
            author=UserFactory(), consultation=consultation, provision=None, text=text
        )
        services.item_screen(kind="comment", pk=item.pk)
        made.append(item)
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 2)

    ranked = selectors.queue(viewer=moderator)

    assert ranked[0].pk == made[-1].pk  # personal data, sent last, read and first
    assert [item.pk for item in ranked[1:]] == [made[0].pk]  # then the oldest shouting
