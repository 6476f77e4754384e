"""Who may read which municipality's records, and the scope each request runs in.

The scoped managers themselves are tested on a scoped model in plans/tests/test_tenancy.py.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django_scopes.state import get_scope

from monozukuri.core.roles import Role
from monozukuri.core.tenancy import TenantScopeMiddleware, staff_municipality_ids, user_scope

pytestmark = pytest.mark.django_db

ALL = None  # every municipality
OWN = "own"  # the user's own municipality only
NONE: list[int] = []


@pytest.mark.parametrize(
    ("role", "with_municipality", "expected"),
    [
        (Role.PLATFORM_ADMIN, False, ALL),
        (Role.TMG_OFFICER, True, ALL),
        (Role.TMG_OFFICER, False, ALL),
        (Role.MUNICIPAL_STAFF, True, OWN),
        (Role.SUPPORT_PARTNER, False, NONE),
        (Role.SUPPORT_PARTNER, True, NONE),
        (Role.ORGANIZATION_MEMBER, False, NONE),
        (Role.PUBLIC, False, NONE),
        (Role.PUBLIC, True, NONE),
    ],
)
def test_staff_municipality_ids_by_role(make_user, sumida, role, with_municipality, expected):
    user = make_user(role, sumida if with_municipality else None)

    result = staff_municipality_ids(user)

    assert result == ([sumida.pk] if expected == OWN else expected)


@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.TMG_OFFICER, Role.MUNICIPAL_STAFF])
def test_an_inactive_account_sees_no_office_records(make_user, sumida, role):
    user = make_user(role, sumida, is_active=False)

    assert staff_municipality_ids(user) == []


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_nobody_signed_in_sees_no_office_records(user):
    assert staff_municipality_ids(user) == []


def test_user_scope_activates_the_users_municipalities(sumida_staff, sumida):
    with user_scope(sumida_staff):
        assert get_scope()["municipality"] == [sumida.pk]
        assert get_scope()["_enabled"] is True
    assert "municipality" not in get_scope()


def test_user_scope_of_tmg_covers_every_municipality(tmg_officer):
    with user_scope(tmg_officer):
        assert get_scope()["municipality"] is None


def _scope_seen_by_view(user):
    seen = {}

    def view(request):
        seen.update(get_scope())
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = user
    TenantScopeMiddleware(view)(request)
    return seen


def test_middleware_runs_each_request_in_its_users_scope(sumida_staff, arakawa_staff, sumida, arakawa):
    assert _scope_seen_by_view(sumida_staff)["municipality"] == [sumida.pk]
    assert _scope_seen_by_view(arakawa_staff)["municipality"] == [arakawa.pk]


def test_middleware_gives_the_public_an_empty_scope():
    assert _scope_seen_by_view(AnonymousUser())["municipality"] == []


def test_middleware_leaves_no_scope_behind(sumida_staff):
    _scope_seen_by_view(sumida_staff)

    assert "municipality" not in get_scope()
