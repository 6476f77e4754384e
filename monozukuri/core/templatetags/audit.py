"""Template filters for the audit trail: `{% load audit %}` then `{% for row in events|history_rows %}`."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from monozukuri.core import audit
from monozukuri.core.models import AuditEvent

register = template.Library()


@register.filter
def history_rows(events: Iterable[AuditEvent]) -> list[audit.HistoryRow]:
    """The events with readable action labels and field names (see `audit.history_rows`)."""
    return audit.history_rows(events)
