"""Django's PostgreSQL backend, with a health check that costs no round trip.

Django checks a persistent connection before a request reuses it by sending
``SELECT 1``: on a vote that was one database round trip in five. A healthy
idle connection has nothing to read; a server that restarted or ended the
session has closed it or sent the reason first. So the check is a poll of
the socket, plus what libpq already knows of the connection's state. A
connection found bad is replaced before the request uses it, as before.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

USABLE_STATES = frozenset({pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS})


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.pgconn.status != pq.ConnStatus.OK:
            return False
        if connection.info.transaction_status not in USABLE_STATES:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
