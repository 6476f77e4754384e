"""Reads of import runs (office records: each belongs to the municipality of the staff who imported)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from monozukuri.core.tenancy import user_scope
from monozukuri.directory.models import ImportRun

RECENT_RUNS = 20


def import_run_list(*, user: Any, limit: int = RECENT_RUNS) -> list[ImportRun]:
    """The latest import runs of the user's municipality (all of them for a platform admin)."""
    with user_scope(user):
        return list(ImportRun.objects.select_related("actor").order_by("-created_at", "-id")[:limit])


def import_run_get(*, user: Any, pk: int) -> ImportRun:
    """One import run of the user's municipality; another office's run is a 404, as if it did not exist."""
    with user_scope(user):
        try:
            return ImportRun.objects.select_related("actor", "municipality").get(pk=pk)
        except ImportRun.DoesNotExist:
            raise Http404 from None
