"""PostgreSQL: ``search_document.tsv`` (a tsvector built here from our tokens) with a GIN index.

The tsvector is written as a literal (``tsvector_literal``-style), never parsed by ``to_tsvector``, so
lexemes and positions are exactly our tokens whatever the database's locale. Positions: facets first
(so the cap of 16,383 positions can never drop a filter value), then name (weight A), capabilities
(B) and body (D), each field one position apart from the next so no phrase spans two fields.

The planner is told which plan to use (see docs/decisions/0006): the engine knows from its capped
count whether a query is narrow (read the GIN index, then sort the few rows) or broad (walk the order's
b-tree and test each row, stopping at the limit), which PostgreSQL's estimates for phrases of
character bigrams often get wrong by orders of magnitude.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from monozukuri.search.analysis import MAX_TOKENS
from monozukuri.search.backends.base import ORDER_COLUMNS, Match, Row, Where, ts_text_query, tsquery
from monozukuri.search.backends.schema import DOCUMENT_TABLE
from monozukuri.search.documents import IndexDocument
from monozukuri.search.geo import EARTH_RADIUS_KM, bounding_box

# ts_rank weights {D, C, B, A}: body, (unused), capabilities, name.
RANK_WEIGHTS = "{0.1, 0.0, 0.4, 1.0}"
MAX_POSITIONS_PER_LEXEME = 256
COLUMNS = (
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
    "tsv",
)

_KM_SQL = (
    f"(2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt(power(sin(radians({{a}}.latitude - %s) / 2), 2) "
    "+ cos(radians(%s)) * cos(radians({a}.latitude)) "
    "* power(sin(radians({a}.longitude - %s) / 2), 2)))))"
)  # {a}: the alias of the row


def tsvector_text(doc: IndexDocument) -> str:
    """The tsvector of a document as a literal (used by tests: the same lexemes and positions as the
    SQL expression ``TSVECTOR_SQL`` builds from the token columns, with a position gap for each
    ``SEGMENT_BREAK`` lexeme that the SQL keeps)."""
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in ((doc.match_tokens(), ""), (doc.name, "A"), (doc.tags, "B"), (doc.body, "")):
        for token in text.split():
            position += 1
            if position > MAX_TOKENS:
                break
            places = positions.setdefault(token, [])
            if len(places) < MAX_POSITIONS_PER_LEXEME:
                places.append(f"{position}{weight}")
        position += 1
    return " ".join(
        "'" + token.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(places)
        for token, places in positions.items()
    )


# Lexemes are our tokens: the default parser reads each space-separated token whole (tokens are letters
# and digits only) and the 'simple' configuration only lower-cases, which analysis has done; tests check
# that the lexemes equal the tokens. Each field ends with SEGMENT_BREAK so no phrase runs into the next.
TSVECTOR_SQL = (
    "to_tsvector('pg_catalog.simple', t.match || ' brk0') "
    "|| setweight(to_tsvector('pg_catalog.simple', t.name || ' brk0'), 'A') "
    "|| setweight(to_tsvector('pg_catalog.simple', t.tags || ' brk0'), 'B') "
    "|| to_tsvector('pg_catalog.simple', t.body)"
)
_UNNEST = (
    "unnest(%s::bigint[], %s::bigint[], %s::integer[], %s::text[], %s::integer[], %s::integer[], "
    "%s::float8[], %s::float8[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
    "AS t(doc_key, object_id, rank, sort_name, confirmed_key, employees, latitude, longitude, facets, extra, "
    "match, name, tags, body)"
)


def _columns(docs: Sequence[IndexDocument]) -> list[list[Any]]:
    """The documents as one array per column, for ``_UNNEST``."""
    columns: list[list[Any]] = [[] for _ in range(14)]
    for doc in docs:
        point = doc.point
        values = (
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
            doc.match_tokens(),
            doc.name,
            doc.tags,
            doc.body,
        )
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return columns


def _insert_sql(table: str) -> str:
    return (
        f"INSERT INTO {table} ({', '.join(COLUMNS)}) SELECT t.doc_key, t.object_id, t.rank, t.sort_name, "
        f"t.confirmed_key, t.employees, t.latitude, t.longitude, t.facets, t.extra, {TSVECTOR_SQL} "
        f"FROM {_UNNEST}"
    )


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
            f"AND {_KM_SQL.format(a=alias)} <= %s"
        )
        params += [
            south,
            north,
            west,
            east,
            where.center.latitude,
            where.center.latitude,
            where.center.longitude,
            where.radius_km,
        ]
    return " AND ".join(clauses), params


def facet_only(match: Match) -> bool:
    """Only facet groups (filters), no typed text: every token is in the row's ``facets``/``extra``."""
    return bool(match.groups) and not match.required and not match.excluded


