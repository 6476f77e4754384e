"""Reads of core data used by other apps."""

from __future__ import annotations

from django.db.models import QuerySet

from monozukuri.core.models import Municipality


def municipality_list() -> QuerySet[Municipality]:
    """All municipalities (Tokyo's 62 and TMG itself), by code."""
    return Municipality.objects.order_by("code")


def municipality_get(*, code: str) -> Municipality:
    """One municipality by its 6-digit code (or the 5-digit JIS X 0402 form)."""
    from monozukuri.core.identifiers import validate_municipality_code

    return Municipality.objects.get(code=validate_municipality_code(code))
