"""The public page of what moderation did in a consultation."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role
from accounts.services import user_assign_role
from consultations import services as participation
from consultations.models import Comment, ConsultationStatus
from moderation import selectors, services
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_figures():
    cache.clear()


def test_the_figures_count_what_was_received_decided_and_why(committee_staff, moderator):
    consultation = open_consultation(committee_staff)
    items = [
        participation.comment_submit(
            author=UserFactory(), consultation=consultation, provision=None, text=text
        )
        for text in ["Aporte uno", "Son unos cojudos", "Mi celular 987 654 321", "Aporte dos"]
    ]
    participation.vote_cast(
        voter=UserFactory(), consultation=consultation, provision=article(consultation),
        choice="agree", reason="Buena idea",
    )  # fmt: skip
    participation.vote_cast(
        voter=UserFactory(), consultation=consultation, provision=None, choice="agree"
    )  # a vote without a reason is not a contribution to moderate
    for item in items:
        services.item_screen(kind="comment", pk=item.pk)
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Comment.objects.filter(pk__in=[items[1].pk, items[2].pk]).update(created_at=two_hours_ago)
    services.item_decide(moderator=moderator, kind="comment", pk=items[1].pk, action="reject",
                         seen_status="held", reason="insult")  # fmt: skip
    services.item_decide(moderator=moderator, kind="comment", pk=items[2].pk, action="reject",
                         seen_status="held", reason="personal_data")  # fmt: skip
    for _ in range(3):
        participation.flag_add(flagger=UserFactory(), item=items[3], reason="spam")

    figures = selectors.transparency(consultation.pk)

    assert figures.received == 5
    assert figures.by_status["published"] == 2  # one comment, one vote reason
    assert figures.by_status["rejected"] == 2
    assert figures.by_status["hidden"] == 1
    assert dict(figures.decisions_by_reason) == {
        "Insultos, amenazas o acoso": 1, "Datos personales": 1,
    }  # fmt: skip
    assert figures.hidden_by_flags == 1
    assert figures.decided == 2
    assert 1.9 < figures.median_hours < 2.1


def test_the_page_is_public_and_escapes_what_it_shows(client, committee_staff):
    consultation = open_consultation(committee_staff)
    consultation.title = "<script>alert(1)</script>"
    consultation.save(update_fields=["title"])
    response = client.get(f"/consultations/{consultation.pk}/moderation/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    assert 'href="/moderation-policy/"' in page


def test_the_consultation_page_links_to_it(client, committee_staff):
    consultation = open_consultation(committee_staff)
    page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert f'href="/consultations/{consultation.pk}/moderation/"' in page


@pytest.mark.parametrize("path", ["0", "999999999", "99999999999999999999999"])
def test_no_such_consultation_is_not_found(client, path):
    assert client.get(f"/consultations/{path}/moderation/").status_code == 404


def test_a_draft_has_no_public_moderation_page(client, committee_staff):
    consultation = open_consultation(committee_staff)
    consultation.status = ConsultationStatus.DRAFT
    consultation.save(update_fields=["status"])
    assert client.get(f"/consultations/{consultation.pk}/moderation/").status_code == 404


def test_nothing_decided_yet_says_so(client, committee_staff):
    consultation = open_consultation(committee_staff)
    figures = selectors.transparency(consultation.pk)
    assert (figures.received, figures.median_hours, figures.decided) == (0, None, 0)
    assert client.get(f"/consultations/{consultation.pk}/moderation/").status_code == 200


def test_administrators_decisions_count_too(committee_staff, administrator):
    user_assign_role(user=administrator, role=Role.ADMINISTRATOR)
    consultation = open_consultation(committee_staff)
    item = participation.comment_submit(
        author=UserFactory(), consultation=consultation, provision=None, text="Son unos cojudos"
    )
    services.item_screen(kind="comment", pk=item.pk)
    services.item_decide(moderator=administrator, kind="comment", pk=item.pk, action="approve",
                         seen_status="held")  # fmt: skip
    assert selectors.transparency(consultation.pk).decided == 1
