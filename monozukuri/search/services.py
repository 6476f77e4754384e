"""Writes to the search index and the dictionary, and running a search.

Index writes run in the caller's transaction (the directory's write services call
``directory.indexing.organizations_reindex`` inside their atomic block), so the index never shows a
record the database does not have, and a rolled-back write leaves the index as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from monozukuri.core import audit
from monozukuri.search.analysis import Vocabulary, VocabularyError, normalize
from monozukuri.search.backends import get_backend
from monozukuri.search.documents import IndexDocument
from monozukuri.search.engine import SearchOutcome, SearchRequest
from monozukuri.search.engine import search as engine_search
from monozukuri.search.models import SearchIndexState, SearchPending, VocabularyEntry, VocabularyKind
from monozukuri.search.permissions import can_edit_vocabulary
from monozukuri.search.vocabulary import index_state, index_state_vocabulary, live_rows

UNKNOWN_SIZE = 100_000
"""Assumed size of an index that has never been fully rebuilt (only sizes the facet sample)."""

__all__ = [
    "UNKNOWN_SIZE",
    "index_delete",
    "index_state",
    "index_upsert",
    "index_vocabulary",
    "search",
    "vocabulary_entry_create",
    "vocabulary_entry_deactivate",
    "vocabulary_entry_update",
]


def index_vocabulary() -> Vocabulary:
    """The dictionary the index was built with: analyse documents and queries with it."""
    return index_state_vocabulary()[1]


def _rebuilding() -> bool:
    return SearchIndexState.objects.filter(pk=1, rebuild_started_at__isnull=False).exists()


@transaction.atomic
def index_upsert(docs: Sequence[IndexDocument]) -> None:
    """Add or replace these documents (unchanged ones are left alone)."""
    if not docs:
        return
    get_backend().upsert(docs)
    if _rebuilding():
        SearchPending.objects.bulk_create([SearchPending(object_id=d.object_id) for d in docs])


@transaction.atomic
def index_delete(object_ids: Sequence[int]) -> None:
    """Remove these objects' documents (absent ones are ignored)."""
    if not object_ids:
        return
    get_backend().delete(object_ids)
    if _rebuilding():
        SearchPending.objects.bulk_create([SearchPending(object_id=i, deleted=True) for i in object_ids])


def search(request: SearchRequest) -> SearchOutcome:
    """Run a search with the index's dictionary (see engine.search for the plan)."""
    _version, vocabulary, documents = index_state()
    return engine_search(request, vocabulary=vocabulary, documents=documents or UNKNOWN_SIZE)


# --- the dictionary -----------------------------------------------------------------------------------


def _check_rows(rows: list[list[str]]) -> None:
    try:
        Vocabulary.from_rows(rows)
    except VocabularyError as exc:
        raise ValidationError(
            _("辞書に矛盾があります: %(reason)s") % {"reason": exc}, code="vocabulary"
        ) from exc


def _clean(kind: str, term: str, target: str, note: str) -> dict[str, Any]:
    term, target, note = term.strip(), target.strip(), note.strip()
    errors: dict[str, list[str]] = {}
    if kind not in VocabularyKind.values:
        errors["kind"] = [_("種類を選んでください。")]
    if not normalize(term):
        errors["term"] = [_("語を入力してください。")]
    if not normalize(target):
        errors["target"] = [_("置き換え先・同義語を入力してください。")]
    if not errors and normalize(term) == normalize(target):
        errors["target"] = [_("語と同じ表記です（幅・かなの違いは検索で同じに扱われます）。")]
    if len(term) > 100 or len(target) > 100:
        errors.setdefault("term", []).append(_("100文字以内で入力してください。"))
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "term": term, "target": target, "note": note[:300], "term_key": normalize(term)}


@transaction.atomic
def vocabulary_entry_create(
    *, actor: Any, kind: str, term: str, target: str, note: str = ""
) -> VocabularyEntry:
    """Add a dictionary row; it takes effect on the next reindex."""
    if not can_edit_vocabulary(actor):
        raise PermissionDenied
    values = _clean(kind, term, target, note)
    rows = live_rows()
    _check_rows([*rows, [values["kind"], values["term"], values["target"]]])
    if (
        values["kind"] == VocabularyKind.VARIANT
        and VocabularyEntry.objects.filter(
            kind=VocabularyKind.VARIANT, active=True, term_key=values["term_key"]
        ).exists()
    ):
        raise ValidationError({"term": [_("この語の表記ゆれはすでに登録されています。")]})
    entry = VocabularyEntry.objects.create(**values, updated_by=actor if getattr(actor, "pk", None) else None)
    audit.record(
        actor=actor,
        action="search.vocabulary_entry_create",
        target=entry,
        changes={k: [None, values[k]] for k in ("kind", "term", "target", "note")},
    )
    return entry


@transaction.atomic
def vocabulary_entry_update(
    *,
    actor: Any,
    entry: VocabularyEntry,
    kind: str,
    term: str,
    target: str,
    note: str = "",
    active: bool = True,
) -> VocabularyEntry:
    """Change a dictionary row; it takes effect on the next reindex."""
    if not can_edit_vocabulary(actor):
        raise PermissionDenied
    entry = VocabularyEntry.objects.select_for_update().get(pk=entry.pk)
    values = _clean(kind, term, target, note)
    before = audit.snapshot(entry, ["kind", "term", "target", "note", "active"])
    rows = [
        [e.kind, e.term, e.target] for e in VocabularyEntry.objects.filter(active=True).exclude(pk=entry.pk)
    ]
    if active:
        rows.append([values["kind"], values["term"], values["target"]])
    _check_rows(rows)
    if (
        active
        and values["kind"] == VocabularyKind.VARIANT
        and VocabularyEntry.objects.filter(
            kind=VocabularyKind.VARIANT, active=True, term_key=values["term_key"]
        )
        .exclude(pk=entry.pk)
        .exists()
    ):
        raise ValidationError({"term": [_("この語の表記ゆれはすでに登録されています。")]})
    for name, value in values.items():
        setattr(entry, name, value)
    entry.active = active
    entry.updated_by = actor if getattr(actor, "pk", None) else None
    entry.save()
    changes = audit.changes_between(
        before, audit.snapshot(entry, ["kind", "term", "target", "note", "active"])
    )
    audit.record(actor=actor, action="search.vocabulary_entry_update", target=entry, changes=changes)
    return entry


@transaction.atomic
def vocabulary_entry_deactivate(*, actor: Any, entry: VocabularyEntry) -> VocabularyEntry:
    """Switch a dictionary row off (kept for the record); takes effect on the next reindex."""
    if not can_edit_vocabulary(actor):
        raise PermissionDenied
    entry = VocabularyEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.active:
        entry.active = False
        entry.updated_by = actor if getattr(actor, "pk", None) else None
        entry.save(update_fields=["active", "updated_by", "updated_at"])
        audit.record(
            actor=actor,
            action="search.vocabulary_entry_deactivate",
            target=entry,
            changes={"active": [True, False]},
        )
    return entry
