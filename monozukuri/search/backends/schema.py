"""DDL of the engine-specific full-text index; used by the migrations and by the full rebuild, which
builds a fresh copy of the tables beside the live ones and swaps them in (see rebuild.py)."""

from __future__ import annotations

from typing import Any

DOCUMENT_TABLE = "search_document"
TOKEN_TABLE = "search_tokens"
FTS_TABLE = "search_fts"
FTS_COLUMNS = ("name", "tags", "body", "facets")

# FTS5: contentless (the inverted index only). Our tokens are letters and digits separated by single
# spaces, so the 'ascii' tokenizer reads them whole, byte for byte (it folds only ASCII case, which
# analysis has already done) and is the cheapest. No prefix index: it would make indexing half as slow
# again, and a one-character query (a prefix query in our scheme) is rare enough to merge its lists at
# query time (measured in docs/benchmarks-search.md).
FTS5_OPTIONS = "content='', tokenize='ascii', detail=full"


def fts5_create_sql(table: str = FTS_TABLE) -> str:
    return f"CREATE VIRTUAL TABLE {table} USING fts5({', '.join(FTS_COLUMNS)}, {FTS5_OPTIONS})"


def create_fulltext(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(fts5_create_sql())
        elif connection.vendor == "postgresql":
            cursor.execute(
                f"ALTER TABLE {DOCUMENT_TABLE} ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector"
            )
            # Gojūon keys compare by code point, as SQLite does, whatever the database's locale.
            cursor.execute(
                f'ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN sort_name TYPE varchar(300) COLLATE "C"'
            )
            # Compressed and kept in the row (MAIN, pglz): a phrase query rechecks each candidate's
            # tsvector, and one heap page costs far less than the TOAST index plus four chunks
            # (measured: 4.7 µs against 12.7 µs a row; docs/decisions/0006).
            cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN tsv SET STORAGE MAIN")
            cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN tsv SET COMPRESSION pglz")
            cursor.execute(postgres_gin_sql(DOCUMENT_TABLE))
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            raise NotImplementedError(f"search: no full-text index for {connection.vendor}")


def drop_fulltext(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} DROP COLUMN IF EXISTS tsv")


def postgres_gin_sql(table: str) -> str:
    # fastupdate off: no pending list for queries to scan; one organisation's write touches a few hundred
    # GIN entries, which is cheap.
    return f"CREATE INDEX {table}_tsv ON {table} USING gin (tsv) WITH (fastupdate = off)"
