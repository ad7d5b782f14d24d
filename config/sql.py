"""Model instances from hand-written SQL, for the few reads on every request.

The ORM builds a query anew each time it runs; on a path taken by every vote
that building cost more than the database's answer. These helpers run a fixed
statement and make the instance the way the ORM would (``Model.from_db``, the
backend's value converters applied), with only the fields the statement read:
any other is loaded if something asks for it.
"""

from collections.abc import Sequence
from functools import lru_cache

from django.db import connections
from django.db.models import Model


def columns(model: type[Model], attnames: Sequence[str], table_alias: str) -> str:
    """The quoted columns of ``attnames`` in the model's field order, for a SELECT."""
    quote = connections["default"].ops.quote_name
    return ", ".join(f"{table_alias}.{quote(field.column)}" for field in _fields(model, attnames))


def fetch_instance(
    model: type[Model], attnames: Sequence[str], sql: str, params: Sequence, *, using: str
) -> tuple[Model, tuple] | None:
    """Runs ``sql``, whose first columns are ``attnames`` as :func:`columns`
    lists them; answers the first row as an instance with the row's further
    columns, or None when there is no row."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    fields = _fields(model, attnames)
    values = list(row[: len(fields)])
    for index, expression, converters in _converters(model, tuple(attnames), connection):
        for converter in converters:
            values[index] = converter(values[index], expression, connection)
    names = [field.attname for field in fields]
    return model.from_db(using, names, values), tuple(row[len(fields) :])


@lru_cache(maxsize=64)
def _fields_of(model: type[Model], attnames: tuple[str, ...]) -> list:
    wanted = set(attnames)
    fields = [field for field in model._meta.concrete_fields if field.attname in wanted]
    if len(fields) != len(wanted):
        raise ValueError(f"{model.__name__} lacks some of {sorted(wanted)}")
    return fields


def _fields(model: type[Model], attnames: Sequence[str]) -> list:
    return _fields_of(model, tuple(attnames))


@lru_cache(maxsize=256)  # per thread's connection: a few per process
def _converters(model: type[Model], attnames: tuple[str, ...], connection) -> list:
    found = []
    for index, field in enumerate(_fields(model, attnames)):
        expression = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(expression)
        converters += expression.get_db_converters(connection)
        if converters:
            found.append((index, expression, converters))
    return found