def _facet_text(alias: str = "d") -> str:
    """A row's facet tokens as one string, a space at each end, so `` tok `` finds a whole token."""
    return f"(' ' || {alias}.facets || ' ' || {alias}.extra || ' ')"


def _facet_test(match: Match, text: str = _facet_text()) -> tuple[str, list[Any]]:
    """The facet groups tested on the row's own token columns (a group: any of its tokens; all groups),
    which the heap keeps next to the sort keys — the same answer as ``tsv @@`` for a facet-only match,
    without reading the tsvector from TOAST. ``text``: the expression of the row's tokens."""
    clauses: list[str] = []
    params: list[Any] = []
    # The rarest groups first: PostgreSQL tests the clauses in this order and stops at the first that
    # fails, so a row is rarely tested for status=active or kind=manufacturer (most rows hold them).
    shares = common_lexemes()
    for group in sorted(match.groups, key=lambda g: _share(g, shares)):
        clauses.append("(" + " OR ".join(f"strpos({text}, %s) > 0" for _ in group) + ")")
        params += [f" {token} " for token in group]
    return " AND ".join(clauses), params


def _row_test(match: Match, where: Where, alias: str = "d") -> tuple[str, list[Any], float]:
    """A condition testing one row (``alias``) against the match and the column conditions, for a walk
    in some order, and about what it costs a row in µs (measured, docs/decisions/0006)."""
    if facet_only(match):
        sql, params = _facet_test(match, _facet_text(alias))
        cost = WALK_FACETS_US
    else:
        sql, params = f"{alias}.tsv @@ %s::tsquery", [tsquery(match)]
        cost = WALK_TEXT_US
    conditions, more = _where_sql(where, alias)
    if conditions:
        sql, params = f"{sql} AND {conditions}", [*params, *more]
    return sql, params, cost


# What a best-first walk costs (µs a row): testing a row's facet columns, or its tsvector (fetched from
# TOAST); and what reading one match through the GIN bitmap costs (its share of the posting lists, the
# heap row with the common groups' test, the top-N sort). At 1,000,000 documents the bitmaps of
# matching's narrow tiers cost 3.5–21 µs a match (4 was measured at 100,000, where the heap is cached);
# 16 took matching's p95 from 132–146 to 106–124 ms (docs/benchmarks-matching.md, session 5).
WALK_FACETS_US, WALK_TEXT_US, BITMAP_US = 1.0, 15.0, 16.0
FIRST_WINDOW, MIN_WINDOW = 10, 200  # the first walk reads limit × FIRST_WINDOW rows, at least MIN_WINDOW


# A facet group matching at least this share of the documents (PostgreSQL's statistics of the tsvector
# column) is left out of a facet-only bitmap and tested on the rows the other groups select: GIN reads
# the posting lists of status=active or kind=manufacturer whole, which hold most of the index (21 ms at
# 1,000,000 documents for a query whose other terms leave 271 rows; 0.8 ms without them). Only groups
# over half of the index: at 0.2 a capability group (20–33 %) left a kind of 3 % alone in GIN, whose
# bitmap then read 30,000 rows to keep a few (86 ms; matching p95 155–207 ms against 139–149 at 0.5).
COMMON_SHARE = 0.5
COMMON_TTL = 600.0
_common: dict[str, Any] = {}


