"""Tenant scoping: the one place that decides which municipalities' records a request may touch.

Models owned by a municipality use `ScopedManager(municipality="municipality")` (django-scopes), so
any query on them outside an active scope raises `ScopeError` instead of leaking. Every web request
runs inside the scope of its user (`TenantScopeMiddleware`); commands and tasks choose a scope
explicitly (`scopes_disabled()` for platform-wide jobs). See docs/decisions/0001-tenancy.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.exceptions import ScopeError
from django_scopes.manager import DisabledQuerySet

from monozukuri.core.roles import ALL_MUNICIPALITY_ROLES, Role

__all__ = [
    "ScopeError",
    "municipality_scope_for",
    "scope",
    "scoped_manager",
    "scopes_disabled",
    "staff_municipality_ids",
    "user_scope",
]


class _StrictDisabledQuerySet(DisabledQuerySet):
    """django-scopes' refusing queryset, refusing also the reads it lets through (exists, explain)."""

    exists = DisabledQuerySet.error
    aexists = DisabledQuerySet.error
    explain = DisabledQuerySet.error
    aexplain = DisabledQuerySet.error
    contains = DisabledQuerySet.error
    acontains = DisabledQuerySet.error
    in_bulk = DisabledQuerySet.error
    ain_bulk = DisabledQuerySet.error


def scoped_manager(**dimensions: str) -> models.Manager[Any]:
    """A manager that refuses every query outside an active tenant scope (django-scopes).

    `dimensions` maps a scope dimension to the lookup that reaches it, e.g.
    `scoped_manager(municipality="pillar__plan__municipality")`. Declare it on the model with its type,
    `objects: ClassVar[models.Manager[Plan]] = scoped_manager(...)`, so that the django-stubs plugin
    knows it (django-scopes builds its manager class at run time, where the plugin cannot see it).
    Unlike django-scopes alone, `Model.objects.exists()` outside a scope is refused too.
    """
    scoped_class: type[models.Manager[Any]] = type(ScopedManager(**dimensions))

    def get_queryset(self: models.Manager[Any]) -> models.QuerySet[Any]:
        queryset = scoped_class.get_queryset(self)
        if type(queryset) is DisabledQuerySet:
            queryset.__class__ = _StrictDisabledQuerySet
        return queryset

    strict_class = type("StrictScopedManager", (scoped_class,),
                        {"get_queryset": get_queryset, "__module__": __name__})
    manager: models.Manager[Any] = strict_class()
    return manager


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
