"""Template filters for the search app's predicates (the site menu links the dictionary for its editors)."""

from __future__ import annotations

from typing import Any

from django import template

from monozukuri.search import permissions

register = template.Library()


@register.filter
def can_edit_vocabulary(user: Any) -> bool:
    """``{% if user|can_edit_vocabulary %}``: search.permissions.can_edit_vocabulary."""
    return permissions.can_edit_vocabulary(user)