def common_lexemes() -> dict[str, float]:
    """Lexeme → share of documents for the tsvector's most common elements (kept by ANALYZE and
    autovacuum), re-read every ``COMMON_TTL`` seconds; empty before the first ANALYZE."""
    now = time.monotonic()
    if _common.get("at", -COMMON_TTL) + COMMON_TTL < now:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = %s AND attname = 'tsv' AND schemaname = current_schema()",
                [DOCUMENT_TABLE],
            )
            row = cursor.fetchone()
        shares = {}
        if row and row[0] and row[1]:
            shares = {lexeme: float(share) for lexeme, share in zip(row[0], row[1], strict=False)}
        _common.update(at=now, shares=shares)
    return _common["shares"]


def _share(group: tuple[str, ...], shares: dict[str, float]) -> float:
    """About what share of the documents a group (any of its tokens) matches: at most the sum."""
    return sum(shares.get(token, 0.0) for token in group)


def split_common(match: Match) -> tuple[Match, list[tuple[str, ...]]]:
    """A facet-only match without its common groups (for GIN), and those groups (for the rows) — only
    when at least one selective group is left."""
    shares = common_lexemes()
    narrow: list[tuple[str, ...]] = []
    common: list[tuple[str, ...]] = []
    for group in match.groups:
        (common if _share(group, shares) >= COMMON_SHARE else narrow).append(group)
    if not narrow or not common:
        return match, []
    return Match(groups=tuple(narrow)), common


@contextmanager
def _plan(*, bitmap: bool) -> Iterator[Any]:
    """A cursor whose statements use the GIN index (bitmap) or walk a b-tree in order (not bitmap).

    Settings are transaction-local and put back before the block ends, so nothing leaks into the
    caller's transaction.
    """
    off = ("enable_seqscan", "enable_indexscan") if bitmap else ("enable_seqscan", "enable_bitmapscan")
    if not connection.in_atomic_block and connection.get_autocommit():
        # Outside any transaction (a web request): a transaction of our own, whose end drops the
        # settings — one round trip to open it with them, one to end it (Django's atomic block and
        # the read-and-restore of the settings cost ~0.9 ms a statement, measured).
        with connection.cursor() as cursor:
            cursor.execute("BEGIN; " + "; ".join(f"SET LOCAL {name} = off" for name in off))
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        return
    names = (
        ("enable_seqscan", "enable_indexscan", "enable_bitmapscan")
        if bitmap
        else ("enable_seqscan", "enable_bitmapscan")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT "
            + ", ".join(f"current_setting('{n}')" for n in names)
            + ", "
            + ", ".join(f"set_config('{n}', 'off', true)" for n in off)
        )
        saved = cursor.fetchone()[: len(names)]
        try:
            yield cursor
        finally:
            cursor.execute("SELECT " + ", ".join(f"set_config('{n}', %s, true)" for n in names), list(saved))


def _query(sql: str, params: Sequence[Any], *, bitmap: bool) -> list[tuple[Any, ...]]:
    """The rows of one statement run under ``_plan``'s planner settings.

    Outside a transaction the whole exchange — open a transaction with the settings, the statement,
    commit — is one multi-statement query, so one round trip instead of three (Django's psycopg cursor
    binds parameters on the client, which allows several statements with parameters). A failing
    statement leaves the transaction aborted; it is rolled back before the error goes on.
    """
    if connection.in_atomic_block or not connection.get_autocommit():
        with _plan(bitmap=bitmap) as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    off = ("enable_seqscan", "enable_indexscan") if bitmap else ("enable_seqscan", "enable_bitmapscan")
    settings = "; ".join(f"SET LOCAL {name} = off" for name in off)
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"BEGIN; {settings}; {sql}; COMMIT", params)
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        raw = cursor.cursor  # psycopg's: one result per statement, the statement's is the first with rows
        while raw.description is None:
            if not raw.nextset():
                raise RuntimeError("search: the statement returned no rows")
        return list(raw.fetchall())


