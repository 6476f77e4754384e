"""Background work of the search app (django-tasks)."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled
from django_tasks import task

from monozukuri.search.rebuild import index_rebuild


@task()
def search_index_rebuild(municipality: str | None = None) -> dict[str, Any]:
    """Rebuild the search index (progress is kept in SearchIndexState for the dictionary page)."""
    with scopes_disabled():
        report = index_rebuild(municipality=municipality, jobs=1)
    return {
        "documents": report.documents,
        "seconds": round(report.seconds, 1),
        "replayed": report.replayed,
        "vocabulary_version": report.vocabulary_version,
    }
