"""Recording the audit trail: every write service calls `record`."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from monozukuri.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _stored_form(field: Any, value: Any) -> Any:
    """A decimal as the database keeps it (10 → 10.00), so an unchanged figure is not a change."""
    if isinstance(field, models.DecimalField) and isinstance(value, decimal.Decimal) and value.is_finite():
        return value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The current values of a model's concrete fields, ready for `changes_between`."""
    by_attname = {f.attname: f for f in instance._meta.concrete_fields}
    names = list(fields) if fields is not None else [a for a, f in by_attname.items() if not f.primary_key]
    return {
        name: _jsonable(_stored_form(by_attname.get(name), getattr(instance, name))) for name in names
    }


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as {field: [before, after]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _municipality_id_of(target: models.Model | None) -> int | None:
    if target is None:
        return None
    value = getattr(target, "municipality_id", None)
    return value if isinstance(value, int) else None


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    municipality_id: int | None = None,
    root: models.Model | None = None,
) -> AuditEvent:
    """Append one audit event: actor, action, target and the fields changed (before → after).

    `root` is the record whose page shows this event in its history (a plan for a change to one of
    its KPIs); it defaults to the target itself.
    """
    root = root if root is not None else target
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor_obj,
        actor_label=getattr(actor_obj, "email", "") if actor_obj else "system",
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        root_type=ContentType.objects.get_for_model(root) if root is not None else None,
        root_id=str(root.pk) if root is not None else "",
        municipality_id=municipality_id or _municipality_id_of(root) or _municipality_id_of(target),
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
    )


def history_for(root: models.Model) -> models.QuerySet[AuditEvent]:
    """The audit events shown on one record's page (about it or its parts), newest first."""
    return AuditEvent.objects.filter(
        root_type=ContentType.objects.get_for_model(root), root_id=str(root.pk)
    ).select_related("actor", "target_type")
