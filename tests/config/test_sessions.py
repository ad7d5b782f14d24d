"""The session store (config.sessions): database sessions read through the
shared cache, in SQL, never failing a request for the cache."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum('FROM "django_session"' in query["sql"] for query in queries)


def test_signing_out_ends_the_session_for_every_copy_of_the_cookie(citizen, settings):
    client = signed_in_client(citizen)
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert thief.get(PROFILE).status_code == 200
    client.post(reverse("account_logout"))
    assert not Session.objects.exists()
    assert client.get(PROFILE).status_code == 302  # to the sign-in page
    assert thief.get(PROFILE).status_code == 302


def test_an_expired_session_signs_nobody_in(citizen):
    client = signed_in_client(citizen)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    caches["default"].clear()  # as after the cache's copy ran out
    assert client.get(PROFILE).status_code == 302


@pytest.mark.parametrize(
    "cookie",
    ["\x00" * 40, "a" * 31 + "\x00", "ñandú" * 8, "A" * 32, "' OR '1'='1' --" * 3, "x" * 5000],
)
def test_a_forged_session_cookie_is_no_session_and_no_error(citizen, settings, cookie):
    signed_in_client(citizen)  # a real session exists beside the forged one
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert client.get(PROFILE).status_code == 302
    assert client.get("/").status_code == 200


def test_the_session_and_the_person_are_read_with_one_query_each(citizen):
    client = signed_in_client(citizen)
    caches["default"].clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    session, person = queries[0]["sql"], queries[1]["sql"]
    assert 'FROM "django_session"' in session
    assert 'FROM "accounts_user"' in person
    assert sum("django_session" in query["sql"] for query in queries) == 1


@pytest.mark.broker
def test_with_redis_the_session_is_read_from_the_cache(citizen):
    client = signed_in_client(citizen)  # signing in keeps it in the cache
    assert session_queries(client, "/api/v1/me/") == 0
    caches["default"].clear()
    assert session_queries(client, "/api/v1/me/") == 1  # read, and kept again
    assert session_queries(client, "/api/v1/me/") == 0


def test_without_redis_each_request_reads_the_database(citizen, settings):
    settings.REDIS_URL = None
    client = signed_in_client(citizen)
    assert session_queries(client, "/api/v1/me/") == 1
    assert session_queries(client, "/api/v1/me/") == 1


def test_an_unreachable_cache_costs_no_request(citizen, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    with override_settings(CACHES=UNREACHABLE):
        client = signed_in_client(citizen)
        assert client.get(PROFILE).status_code == 200
        client.post(reverse("account_logout"))
        assert client.get(PROFILE).status_code == 302
    assert "the cache is unreachable" in caplog.text
