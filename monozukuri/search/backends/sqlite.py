"""SQLite: a contentless FTS5 table ``search_fts`` whose row id is ``search_document.doc_key``.

Plans (see docs/decisions/0006):
* every query that also reads ``search_document`` joins with ``CROSS JOIN``, which SQLite never
  reorders, so the FTS table leads and the match runs once — otherwise the planner may walk a column
  index and run the match once per row;
* best-first by static rank is ``ORDER BY rowid DESC`` on the FTS table: FTS5 walks its lists backwards
  and stops at the limit, however many rows match;
* another stored order over a broad match walks that column's index and probes the FTS table per row
  (``rowid = %s`` plus MATCH seeks each list), stopping at the limit.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from django.db import connection

from monozukuri.search.backends.base import (
    ORDER_COLUMNS,
    Match,
    Row,
    Where,
    fts5_match,
)
from monozukuri.search.backends.schema import DOCUMENT_TABLE, FTS_TABLE, TOKEN_TABLE, fts5_create_sql
from monozukuri.search.documents import IndexDocument
from monozukuri.search.geo import EARTH_RADIUS_KM, bounding_box

SHADOW_DOCUMENTS = f"{DOCUMENT_TABLE}_new"
SHADOW_TOKENS = f"{TOKEN_TABLE}_new"
SHADOW_FTS = f"{FTS_TABLE}_new"
# bm25 column weights: name, tags, body, facets.
BM25_WEIGHTS = (10.0, 4.0, 1.0, 0.0)
DOC_COLUMNS = (
    "doc_key",
    "object_id",
    "rank",
    "sort_name",
    "confirmed_key",
    "employees",
    "latitude",
    "longitude",
    "facets",
    "extra",
)
TOKEN_COLUMNS = ("name", "tags", "body")
_FIELD_SEPARATOR = "\x1f"


def pack_tokens(name: str, tags: str, body: str, chars: str) -> bytes:
    """The token columns as stored in search_tokens: compressed (they are only read to delete a row)."""
    # Level 1: these bytes are read only to delete a row; level 6 cost a fifth of the rebuild's analysis.
    return zlib.compress(_FIELD_SEPARATOR.join((name, tags, body, chars)).encode("utf-8"), 1)


def unpack_tokens(data: bytes | None) -> tuple[str, str, str, str]:
    if not data:
        return "", "", "", ""
    name, tags, body, chars = zlib.decompress(data).decode("utf-8").split(_FIELD_SEPARATOR)
    return name, tags, body, chars


def km(lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None) -> float | None:
    """Haversine distance, registered as the SQL function ``search_km`` on every SQLite connection."""
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


SQLITE_CACHE_KIB = 65536


def prepare_connection(sqlite_connection: Any) -> None:
    """On every new SQLite connection: the distance function, and a page cache big enough for the
    index's hot pages (SQLite's default is 2 MiB; a facet count reads a few thousand rows at random)."""
    sqlite_connection.create_function("search_km", 4, km, deterministic=True)
    sqlite_connection.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _where_sql(where: Where, alias: str = "d") -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.employees_min is not None:
        clauses.append(f"{alias}.employees >= %s")
        params.append(where.employees_min)
    if where.employees_max is not None:
        clauses.append(f"{alias}.employees <= %s")
        params.append(where.employees_max)
    if where.center is not None and where.radius_km is not None:
        south, north, west, east = bounding_box(where.center, where.radius_km)
        clauses.append(
            f"{alias}.latitude BETWEEN %s AND %s AND {alias}.longitude BETWEEN %s AND %s "
            f"AND search_km(%s, %s, {alias}.latitude, {alias}.longitude) <= %s"
        )
        params += [south, north, west, east, where.center.latitude, where.center.longitude, where.radius_km]
    return " AND ".join(clauses), params


class SqliteBackend:
    vendor = "sqlite"
    parallel_writes = False  # one writer at a time: rebuild workers hand their rows to the main process

    # --- writes -------------------------------------------------------------------------------------

    def _existing(self, cursor: Any, object_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """Stored rows by object id: the DOC_COLUMNS values, then the packed tokens."""
        found: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(object_ids), 500):
            chunk = list(object_ids[start : start + 500])
            cursor.execute(
                f"SELECT {', '.join('d.' + c for c in DOC_COLUMNS)}, t.data "
                f"FROM {DOCUMENT_TABLE} d LEFT JOIN {TOKEN_TABLE} t ON t.doc_key = d.doc_key "
                f"WHERE d.object_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            for row in cursor.fetchall():
                found[row[1]] = tuple(row)
        return found

    @staticmethod
    def _remove(cursor: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        # Contentless FTS5: deleting a row needs exactly the tokens it was inserted with.
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, name, tags, body, facets) "
            "VALUES('delete', %s, %s, %s, %s, %s)",
            [_fts_delete_row(r) for r in rows],
        )
        cursor.executemany(f"DELETE FROM {DOCUMENT_TABLE} WHERE doc_key = %s", [(r[0],) for r in rows])
        cursor.executemany(f"DELETE FROM {TOKEN_TABLE} WHERE doc_key = %s", [(r[0],) for r in rows])

    def prepare(self, docs: Sequence[IndexDocument]) -> list[tuple[Any, ...]]:
        """Rows ready to insert (run in the rebuild's worker processes: compression included)."""
        return [document_row(d) for d in docs]

    def upsert(self, docs: Sequence[IndexDocument]) -> None:
        if not docs:
            return
        with connection.cursor() as cursor:
            existing = self._existing(cursor, [d.object_id for d in docs])
            new_rows = []
            stale = []
            for doc in {d.object_id: d for d in docs}.values():
                row = document_row(doc)
                old = existing.get(doc.object_id)
                if (
                    old is not None
                    and old[: len(DOC_COLUMNS)] == row[: len(DOC_COLUMNS)]
                    and old[len(DOC_COLUMNS)] == row[len(DOC_COLUMNS)]
                ):
                    continue
                if old is not None:
                    stale.append(old)
                new_rows.append(row)
            self._remove(cursor, stale)
            insert_rows(cursor, DOCUMENT_TABLE, TOKEN_TABLE, FTS_TABLE, new_rows)

    def delete(self, object_ids: Sequence[int]) -> None:
        if not object_ids:
            return
        with connection.cursor() as cursor:
            self._remove(cursor, list(self._existing(cursor, object_ids).values()))

    # --- reads --------------------------------------------------------------------------------------

    @staticmethod
    def _from(match: Match, where: Where, join: bool = False) -> tuple[str, list[Any]]:
        """FROM … WHERE … with the FTS table leading; the document table joined only when needed."""
        conditions, params = _where_sql(where)
        sql = f"FROM {FTS_TABLE} f"
        if join or conditions:
            sql += f" CROSS JOIN {DOCUMENT_TABLE} d ON d.doc_key = f.rowid"
        sql += f" WHERE {FTS_TABLE} MATCH %s"
        if conditions:
            sql += f" AND {conditions}"
        return sql, [fts5_match(match), *params]

    def count(self, match: Match, where: Where, *, cap: int | None) -> int:
        body, params = self._from(match, where)
        limit = " LIMIT %s" if cap is not None else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT f.rowid {body}{limit})",
                [*params, cap + 1] if cap is not None else params,
            )
            return int(cursor.fetchone()[0])

    def ranked(
        self, match: Match, where: Where, *, offset: int, limit: int, today_key: int
    ) -> list[tuple[int, float]]:
        body, params = self._from(match, where)
        weights = ", ".join(str(w) for w in BM25_WEIGHTS)
        # bm25 is negative (lower is better); a fresh record weighs up to 20% more.
        sql = (
            f"SELECT f.rowid, -bm25({FTS_TABLE}, {weights}) * (1.0 + 0.2 * min(1.0, max(0.0, "
            f"((f.rowid >> 32) - %s + 1825) / 2190.0))) AS score {body} "
            f"ORDER BY score DESC, f.rowid DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [today_key, *params, limit, offset])
            return [(int(k), float(s)) for k, s in cursor.fetchall()]

    def ordered(
        self, match: Match, where: Where, *, order: str, offset: int, limit: int, scan: bool
    ) -> list[int]:
        column, direction = ORDER_COLUMNS[order]
        with connection.cursor() as cursor:
            if order == "rank":
                body, params = self._from(match, where)
                cursor.execute(
                    f"SELECT f.rowid {body} ORDER BY f.rowid DESC LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
            elif not scan:
                body, params = self._from(match, where, join=True)
                cursor.execute(
                    f"SELECT f.rowid {body} ORDER BY d.{column} {direction}, d.object_id LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
            else:
                conditions, params = _where_sql(where)
                index = "search_doc_sort_name" if order == "name" else "search_doc_confirmed"
                cursor.execute(
                    f"SELECT d.doc_key FROM {DOCUMENT_TABLE} d INDEXED BY {index} "
                    f"WHERE EXISTS (SELECT 1 FROM {FTS_TABLE} "
                    f"WHERE {FTS_TABLE} MATCH %s AND rowid = d.doc_key)"
                    + (f" AND {conditions}" if conditions else "")
                    + f" ORDER BY d.{column} {direction}, d.object_id LIMIT %s OFFSET %s",
                    [fts5_match(match), *params, limit, offset],
                )
            return [int(r[0]) for r in cursor.fetchall()]

    def best_first(self, match: Match, where: Where, *, limit: int) -> list[int]:
        """The ``limit`` best matches by static rank: FTS5 walks its lists from the highest row id and
        stops at the limit, however many rows match."""
        return self.ordered(match, where, order="rank", offset=0, limit=limit, scan=True)

    def rows(self, match: Match, where: Where, *, limit: int, points: bool = False) -> list[Row]:
        body, params = self._from(match, where, join=True)
        columns = "f.rowid, d.facets" + (", d.latitude, d.longitude" if points else "")
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} {body} LIMIT %s", [*params, limit])
            return list(cursor.fetchall())

    def points(self, object_ids: Sequence[int]) -> dict[int, tuple[float | None, float | None]]:
        out: dict[int, tuple[float | None, float | None]] = {}
        with connection.cursor() as cursor:
            for start in range(0, len(object_ids), 500):
                chunk = list(object_ids[start : start + 500])
                cursor.execute(
                    f"SELECT object_id, latitude, longitude FROM {DOCUMENT_TABLE} "
                    f"WHERE object_id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                out.update({r[0]: (r[1], r[2]) for r in cursor.fetchall()})
        return out

    # --- full rebuild: a fresh copy beside the live tables, swapped in at the end -------------------

    def shadow_create(self) -> None:
        self.shadow_drop()
        with connection.cursor() as cursor:
            for table, shadow in ((DOCUMENT_TABLE, SHADOW_DOCUMENTS), (TOKEN_TABLE, SHADOW_TOKENS)):
                cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
                ddl = cursor.fetchone()[0]
                cursor.execute(ddl.replace(f'"{table}"', f'"{shadow}"', 1))
            cursor.execute(fts5_create_sql(SHADOW_FTS))
            # While loading, merge segments only once at the end ('optimize').
            cursor.execute(f"INSERT INTO {SHADOW_FTS}({SHADOW_FTS}, rank) VALUES ('automerge', 0)")

    def shadow_insert(self, prepared: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            insert_rows(cursor, SHADOW_DOCUMENTS, SHADOW_TOKENS, SHADOW_FTS, prepared)

    def shadow_finish(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {SHADOW_FTS}({SHADOW_FTS}) VALUES ('optimize')")
            cursor.execute(f"INSERT INTO {SHADOW_FTS}({SHADOW_FTS}, rank) VALUES ('automerge', 4)")

    def shadow_swap(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [DOCUMENT_TABLE],
            )
            indexes = [r[0] for r in cursor.fetchall()]
            cursor.execute(f"DROP TABLE {FTS_TABLE}")
            cursor.execute(f'DROP TABLE "{DOCUMENT_TABLE}"')
            cursor.execute(f'DROP TABLE "{TOKEN_TABLE}"')
            cursor.execute(f'ALTER TABLE "{SHADOW_DOCUMENTS}" RENAME TO "{DOCUMENT_TABLE}"')
            cursor.execute(f'ALTER TABLE "{SHADOW_TOKENS}" RENAME TO "{TOKEN_TABLE}"')
            cursor.execute(f"ALTER TABLE {SHADOW_FTS} RENAME TO {FTS_TABLE}")
            for ddl in indexes:
                cursor.execute(ddl)
            cursor.execute(f'ANALYZE "{DOCUMENT_TABLE}"')

    def shadow_drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SHADOW_FTS}")
            cursor.execute(f'DROP TABLE IF EXISTS "{SHADOW_DOCUMENTS}"')
            cursor.execute(f'DROP TABLE IF EXISTS "{SHADOW_TOKENS}"')


def _fts_delete_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    name, tags, body, chars = unpack_tokens(row[len(DOC_COLUMNS)])
    return (row[0], name, tags, body, _facet_column(row[8], row[9], chars))


def _facet_column(facets: str, extra: str, chars: str = "") -> str:
    return " ".join(part for part in (facets, extra, chars) if part)


def document_row(doc: IndexDocument) -> tuple[Any, ...]:
    """The search_document row of a document (DOC_COLUMNS order), then its tokens: packed, and as the
    FTS columns (name, tags, body, characters)."""
    point = doc.point
    return (
        doc.key,
        doc.object_id,
        doc.rank,
        doc.sort_name,
        doc.confirmed_key,
        doc.employees,
        point.latitude if point else None,
        point.longitude if point else None,
        " ".join(doc.facets),
        " ".join(doc.all_extra()),
        pack_tokens(doc.name, doc.tags, doc.body, " ".join(doc.chars)),
        doc.name,
        doc.tags,
        doc.body,
        " ".join(doc.chars),
    )


def insert_rows(
    cursor: Any, document_table: str, token_table: str, fts_table: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    # In row-id order: FTS5 flushes its pending terms to a new segment whenever a row id is lower than
    # the previous one, so unordered keys (ranks vary within an id range) would write a segment per row.
    rows = sorted(rows, key=itemgetter(0))
    width = len(DOC_COLUMNS)
    cursor.executemany(
        f"INSERT INTO {document_table} ({', '.join(DOC_COLUMNS)}) VALUES ({', '.join(['%s'] * width)})",
        [r[:width] for r in rows],
    )
    cursor.executemany(
        f"INSERT INTO {token_table} (doc_key, data) VALUES (%s, %s)", [(r[0], r[width]) for r in rows]
    )
    cursor.executemany(
        f"INSERT INTO {fts_table}(rowid, name, tags, body, facets) VALUES (%s, %s, %s, %s, %s)",
        [(r[0], r[11], r[12], r[13], _facet_column(r[8], r[9], r[14])) for r in rows],
    )
