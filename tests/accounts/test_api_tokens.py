"""API tokens from the profile page: created with POST + CSRF, shown once,
listed by dates only, revocable, limited in number and rate."""

import re

import pytest
from django.test import Client, override_settings
from knox.models import AuthToken

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
CREATE = "/accounts/profile/api-tokens/"
REVOKE = "/accounts/profile/api-tokens/revoke/"
TOKEN = re.compile(r"aporta_[0-9a-f]{64}")


def _create(client) -> str:
    response = client.post(CREATE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    tokens = TOKEN.findall(response.content.decode())
    assert len(tokens) == 1
    return tokens[0]


def test_a_new_token_is_shown_once_and_stored_only_as_a_digest(client, citizen):
    client.force_login(citizen)

    token = _create(client)

    row = AuthToken.objects.get(user=citizen)
    assert token not in {row.digest, row.token_key}
    assert len(row.digest) == 128
    assert row.expiry is not None
    page = client.get(PROFILE).content.decode()
    assert token not in page
    assert "Revoke" in page or "Revocar" in page


def test_the_new_token_works_for_the_api(client, citizen):
    client.force_login(citizen)
    token = _create(client)

    response = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert response.json()["email"] == citizen.email


def test_creating_a_token_needs_a_post_with_a_csrf_token(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)

    assert client.get(CREATE).status_code == 405
    assert client.post(CREATE).status_code == 403
    assert not AuthToken.objects.exists()

    client.get(PROFILE)
    response = client.post(CREATE, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 200
    assert AuthToken.objects.filter(user=citizen).count() == 1


def test_anonymous_visitors_cannot_create_or_revoke_tokens(client):
    for path in (CREATE, REVOKE):
        response = client.post(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not AuthToken.objects.exists()


def test_a_revoked_token_stops_working(client, citizen):
    client.force_login(citizen)
    token = _create(client)
    digest = AuthToken.objects.get(user=citizen).digest

    response = client.post(REVOKE, {"token": digest})

    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    api = Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 401


def test_nobody_revokes_another_persons_token(client, citizen):
    other = UserFactory()
    AuthToken.objects.create(user=other)
    digest = AuthToken.objects.get(user=other).digest
    client.force_login(citizen)

    client.post(REVOKE, {"token": digest})

    assert AuthToken.objects.filter(user=other).count() == 1


@pytest.mark.parametrize("value", ["", "x" * 10_000, "<script>", "' OR 1=1 --", "\u202e"])
def test_revoking_with_a_hostile_value_changes_nothing(client, citizen, value):
    AuthToken.objects.create(user=citizen)
    client.force_login(citizen)

    response = client.post(REVOKE, {"token": value})

    assert response.status_code == 302
    assert AuthToken.objects.filter(user=citizen).count() == 1


def test_the_list_shows_dates_only_and_only_ones_own_tokens(client, citizen):
    AuthToken.objects.create(user=UserFactory())
    AuthToken.objects.create(user=citizen)
    client.force_login(citizen)

    response = client.get(PROFILE)

    assert len(response.context["api_tokens"]) == 1
    assert not TOKEN.search(response.content.decode())


@override_settings(APORTA_API_TOKENS_PER_USER=2)
def test_the_number_of_live_tokens_is_limited_with_a_clear_message(client, citizen):
    client.force_login(citizen)
    _create(client)
    _create(client)

    response = client.post(CREATE, follow=True)

    assert AuthToken.objects.filter(user=citizen).count() == 2
    assert "2" in response.content.decode()
    assert not TOKEN.search(response.content.decode())


def test_creating_tokens_is_rate_limited(client, citizen):
    client.force_login(citizen)
    limits = {"api_token": (2, 100, 3600)}
    with override_settings(APORTA_PARTICIPATION_RATE_LIMITS=limits, APORTA_API_TOKENS_PER_USER=10):
        _create(client)
        _create(client)
        response = client.post(CREATE, follow=True)

    assert AuthToken.objects.filter(user=citizen).count() == 2
    assert not TOKEN.search(response.content.decode())
    assert list(response.context["messages"])


def test_there_is_no_password_for_token_endpoint(client, citizen, password):
    for path in ("/api/v1/token/", "/api/v1/auth/login/", "/api/v1/login/"):
        response = client.post(path, {"email": citizen.email, "password": password})
        assert response.status_code == 404
    assert not AuthToken.objects.exists()