_estimate: dict[str, tuple[float, float]] = {}
ESTIMATE_SECONDS = 60.0


def _documents_estimate() -> float:
    """About how many rows the document table has (PostgreSQL's statistics, re-read once a minute)."""
    now = time.monotonic()
    known = _estimate.get(DOCUMENT_TABLE)
    if known is not None and now - known[1] < ESTIMATE_SECONDS:
        return known[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [DOCUMENT_TABLE])
        row = cursor.fetchone()
    value = float(row[0] or 0) if row else 0.0
    _estimate[DOCUMENT_TABLE] = (value, now)
    return value


class PostgresBackend:
    vendor = "postgresql"
    parallel_writes = True  # rebuild workers insert from their own sessions

    # --- writes -------------------------------------------------------------------------------------

    def upsert(self, docs: Sequence[IndexDocument]) -> None:
        if not docs:
            return
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "object_id")
        changed = " OR ".join(f"{DOCUMENT_TABLE}.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in COLUMNS)
        latest = {d.object_id: d for d in docs}  # one row per object in a statement
        with connection.cursor() as cursor:
            cursor.execute(
                f"{_insert_sql(DOCUMENT_TABLE)} ON CONFLICT (object_id) DO UPDATE SET {updates} "
                f"WHERE {changed}",
                _columns(list(latest.values())),
            )

    def delete(self, object_ids: Sequence[int]) -> None:
        if not object_ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {DOCUMENT_TABLE} WHERE object_id = ANY(%s)", [list(object_ids)])

    # --- reads --------------------------------------------------------------------------------------

    @staticmethod
    def _where(match: Match, where: Where) -> tuple[str, list[Any]]:
        conditions, params = _where_sql(where)
        sql = f"FROM {DOCUMENT_TABLE} d WHERE d.tsv @@ %s::tsquery"
        if conditions:
            sql += f" AND {conditions}"
        return sql, [tsquery(match), *params]

    def count(self, match: Match, where: Where, *, cap: int | None) -> int:
        body, params = self._where(match, where)
        if cap is None:
            rows = _query(f"SELECT count(*) {body}", params, bitmap=True)
        else:
            sql = f"SELECT count(*) FROM (SELECT 1 {body} LIMIT %s) t"
            rows = _query(sql, [*params, cap + 1], bitmap=True)
        return int(rows[0][0])

    def ranked(
        self, match: Match, where: Where, *, offset: int, limit: int, today_key: int
    ) -> list[tuple[int, float]]:
        body, params = self._where(match, where)
        sql = (
            f"SELECT d.doc_key, ts_rank('{RANK_WEIGHTS}'::float4[], d.tsv, %s::tsquery) * (1.0 + 0.2 * "
            f"least(1.0, greatest(0.0, (d.rank - %s + 1825) / 2190.0))) AS score {body} "
            f"ORDER BY score DESC, d.doc_key DESC LIMIT %s OFFSET %s"
        )
        rows = _query(sql, [ts_text_query(match), today_key, *params, limit, offset], bitmap=True)
        return [(int(k), float(s)) for k, s in rows]

    def ordered(
        self, match: Match, where: Where, *, order: str, offset: int, limit: int, scan: bool
    ) -> list[int]:
        column, direction = ORDER_COLUMNS[order]
        if scan and facet_only(match):  # the walk tests each row's facet columns, not its tsvector
            test, test_params, _cost = _row_test(match, where)
            body, params = f"FROM {DOCUMENT_TABLE} d WHERE {test}", test_params
        else:
            body, params = self._where(match, where)
        tie = "" if order == "rank" else ", d.object_id"
        rows = _query(
            f"SELECT d.doc_key {body} ORDER BY d.{column} {direction}{tie} LIMIT %s OFFSET %s",
            [*params, limit, offset],
            bitmap=not scan,
        )
        return [int(r[0]) for r in rows]

    def best_first(self, match: Match, where: Where, *, limit: int) -> list[int]:
        """The ``limit`` best matches by static rank, without counting them first.

        Walk the rank index from the top in growing windows, testing each row; after each window the
        share of matches seen so far tells whether walking on (``limit`` − found ÷ share rows) or
        reading the rest of the matches through the GIN index (share × rows left, then a top-N sort)
        costs less, and the cheaper one finishes. A broad match ends in the first window; a narrow one
        after a short walk and a small bitmap; nothing reads every match of a broad group.
        """
        if limit <= 0:
            return []
        if facet_only(match):  # the row's tokens joined once a row, then each group tested on them
            test, test_params = _facet_test(match, "w.f")
            conditions, more = _where_sql(where, "w")
            if conditions:
                test, test_params = f"{test} AND {conditions}", [*test_params, *more]
            columns = f"d.doc_key, {_facet_text()} AS f, d.employees, d.latitude, d.longitude"
            walk_us = WALK_FACETS_US
        else:
            test, test_params, walk_us = _row_test(match, where, "w")
            columns = "d.doc_key, d.tsv, d.employees, d.latitude, d.longitude"
        found: list[int] = []
        boundary: int | None = None
        walked = 0
        window = max(limit * FIRST_WINDOW, MIN_WINDOW)
        total: float | None = None
        while True:  # the windows walk the key's covering index (no bitmap), however large
            below = "WHERE d.doc_key < %s" if boundary is not None else ""
            below_params = [boundary] if boundary is not None else []
            # The window's matches (stopping at what is still needed) and its last key and size,
            # in one statement; the second part reads only the primary key.
            rows = _query(
                f"(SELECT w.doc_key, NULL::bigint FROM (SELECT {columns} "
                f"FROM {DOCUMENT_TABLE} d {below} ORDER BY d.doc_key DESC LIMIT %s) w "
                f"WHERE {test} LIMIT %s) "
                f"UNION ALL (SELECT min(k.doc_key), count(*) FROM (SELECT d.doc_key FROM "
                f"{DOCUMENT_TABLE} d {below} ORDER BY d.doc_key DESC LIMIT %s) k)",
                [*below_params, window, *test_params, limit - len(found), *below_params, window],
                bitmap=False,
            )
            last_key, size = next(r for r in rows if r[1] is not None)
            found += sorted((int(r[0]) for r in rows if r[1] is None), reverse=True)
            if len(found) >= limit or not size or size < window:
                return found[:limit]  # enough, or the whole index has been walked
            walked += int(size)
            boundary = int(last_key)
            if total is None:
                total = _documents_estimate()
            share = max(len(found), 0.5) / walked
            walk_cost = (limit - len(found)) / share * walk_us
            bitmap_cost = share * max(total - walked, 0.0) * BITMAP_US
            if bitmap_cost < walk_cost:
                break
            window *= 4
        narrow, common = split_common(match) if facet_only(match) else (match, [])
        body, params = self._where(narrow, where)
        if common:  # read through GIN only the selective groups; test the common ones on the rows
            test, more = _facet_test(Match(groups=tuple(common)))
            body, params = f"{body} AND {test}", [*params, *more]
        rows = _query(
            f"SELECT d.doc_key {body} AND d.doc_key < %s ORDER BY d.doc_key DESC LIMIT %s",
            [*params, boundary, limit - len(found)],
            bitmap=True,
        )
        return found + [int(r[0]) for r in rows]

    def rows(self, match: Match, where: Where, *, limit: int, points: bool = False) -> list[Row]:
        body, params = self._where(match, where)
        columns = "d.doc_key, d.facets" + (", d.latitude, d.longitude" if points else "")
        return _query(f"SELECT {columns} {body} LIMIT %s", [*params, limit], bitmap=True)

    def points(self, object_ids: Sequence[int]) -> dict[int, tuple[float | None, float | None]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT object_id, latitude, longitude FROM {DOCUMENT_TABLE} WHERE object_id = ANY(%s)",
                [list(object_ids)],
            )
            return {r[0]: (r[1], r[2]) for r in cursor.fetchall()}

    # --- full rebuild: a fresh table beside the live one, indexed after loading, renamed into place ---

    def shadow_create(self) -> None:
        """The copy, with its GIN index already there in fastupdate mode: each inserting session adds
        its rows to the pending list and merges it into the index now and then, so the index is built
        alongside the (parallel) load instead of by one long CREATE INDEX at the end."""
        self.shadow_drop()
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {SHADOW} (LIKE {DOCUMENT_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                "INCLUDING STORAGE INCLUDING COMPRESSION)"
            )
            cursor.execute(
                f"CREATE INDEX {SHADOW}_tsv_build ON {SHADOW} USING gin (tsv) WITH (fastupdate = on)"
            )

    def prepare(self, docs: Sequence[IndexDocument]) -> list[list[Any]]:
        return _columns(docs)

    def shadow_insert(self, prepared: list[list[Any]]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(SHADOW), prepared)

    def shadow_finish(self) -> None:
        """Flush the GIN pending list, then build the live table's constraints and other indexes on the
        copy under temporary names."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT gin_clean_pending_list('{SHADOW}_tsv_build')")
            cursor.execute(f"ALTER INDEX {SHADOW}_tsv_build SET (fastupdate = off)")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for name, definition in _constraints(cursor):
                cursor.execute(f"ALTER TABLE {SHADOW} ADD CONSTRAINT {name}{SUFFIX} {definition}")
            for name, definition in _indexes(cursor):
                if " USING gin " in definition:
                    cursor.execute(f"ALTER INDEX {SHADOW}_tsv_build RENAME TO {name}{SUFFIX}")
                    continue
                definition = definition.replace(f"INDEX {name} ON", f"INDEX {name}{SUFFIX} ON", 1)
                cursor.execute(
                    re.sub(
                        rf"(ON (?:\w+\.)?){DOCUMENT_TABLE} USING",
                        rf"\g<1>{SHADOW} USING",
                        definition,
                        count=1,
                    )
                )
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute(f"ANALYZE {SHADOW}")

    def shadow_swap(self) -> None:
        with connection.cursor() as cursor:
            constraints = [name for name, _ in _constraints(cursor)]
            indexes = [name for name, _ in _indexes(cursor)]
            cursor.execute(f"DROP TABLE {DOCUMENT_TABLE}")
            cursor.execute(f"ALTER TABLE {SHADOW} RENAME TO {DOCUMENT_TABLE}")
            for name in constraints:
                cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} RENAME CONSTRAINT {name}{SUFFIX} TO {name}")
            for name in indexes:
                cursor.execute(f"ALTER INDEX {name}{SUFFIX} RENAME TO {name}")

    def shadow_drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SHADOW}")


SUFFIX = "_new"
SHADOW = f"{DOCUMENT_TABLE}{SUFFIX}"


def _constraints(cursor: Any) -> list[tuple[str, str]]:
    """Primary key and unique constraints of the live table (CHECKs come with LIKE)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY conname",
        [DOCUMENT_TABLE],
    )
    return [(r[0], r[1]) for r in cursor.fetchall()]


def _indexes(cursor: Any) -> list[tuple[str, str]]:
    """Indexes of the live table that do not back a constraint."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
        "WHERE c.conindid = i.oid) ORDER BY i.relname",
        [DOCUMENT_TABLE],
    )
    return [(r[0], r[1]) for r in cursor.fetchall()]
