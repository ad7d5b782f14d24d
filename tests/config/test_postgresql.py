"""The PostgreSQL backend's health check (config.postgresql): a connection the
server ended is found unusable before a request uses it, without a query."""

import time

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def fresh_connection():
    other = connection.copy()
    other.ensure_connection()
    return other


def test_a_healthy_idle_connection_is_usable_without_a_query():
    other = fresh_connection()
    try:
        assert other.is_usable()
        assert other.is_usable()  # and asking again changes nothing
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        other.close()


def test_a_connection_the_server_ended_is_unusable_and_is_replaced():
    other = fresh_connection()
    try:
        pid = other.connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while other.is_usable() and time.monotonic() < deadline:
            time.sleep(0.01)  # the server's goodbye is on its way
        assert not other.is_usable()

        # What Django does before a request: check, close, connect afresh.
        other.health_check_done = False
        other.close_if_health_check_failed()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        other.close()


def test_a_closed_connection_is_unusable():
    other = fresh_connection()
    other.close()
    assert not other.is_usable()
