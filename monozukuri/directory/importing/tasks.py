"""Background work of the import: big uploaded files, and the search index after an import.

A file uploaded on the staff page that is bigger than settings.DIRECTORY_IMPORT_INLINE_BYTES is stored
and imported by `organizations_import_queued`; the run's page shows 取込待ち until then, and the
report afterwards.


The import itself never touches the index (a million rows would spend most of their time there); it
records which organisations it created or updated, and once its transaction has committed the service
enqueues one of these: the changed records reindexed by id when they are few, otherwise a full rebuild
of the index (search.tasks.search_index_rebuild, whose progress the dictionary page shows). A search
run in between finds the records as they were before the import.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from django_tasks import task

# Above this many created or updated organisations, a full rebuild is cheaper than reindexing by id.
REINDEX_BY_ID_LIMIT = 5_000
QUEUED_IMPORTS_DIR = "imports"  # in the default storage, until the task has read the file


@task()
def organizations_import_queued(run_id: int, stored_name: str, options: dict[str, Any], language: str) -> str:
    """Import a stored upload into its queued ImportRun (services.imports.organizations_import_enqueue)."""
    from monozukuri.directory.models import ImportRun, ImportStatus
    from monozukuri.directory.services.imports import organizations_import

    with scopes_disabled(), translation.override(language):
        run = ImportRun.objects.select_related("actor", "municipality").get(pk=run_id)
        if run.status != ImportStatus.QUEUED:
            return str(run.status)  # already done (a task run twice)
        try:
            with default_storage.open(stored_name, "rb") as file:
                result = organizations_import(actor=run.actor, file=file, file_name=run.file_name,
                                              municipality=run.municipality, import_run=run, **options)
        except Exception:
            ImportRun.objects.filter(pk=run_id).update(status=ImportStatus.REJECTED, errors=[
                {"line": 0, "column": "", "message": _("取込中に予期しないエラーが発生しました。"
                                                       "もう一度取り込むか、管理者に連絡してください。")}])
            raise
        finally:
            default_storage.delete(stored_name)
    return str(result.status)


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
