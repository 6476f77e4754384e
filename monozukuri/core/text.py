"""Language-aware pieces of running text shown to people."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import pgettext

__all__ = ["join_list", "list_separator"]


def list_separator() -> str:
    """The separator between the items of a list in a sentence: 「、」 in Japanese, ", " in English."""
    return pgettext("list separator", "、")


def join_list(items: Iterable[Any]) -> str:
    """Items as one phrase in the active language: 「切削、研磨」 or "Cutting, Polishing"."""
    return list_separator().join(str(item) for item in items)
