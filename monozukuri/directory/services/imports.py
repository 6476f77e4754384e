"""Importing organisations from files: the one service behind the command and the staff upload page."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.core.models import Municipality
from monozukuri.directory import permissions
from monozukuri.directory.importing.engine import ImportOptions, ImportResult, run_import
from monozukuri.directory.importing.parsers import RowError
from monozukuri.directory.importing.tasks import (
    QUEUED_IMPORTS_DIR,
    index_catch_up,
    organizations_import_queued,
)
from monozukuri.directory.models import ImportRun, ImportStatus, IndustryDivision, OrganizationKind

__all__ = ["ImportResult", "RowError", "organizations_import", "organizations_import_enqueue"]


def organizations_import(
    *,
    actor: Any,
    file: IO[bytes],
    file_name: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    file_format: str = "auto",
    encoding: str = "auto",
    municipality: Municipality | None = None,
    default_industry: str | None = None,
    default_kind: str | None = None,
    on_error: Callable[[RowError], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    reader: str = "inline",
    import_run: ImportRun | None = None,
) -> ImportResult:
    """Import organisations from a gBizINFO, NTA or monozukuri CSV/XLSX file (upsert by 法人番号).

    All or nothing unless `skip_invalid`; `dry_run` writes nothing. Always records an ImportRun (in
    `municipality`, default the actor's; it is `result.import_run`) and one audit event with the counts.
    `actor` None is the system (the management command). `default_industry` (a JSIC 中分類 code) fills
    the industry of rows and records that have none; `default_kind` the kind of new records. `reader`
    is how the file is parsed ahead of the writes (importing/pipeline.py): "process" only from commands.
    The search index is not written by the import: once it has committed, a task reindexes what it
    changed (importing/tasks.py). `import_run` is a queued run (organizations_import_enqueue) to
    complete instead of recording a new one.
    """
    default_industry = _checked_options(actor, default_kind=default_kind, default_industry=default_industry)
    if municipality is None and actor is not None:
        municipality = getattr(actor, "municipality", None)
    options = ImportOptions(
        file_name=file_name, file_format=file_format, encoding=encoding, dry_run=dry_run,
        skip_invalid=skip_invalid, default_division=default_industry or None,
        default_kind=default_kind, municipality_id=municipality.pk if municipality else None,
        actor_id=getattr(actor, "pk", None), on_error=on_error, on_progress=on_progress, reader=reader,
    )
    result = run_import(file, options)
    with transaction.atomic(), scopes_disabled():
        run = import_run or ImportRun(municipality=municipality,
                                      actor=actor if getattr(actor, "pk", None) else None,
                                      file_name=file_name[:255])
        run.file_format, run.encoding, run.status = result.file_format, result.encoding, result.status
        run.rows_total, run.rows_created, run.rows_updated = (result.rows_total, result.rows_created,
                                                              result.rows_updated)
        run.rows_unchanged, run.rows_skipped, run.rows_invalid = (result.rows_unchanged, result.rows_skipped,
                                                                  result.rows_invalid)
        run.errors = [e.as_dict() for e in result.errors]
        run.save()
        audit.record(actor=actor, action="directory.organizations_import", target=run,
                     municipality_id=run.municipality_id,
                     changes={"file_name": [None, run.file_name], "status": [None, run.status],
                              **{key: [None, value] for key, value in result.counts().items()}})
        if result.changed_ids or result.reindex_all:  # the import left the search index behind
            transaction.on_commit(partial(index_catch_up, result.changed_ids, all_changed=result.reindex_all))
    result.import_run = run
    return result


def _checked_options(actor: Any, *, default_kind: str | None, default_industry: str | None) -> str | None:
    """Refuse an actor who may not import and unknown defaults; the JSIC code as stored (2 digits)."""
    if actor is not None and not permissions.can_import(actor):
        raise PermissionDenied
    if default_kind and default_kind not in OrganizationKind.values:
        raise ValidationError(_("種別「%(kind)s」はありません。") % {"kind": default_kind})
    if default_industry:
        default_industry = unicodedata.normalize("NFKC", default_industry).strip().zfill(2)
        if not IndustryDivision.objects.filter(code=default_industry).exists():
            raise ValidationError(_("業種コード「%(code)s」は日本標準産業分類の中分類にありません。")
                                  % {"code": default_industry})
    return default_industry


def organizations_import_enqueue(
    *,
    actor: Any,
    file: IO[bytes],
    file_name: str,
    dry_run: bool = False,
    skip_invalid: bool = False,
    file_format: str = "auto",
    encoding: str = "auto",
    default_industry: str | None = None,
    default_kind: str | None = None,
) -> ImportRun:
    """Import a big file in the background: store it, record a queued run, and enqueue the import.

    The run (in the actor's municipality) shows 取込待ち until the task has imported the file with
    organizations_import; then it holds the report, in the language the actor used to upload.
    """
    default_industry = _checked_options(actor, default_kind=default_kind, default_industry=default_industry)
    stored = default_storage.save(f"{QUEUED_IMPORTS_DIR}/{uuid.uuid4().hex}.upload", File(file))
    with transaction.atomic(), scopes_disabled():
        run = ImportRun.objects.create(municipality=getattr(actor, "municipality", None), actor=actor,
                                       file_name=file_name[:255], status=ImportStatus.QUEUED)
        audit.record(actor=actor, action="directory.organizations_import_enqueue", target=run,
                     municipality_id=run.municipality_id, changes={"file_name": [None, run.file_name]})
        options = {"dry_run": dry_run, "skip_invalid": skip_invalid, "file_format": file_format,
                   "encoding": encoding, "default_industry": default_industry, "default_kind": default_kind}
        transaction.on_commit(partial(organizations_import_queued.enqueue, run.pk, stored, options,
                                      translation.get_language() or settings.LANGUAGE_CODE))
    return run
