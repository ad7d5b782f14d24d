"""Django's database sessions, read in SQL.

Every signed-in request reads its session; building that one query with the
ORM cost a fifth of a vote's time (see README, "Benchmarks"). The store is
Django's own otherwise: same table, same writes, same expiry.
"""

from functools import cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import connections, router
from django.utils import timezone

KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)


@cache
def _query(alias: str, table: str) -> str:
    quote = connections[alias].ops.quote_name
    return (
        f"SELECT session_data FROM {quote(table)} "  # noqa: S608 - the model's table
        "WHERE session_key = %s AND expire_date > %s"
    )


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        # Keys are made of VALID_KEY_CHARS; any other cookie is no session
        # (and never reaches the database, which refuses some characters).
        return super()._validate_session_key(key) and set(key) <= KEY_CHARACTERS

    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_query(alias, self.model._meta.db_table), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        # What load() reads; the expiry date is loaded if something asks for it.
        fields = ["session_key", "session_data"]
        return self.model.from_db(alias, fields, [self.session_key, row[0]])
