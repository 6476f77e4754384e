"""Template filters for running text: `{% load text %}` then `{{ names|join_list }}`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from monozukuri.core.text import list_separator

register = template.Library()


@register.filter(is_safe=True, needs_autoescape=True)
def join_list(items: Iterable[Any], autoescape: bool = True) -> str | SafeString:
    """Like `join`, with the active language's separator (「、」 or ", "); escapes the items."""
    if autoescape:
        return mark_safe(list_separator().join(str(conditional_escape(item)) for item in items))
    return list_separator().join(str(item) for item in items)
