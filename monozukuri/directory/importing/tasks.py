"""Background work after an import: bringing the search index in step with what the import wrote.

The import itself never touches the index (a million rows would spend most of their time there); it
records which organisations it created or updated, and once its transaction has committed the service
enqueues one of these: the changed records reindexed by id when they are few, otherwise a full rebuild
of the index (search.tasks.search_index_rebuild, whose progress the dictionary page shows). A search
run in between finds the records as they were before the import.
"""

from __future__ import annotations

from django_scopes import scopes_disabled
from django_tasks import task

# Above this many created or updated organisations, a full rebuild is cheaper than reindexing by id.
REINDEX_BY_ID_LIMIT = 5_000


@task()
def organizations_import_reindex(ids: list[int]) -> int:
    """Reindex the organisations an import created or updated; returns how many ids it was given."""
    from monozukuri.directory.indexing import organizations_reindex

    with scopes_disabled():
        organizations_reindex(ids)
    return len(ids)


def index_catch_up(ids: list[int], *, all_changed: bool) -> None:
    """Enqueue the index work for an import's changes (call it once the import has committed)."""
    if all_changed:
        from monozukuri.search.tasks import search_index_rebuild

        search_index_rebuild.enqueue()
    elif ids:
        organizations_import_reindex.enqueue(sorted(ids))
