"""Shared fixtures: personas, service availability, a clean cache per test."""

import importlib
import os
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from accounts import services
from accounts.models import Role
from tests.factories import PASSWORD, UserFactory

CHROMIUM = Path("/usr/bin/chromium")
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"
# CI sets this: there, a test that would skip for want of a service fails.
REQUIRE_SERVICES = os.environ.get("APORTA_REQUIRE_SERVICES") == "1"


def _redis_up() -> bool:
    if not settings.REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _missing(marker_name: str) -> str | None:
    if marker_name == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    if marker_name == "broker" and not _redis_up():
        return "needs a live Redis broker: set REDIS_URL=redis://..."
    if marker_name == "e2e" and not CHROMIUM.exists():
        return f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(autouse=True)
def _required_services(request):
    for name in ("postgres", "broker", "e2e"):
        if request.node.get_closest_marker(name) is None:
            continue
        reason = _missing(name)
        if reason and REQUIRE_SERVICES:
            pytest.fail(f"APORTA_REQUIRE_SERVICES=1 but this test {reason}")
        if reason:
            pytest.skip(reason)


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (a fresh clone has no ../shared/)")
    return CORPUS


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters live in the cache; every test starts with none."""
    _clear_cache()
    yield
    _clear_cache()


def _clear_cache() -> None:
    if settings.REDIS_URL:
        # Only our keys: the broker may share this Redis database.
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
        try:
            prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
            for key in client.scan_iter(match=f"{prefix}:*", count=500):
                client.delete(key)
        except redis.RedisError:
            pass  # a test about Redis being down; nothing cached to clear
        finally:
            client.close()
    else:
        cache.clear()


@pytest.fixture
def migration_data(transactional_db) -> None:
    """Transactional tests start from an emptied database, data-migration rows
    included: this puts the regions, role groups and screening lists back
    (idempotently)."""
    from django.apps import apps

    from accounts.migrations import __name__ as package

    loader = importlib.import_module(f"{package}.0002_regions_and_roles").load
    loader(apps, None)
    importlib.import_module("moderation.migrations.0002_initial_lists").add(apps, None)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def citizen(db):
    return UserFactory(email="citizen@example.org", display_name="Ciudadana Ejemplo")


@pytest.fixture
def moderator(db):
    user = UserFactory(email="moderator@example.org", display_name="Moderadora")
    services.user_assign_role(user=user, role=Role.MODERATOR)
    return user


@pytest.fixture
def committee_staff(db):
    user = UserFactory(email="committee@example.org", display_name="Secretaría Técnica")
    services.user_assign_role(user=user, role=Role.COMMITTEE_STAFF)
    return user


@pytest.fixture
def administrator(db):
    user = UserFactory(email="administrator@example.org", display_name="Administración")
    services.user_assign_role(user=user, role=Role.ADMINISTRATOR)
    return user


@pytest.fixture
def naughty_strings(corpus) -> list[str]:
    """The Big List of Naughty Strings, one per line, comments dropped."""
    lines = (corpus / "naughty" / "blns.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]
