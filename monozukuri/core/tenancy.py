"""Tenant scoping: the one place that decides which municipalities' records a request may touch.

Models owned by a municipality use `ScopedManager(municipality="municipality")` (below), so
any query on them outside an active scope raises `ScopeError` instead of leaking. Every web request
runs inside the scope of its user (`TenantScopeMiddleware`); commands and tasks choose a scope
explicitly (`scopes_disabled()` for platform-wide jobs). See docs/decisions/0001-tenancy.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models
from django.http import HttpRequest, HttpResponse
from django_scopes import scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.manager import DisabledQuerySet
from django_scopes.state import get_scope

from monozukuri.core.roles import ALL_MUNICIPALITY_ROLES, Role

__all__ = [
    "ScopeError",
    "ScopedManager",
    "municipality_scope_for",
    "scope",
    "scopes_disabled",
    "staff_municipality_ids",
    "user_scope",
]


_M = TypeVar("_M", bound=models.Model)


class _DisabledQuerySet(DisabledQuerySet):
    """django-scopes' refusing queryset, refusing also the reads it lets through (exists, explain…)."""

    exists = DisabledQuerySet.error
    aexists = DisabledQuerySet.error
    explain = DisabledQuerySet.error
    aexplain = DisabledQuerySet.error
    contains = DisabledQuerySet.error
    acontains = DisabledQuerySet.error
    in_bulk = DisabledQuerySet.error
    ain_bulk = DisabledQuerySet.error


class ScopedManager(models.Manager[_M]):
    """A manager that refuses every query outside an active tenant scope (django-scopes' scopes).

    Used like django-scopes' own `ScopedManager`: `objects = ScopedManager(municipality="plan__municipality")`
    maps the scope dimension to the lookup that reaches it. It is a plain class rather than one built at
    run time, so the django-stubs plugin can type it (and the reverse managers of related models), and it
    refuses `exists()` too, which django-scopes alone lets run unscoped.
    """

    def __init__(self, **dimensions: str) -> None:
        super().__init__()
        self.dimensions = dimensions

    def scope_dimensions(self) -> dict[str, str]:
        """The dimensions this manager filters on.

        Django builds a model's reverse managers (`plan.pillars`) by subclassing its default manager and
        calling `__init__()` without arguments; those take the dimensions of the model's own manager.
        """
        if self.dimensions:
            return self.dimensions
        default = self.model._meta.default_manager
        if isinstance(default, ScopedManager) and default is not self:
            return default.dimensions
        return {}

    def get_queryset(self) -> models.QuerySet[_M]:
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        dimensions = self.scope_dimensions()
        missing = set(dimensions) - set(current)
        if missing:
            refused: models.QuerySet[_M] = _DisabledQuerySet(
                self.model, using=self._db, missing_scopes=missing
            )
            return refused
        lookups: dict[str, Any] = {}
        for dimension, path in dimensions.items():
            value = current[dimension]
            if isinstance(value, (list, tuple, set, frozenset)):
                lookups[f"{path}__in"] = list(value)
            elif value is not None:  # None: every tenant (TMG, platform admin)
                lookups[path] = value
        return super().get_queryset().filter(**lookups)

    def all(self) -> models.QuerySet[_M]:
        queryset = self.get_queryset()
        if isinstance(queryset, DisabledQuerySet):
            return queryset.all()  # raises ScopeError now rather than on first use
        return queryset  # as Django's own: prefetched results (plan.pillars.all) stay in use


def staff_municipality_ids(user: Any) -> list[int] | None:
    """Municipalities whose office records `user` may read: None means all, [] means none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    role = getattr(user, "role", None)
    if role in ALL_MUNICIPALITY_ROLES:
        return None
    if role == Role.MUNICIPAL_STAFF and getattr(user, "municipality_id", None):
        return [user.municipality_id]
    return []


def municipality_scope_for(user: Any) -> list[int] | None:
    """The value of the `municipality` scope dimension for this user."""
    return staff_municipality_ids(user)


@contextmanager
def user_scope(user: Any) -> Iterator[None]:
    """Run the block with the tenant scope of `user` active."""
    with scope(municipality=municipality_scope_for(user)):
        yield


class TenantScopeMiddleware:
    """Activate the request user's tenant scope around the view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with user_scope(getattr(request, "user", None)):
            return self.get_response(request)
