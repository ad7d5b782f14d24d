"""Sessions: kept in the database, read through the shared cache.

Every signed-in request reads its session. The database stays the truth
(Django's table, writes and expiry); with Redis configured, a session is also
kept in the cache for a short while, so most requests read it there instead
of the database: on a busy consultation day that is one query less on every
vote (see README, "Benchmarks"). Without Redis, each process would hold its
own copy and a sign-out in one would not reach the others, so the cache is
not used then.

Unlike Django's ``cached_db`` store, this one never fails a request because
the cache is unreachable: it reads the database instead and logs the error.
Should a sign-out fail to reach the cache, the copy there expires within
``CACHE_SECONDS``.

Reading the database is written in SQL (config.sql): building that one query
with the ORM cost a fifth of a vote's time.
"""

import logging
from functools import cache

from django.conf import settings
from django.contrib.sessions.backends import cached_db, db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import connections, router
from django.utils import timezone

from config import sql

logger = logging.getLogger(__name__)

KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)
# How long the cache may answer for the database.
CACHE_SECONDS = 15 * 60
FIELDS = ("session_key", "session_data", "expire_date")


@cache
def _query(model, alias: str) -> str:
    quote = connections[alias].ops.quote_name
    return (
        f"SELECT {sql.columns(model, FIELDS, 'session')} "  # noqa: S608 - the model's table
        f"FROM {quote(model._meta.db_table)} session "
        "WHERE session.session_key = %s AND session.expire_date > %s"
    )


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "aporta.session."

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._shared = bool(settings.REDIS_URL)

    def _validate_session_key(self, key):
        # Keys are made of VALID_KEY_CHARS; any other cookie is no session
        # (and never reaches the database, which refuses some characters).
        return super()._validate_session_key(key) and set(key) <= KEY_CHARACTERS

    def load(self):
        if self._shared:
            try:
                data = self._cache.get(self.cache_key)
            except Exception:
                logger.warning("Session read from the database: the cache is unreachable")
                data = None
            if data is not None:
                return data
        session = self._get_session_from_db()
        if session is None:
            return {}
        data = self.decode(session.session_data)
        self._remember(data, self.get_expiry_age(expiry=session.expire_date))
        return data

    def save(self, must_create=False):
        db.SessionStore.save(self, must_create)
        self._remember(self._session, self.get_expiry_age())

    def exists(self, session_key):
        return db.SessionStore.exists(self, session_key)  # the database is the truth

    def delete(self, session_key=None):
        db.SessionStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if not self._shared or session_key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:
            logger.exception("A deleted session stays in the cache until it expires there")

    def _remember(self, data, age: int) -> None:
        if not self._shared:
            return
        try:
            self._cache.set(self.cache_key, data, min(age, CACHE_SECONDS))
        except Exception:
            logger.warning("Session not kept in the cache: the cache is unreachable")

    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        alias = router.db_for_read(self.model)
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        found = sql.fetch_instance(
            self.model, FIELDS, _query(self.model, alias), [self.session_key, now], using=alias
        )
        if found is None:
            self._session_key = None
            return None
        return found[0]
