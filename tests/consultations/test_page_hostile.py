"""Every string of the Big List of Naughty Strings through the comment, vote
reason and proposal forms of the page: stored exactly, shown escaped, never a 500."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from consultations.models import Comment, Proposal, Vote
from tests.consultations.factories import article, open_consultation

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def unlimited(settings):
    settings.APORTA_PARTICIPATION_RATE_LIMITS = dict.fromkeys(
        settings.APORTA_PARTICIPATION_RATE_LIMITS, (10**6, 10**6, 60)
    )


def shown(html: str, text: str) -> bool:
    """The text appears escaped (line breaks become <br>), never raw markup."""
    return escape(text).replace("\n", "<br>") in html


def test_naughty_comments(client, citizen, committee_staff, naughty_strings, unlimited):
    consultation = open_consultation(committee_staff)
    key = article(consultation).eid
    client.force_login(citizen)
    url = reverse("consultations:comment", args=[consultation.pk])
    for text in naughty_strings:
        response = client.post(url, {"unit": key, "text": text}, **HTMX)
        assert response.status_code in {200, 422}, text
        if response.status_code == 422:
            assert not text.strip() or len(text) > 5000, text
            continue
        stored = Comment.objects.latest("pk")
        assert stored.text == text.strip(), text
        assert shown(response.content.decode(), stored.text), text


def test_naughty_vote_reasons(client, citizen, committee_staff, naughty_strings, unlimited):
    consultation = open_consultation(committee_staff)
    key = article(consultation).eid
    client.force_login(citizen)
    url = reverse("consultations:vote", args=[consultation.pk])
    reasons = reverse("consultations:unit", args=[consultation.pk, key]) + "?show=reasons"
    for text in naughty_strings:
        response = client.post(url, {"unit": key, "choice": "agree", "reason": text}, **HTMX)
        assert response.status_code in {200, 422}, text
        if response.status_code == 422:
            assert len(text) > 1000, text
            continue
        vote = Vote.objects.get(voter=citizen)
        assert vote.reason == text.strip(), text
        html = response.content.decode()
        assert shown(html, vote.reason), text  # in the person's own reason box
        if vote.reason:
            assert shown(client.get(reasons, **HTMX).content.decode(), vote.reason), text


def test_naughty_proposals(client, citizen, committee_staff, naughty_strings, unlimited):
    consultation = open_consultation(committee_staff)
    key = article(consultation).eid
    client.force_login(citizen)
    url = reverse("consultations:proposal", args=[consultation.pk])
    for text in naughty_strings:
        response = client.post(url, {"unit": key, "text": text, "reason": text}, **HTMX)
        assert response.status_code in {200, 422}, text
        if response.status_code == 422:
            assert not text.strip(), text
            continue
        stored = Proposal.objects.latest("pk")
        assert stored.text == text.strip(), text
        assert stored.reason == text.strip(), text
        assert "<script" not in response.content.decode().split("proposal-form")[0].lower()
