"""The session store (config.sessions): Django's database sessions read in SQL."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def signed_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_signed_in_person_stays_signed_in_until_they_sign_out(citizen):
    client = signed_in_client(citizen)
    assert client.get(PROFILE).status_code == 200
    client.post(reverse("account_logout"))
    assert not Session.objects.exists()
    assert client.get(PROFILE).status_code == 302  # to the sign-in page


def test_an_expired_session_signs_nobody_in(citizen):
    client = signed_in_client(citizen)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
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
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(citizen)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    session, person = queries[0]["sql"], queries[1]["sql"]
    assert 'FROM "django_session"' in session
    assert 'FROM "accounts_user"' in person
    assert sum("django_session" in query["sql"] for query in queries) == 1
