"""The participation benchmark's parts, with tiny numbers: its data, its
sessions, and (on PostgreSQL, with wrk) gunicorn and the vote load."""

import json
import secrets
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from accounts.models import User
from consultations.models import Comment, Support, Vote
from consultations.permissions import can_take_part
from tests.bench import participation_data, serve


def tiny(**overrides):
    numbers = {"articles": 3, "participants": 4, "comments": 10, "supports": 6, "voters": 3}
    return participation_data.load(**{**numbers, **overrides})


@pytest.mark.django_db
def test_the_data_is_an_open_consultation_everyone_in_it_may_take_part_in():
    data = tiny()
    consultation = data.consultation
    assert consultation.is_open
    assert len(data.articles) == 3
    assert Vote.objects.filter(consultation=consultation).count() == 4 * 3
    comments = Comment.objects.filter(consultation=consultation, status="published")
    assert comments.count() == 10
    assert comments.exclude(parent=None).count() == 2
    assert comments.filter(provision=None, parent=None).exists()
    assert Support.objects.filter(comment__consultation=consultation).count() == 6
    people = data.participants + data.voters
    assert EmailAddress.objects.filter(user__in=people, verified=True).count() == len(people)
    for person in User.objects.filter(pk__in=people):
        assert not person.has_usable_password()
        assert can_take_part(person, consultation)
    assert not Vote.objects.filter(voter__in=data.voters).exists()


@pytest.mark.django_db
def test_a_loaded_session_votes_through_the_api_as_the_load_generator_does():
    data = tiny()
    secret_key = secrets.token_urlsafe(64)
    [(session_key, csrf)] = participation_data.signed_in(data.voters[:1], secret_key=secret_key)
    client = Client(enforce_csrf_checks=True)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.cookies[settings.CSRF_COOKIE_NAME] = csrf
    with override_settings(SECRET_KEY=secret_key):
        response = client.put(
            f"/api/v1/consultations/{data.consultation.pk}/vote/",
            data=json.dumps({"provision": data.articles[0].eid, "choice": "agree"}),
            content_type="application/json",
            headers={"X-CSRFToken": csrf},
        )
    assert response.status_code == 200, response.content
    assert Vote.objects.filter(voter=data.voters[0], provision=data.articles[0]).exists()


@pytest.mark.django_db
def test_a_session_signed_with_another_key_is_not_signed_in():
    data = tiny()
    [(session_key, _csrf)] = participation_data.signed_in(
        data.voters[:1], secret_key=secrets.token_urlsafe(64)
    )
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    assert client.get("/api/v1/me/").status_code in {401, 403}


@pytest.mark.postgres
def test_every_vote_the_server_accepts_under_load_is_stored(migration_data, tmp_path: Path):
    if serve.wrk_missing():
        pytest.skip(serve.wrk_missing())
    if not settings.REDIS_URL:
        pytest.skip("gunicorn's workers share their cache through Redis: set REDIS_URL")
    data = tiny(voters=2_000)
    secret_key = secrets.token_urlsafe(64)
    sessions = participation_data.signed_in(data.voters, secret_key=secret_key)
    rows = [(key, csrf, data.articles[0].eid) for key, csrf in sessions]
    environment = serve.server_environment(
        database_url=serve.database_url(), redis_url=settings.REDIS_URL, secret_key=secret_key
    )
    environment["STATIC_ROOT"] = str(tmp_path)
    with serve.gunicorn(
        environment, workers=2, worker_class="gthread", threads=2, log=lambda message: None
    ) as base:
        hello = serve.wrk(
            base + serve.HELLO_PATH, script="pages.lua", seconds=1, threads=1, connections=2
        )
        votes = serve.wrk(
            f"{base}/api/v1/consultations/{data.consultation.pk}/vote/",
            script="votes.lua",
            seconds=1,
            threads=2,
            connections=4,
            data=[rows[0::2], rows[1::2]],
        )
    assert set(hello.statuses) == {200}
    assert set(votes.statuses) == {200}
    assert not votes.exhausted
    assert 0 < len(votes.accepted) == len(set(votes.accepted)) == votes.answered(200)
    stored = set(Vote.objects.filter(voter__in=data.voters).values_list("voter_id", flat=True))
    assert set(votes.accepted) <= stored
    with pytest.raises(ConnectionRefusedError):  # gunicorn is gone
        serve.socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), timeout=1)
