"""Keeping the index's own tables consistent with the rows Django manages (see apps.py)."""

from __future__ import annotations

from django.db import connections

from monozukuri.search.backends.schema import DOCUMENT_TABLE, FTS_TABLE


def index_consistency_ensure(*, using: str = "default") -> None:
    """Empty the FTS5 table when search_document is empty; restore a missing index state and seed."""
    from monozukuri.search.analysis import normalize
    from monozukuri.search.models import SearchIndexState, VocabularyEntry
    from monozukuri.search.vocabulary import seed_rows

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if DOCUMENT_TABLE not in tables:
        return  # not migrated yet
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite" and FTS_TABLE in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DOCUMENT_TABLE})")
            if not cursor.fetchone()[0]:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    if SearchIndexState.objects.using(using).filter(pk=1).exists():
        return
    rows = seed_rows()
    if not VocabularyEntry.objects.using(using).exists():
        VocabularyEntry.objects.using(using).bulk_create(
            [
                VocabularyEntry(
                    kind=r.kind, term=r.term, target=r.target, note=r.note, term_key=normalize(r.term)
                )
                for r in rows
            ]
        )
    SearchIndexState.objects.using(using).create(
        pk=1, vocabulary=[[r.kind, r.term, r.target] for r in rows], vocabulary_version=1
    )
