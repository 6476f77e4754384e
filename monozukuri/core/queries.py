"""Query helpers shared by the apps' selectors."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL


def ids_in(field: str, ids: Iterable[int]) -> Q:
    """``field`` is one of ``ids`` — for long lists of ids (hundreds of candidates, a page of hits).

    On PostgreSQL the list travels as one array parameter (``IN (SELECT unnest(%s::bigint[]))``):
    Django prepares each element of an ``IN (…)`` list and psycopg parses each of its placeholders, which
    cost 3–4 ms of Python for 340 ids — more than the query (measured: 6.9 → 3.3 ms a query). Elsewhere
    it is the plain ``__in``.
    """
    values = [int(i) for i in ids]
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", [values])})
    return Q(**{f"{field}__in": values})
