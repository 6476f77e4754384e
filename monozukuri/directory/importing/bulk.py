"""Fast inserts and updates of many rows, for the import only.

Django's bulk_create spends most of its time building model instances and, on SQLite, caps a
statement at 999 parameters (22 organisations); a million-row import cannot afford either. Here rows
are plain tuples in the column order of the model's own field list (so a new field cannot be missed
silently): SQLite takes them through `executemany`, PostgreSQL through `COPY`. Both run on Django's
connection, inside the caller's transaction. Ids of new organisations are reserved first (PostgreSQL:
from the sequence; SQLite: past the largest id, which is safe because an import holds SQLite's write
lock for its whole transaction), so that sources and duplicate flags can point at them at once.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db import models as dj_models
from django.utils import timezone


def concrete_columns(model: type[dj_models.Model], *, with_pk: bool) -> list[dj_models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]


def column_of(model: type[dj_models.Model], name: str) -> str:
    """The database column of a model field."""
    field = model._meta.get_field(name)
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise ValueError(f"{model.__name__}.{name} has no column")
    return column


def defaults_for(model: type[dj_models.Model]) -> dict[str, Any]:
    """Each column's value when the import does not give one (the model's default, '' or None)."""
    out: dict[str, Any] = {}
    for f in concrete_columns(model, with_pk=False):
        value = f.get_default()
        if isinstance(f, dj_models.JSONField):
            value = json.dumps(value if value is not None else {})
        out[f.attname] = value
    return out


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def now_value() -> Any:
    """The current time as the database driver wants it for a DateTimeField."""
    now = timezone.now()
    return now if is_postgresql() else connection.ops.adapt_datetimefield_value(now)


SQLITE_IMPORT_CACHE_KIB = 256 * 1024  # page cache while importing: the indexes of a million rows


def lock_imports() -> None:
    """Serialise imports on PostgreSQL (SQLite already has a single writer)."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x6D7A6B01])


@contextmanager
def import_tuning() -> Iterator[None]:
    """A bigger SQLite page cache for the import (the default 2 MiB makes index updates spill)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def reserve_ids(model: type[dj_models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, not used by anyone else."""
    if count == 0:
        return []
    table = model._meta.db_table
    pk = column_of(model, model._meta.pk.name) if model._meta.pk else "id"
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [connection.ops.quote_name(table), pk, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + 1 + count))


def insert_rows(model: type[dj_models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows (tuples in `columns` order, column names as in the database)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_sql = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            raw = cursor.cursor  # psycopg's own cursor: COPY is not part of the DB-API
            with raw.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Many rows per statement: one call into SQLite (which releases the GIL) per few hundred rows.
            per_statement = max(1, _sqlite_max_variables() // len(columns))
            one = f"({', '.join(['?'] * len(columns))})"
            raw_cursor = cursor.cursor
            for start in range(0, len(rows), per_statement):
                chunk = rows[start:start + per_statement]
                values_sql = ", ".join([one] * len(chunk))
                raw_cursor.execute(f"INSERT INTO {table} ({column_sql}) VALUES {values_sql}",
                                   list(itertools.chain.from_iterable(chunk)))


def _sqlite_max_variables() -> int:
    raw = connection.connection
    try:
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    except AttributeError:  # Python < 3.11
        return 999


def update_rows(model: type[dj_models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Update rows by primary key: each row is the values of `columns` followed by the key."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = quote(column_of(model, model._meta.pk.name) if model._meta.pk else "id")
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)
