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
            cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN tsv SET COMPRESSION pglz")
            set_postgres_tsv_storage(cursor)
            cursor.execute(postgres_gin_sql(DOCUMENT_TABLE))
        else:  # pragma: no cover - the project runs on SQLite and PostgreSQL only
            raise NotImplementedError(f"search: no full-text index for {connection.vendor}")


def set_postgres_tsv_storage(cursor: Any) -> None:
    """The tsvector out of line (EXTENDED: compressed, then TOAST): the heap keeps only the narrow
    columns (~270 bytes a row instead of ~3.3 KB), so what reads rows without the tsvector — facet
    counts, best-first walks over the facet columns, sorts of a bitmap's matches — touches a page per
    ~25 rows instead of one per row; a phrase recheck fetches the tsvector from TOAST, which measured
    about the same as the in-row copy (docs/decisions/0006). Applies to rows written from now on; the
    next full rebuild rewrites them all."""
    cursor.execute(f"ALTER TABLE {DOCUMENT_TABLE} ALTER COLUMN tsv SET STORAGE EXTENDED")


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
