"""The consultation page under load: its query count does not grow with the
text or the feedback, anonymous copies come from a cache for at most 10 s,
and signed-in people always see their own votes fresh."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations import services
from tests.bills import factories as bill_factories
from tests.consultations.factories import article, open_consultation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
MAX_QUERIES = 15


def feedback(consultation, people, articles: int) -> None:
    for number in range(1, articles + 1):
        provision = article(consultation, number)
        for person in people:
            services.vote_cast(
                voter=person, consultation=consultation, provision=provision, choice="agree"
            )
            comment = services.comment_submit(
                author=person, consultation=consultation, provision=provision, text="Opino."
            )
        services.comment_submit(
            author=people[0], consultation=consultation, parent=comment, text="Respondo."
        )
        services.proposal_submit(
            author=people[0], consultation=consultation, provision=provision, text="Otro texto."
        )


def queries_for(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def page(consultation, **query) -> str:
    url = reverse("consultations:detail", args=[consultation.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_query_count_does_not_grow_with_provisions_or_feedback(
    client, committee_staff, citizen, signed_in
):
    if signed_in:
        client.force_login(citizen)
    small = open_consultation(committee_staff, articles=2)
    feedback(small, [UserFactory()], 2)
    bill = bill_factories.published_bill("5678/2025-CR", articles=30)
    large = services.consultation_create(
        actor=committee_staff,
        version=bill.versions.get(),
        committee=small.committee,
        title="Grande",
        opens_at=small.opens_at,
        closes_at=small.closes_at,
    )
    services.consultations_open_and_close_due()
    large.refresh_from_db()
    feedback(large, [UserFactory() for _ in range(4)], 30)
    services.vote_cast(voter=citizen, consultation=large, provision=None, choice="agree")

    counts = set()
    for consultation in (small, large):
        key = article(consultation, 1).eid
        plain = queries_for(client, page(consultation))
        opened = queries_for(client, page(consultation, open=key, show="comments"))
        proposals = queries_for(client, page(consultation, open=key, show="proposals"))
        counts.add((plain, opened, proposals))
        assert max(plain, opened, proposals) <= MAX_QUERIES
    assert len(counts) == 1, counts


def test_anonymous_pages_are_cached_briefly_with_validators(client, committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    first = client.get(page(consultation))
    assert first["Cache-Control"] in {"max-age=10, private", "private, max-age=10"}
    assert "Cookie" in first["Vary"]
    etag = first["ETag"]
    assert client.get(page(consultation), HTTP_IF_NONE_MATCH=etag).status_code == 304

    # A new comment shows to anonymous visitors once the cached copy expires.
    services.comment_submit(
        author=citizen, consultation=consultation, provision=None, text="Comentario nuevo."
    )
    stale = client.get(page(consultation, open="bill")).content.decode()
    cache.clear()  # what ten seconds do
    fresh = client.get(page(consultation, open="bill")).content.decode()
    assert "Comentario nuevo." in fresh
    assert stale != fresh or "Comentario nuevo." in stale


def test_the_cached_page_carries_each_visitors_own_csrf_token(client, committee_staff):
    consultation = open_consultation(committee_staff)
    client.get(page(consultation))  # fills the cache
    other = Client(enforce_csrf_checks=True)
    html = other.get(page(consultation)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = other.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert response.status_code == 302  # the token matches this visitor's cookie


def test_signed_in_people_always_see_their_own_vote_fresh(client, committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    client.get(page(consultation))  # an anonymous copy is cached
    client.force_login(citizen)
    services.vote_cast(
        voter=citizen, consultation=consultation, provision=article(consultation), choice="agree"
    )
    response = client.get(page(consultation))
    assert "no-cache" in response["Cache-Control"]
    assert 'value="agree" checked' in response.content.decode()


def test_messages_are_never_served_from_the_anonymous_cache(client, committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    client.force_login(citizen)
    client.post(
        reverse("consultations:vote", args=[consultation.pk]), {"unit": "bill", "choice": "agree"}
    )
    client.logout()
    client.get(page(consultation))  # shows the message once, not from the cache
    other = Client().get(page(consultation)).content.decode()
    assert "Su voto está guardado." not in other


def test_every_web_process_reads_the_cached_pages_marks_alike():
    """Web processes share the cache: the stand-in marks must not be per process."""
    import subprocess
    import sys
    from pathlib import Path

    from consultations import views

    code = "import django; django.setup(); from consultations import views; "
    code += "print(views.TOKEN_PLACEHOLDER, views.VOTE_SLOT)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert result.stdout.split() == [views.TOKEN_PLACEHOLDER, views.VOTE_SLOT]


def test_signed_in_pages_share_the_text_but_not_the_votes(client, committee_staff, citizen):
    consultation = open_consultation(committee_staff)
    other = UserFactory()
    services.vote_cast(
        voter=other, consultation=consultation, provision=article(consultation), choice="disagree"
    )
    client.force_login(other)
    theirs = client.get(page(consultation)).content.decode()  # fills the shared text
    assert 'value="disagree" checked' in theirs
    client.force_login(citizen)
    mine = client.get(page(consultation)).content.decode()
    assert "checked" not in mine
    services.vote_cast(voter=citizen, consultation=consultation, provision=None, choice="abstain")
    mine = client.get(page(consultation)).content.decode()
    assert mine.count("checked") == 1
    assert 'value="abstain" checked' in mine
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', mine).group(1)
    assert "csrf-" not in token
