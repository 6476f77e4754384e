"""Pytest fixtures for the reference data and one user per role (used by every app's tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled

from monozukuri.core.models import Municipality
from monozukuri.core.reference_data import municipalities_load
from monozukuri.core.roles import Role

SUMIDA, ARAKAWA, ITABASHI, OME, TMG = "131075", "131181", "131199", "132055", "130001"


@pytest.fixture
def municipalities(db: Any) -> dict[str, Municipality]:
    """All 63 municipalities, by code."""
    municipalities_load()
    return {m.code: m for m in Municipality.objects.all()}


@pytest.fixture
def sumida(municipalities: dict[str, Municipality]) -> Municipality:
    return municipalities[SUMIDA]


@pytest.fixture
def arakawa(municipalities: dict[str, Municipality]) -> Municipality:
    return municipalities[ARAKAWA]


def _user(role: str, municipality: Municipality | None = None, **kw: Any) -> Any:
    from monozukuri.accounts.tests.factories import UserFactory

    return UserFactory(role=role, municipality=municipality, **kw)


@pytest.fixture
def sumida_staff(sumida: Municipality) -> Any:
    return _user(Role.MUNICIPAL_STAFF, sumida, email="staff@sumida.example.jp")


@pytest.fixture
def arakawa_staff(arakawa: Municipality) -> Any:
    return _user(Role.MUNICIPAL_STAFF, arakawa, email="staff@arakawa.example.jp")


@pytest.fixture
def tmg_officer(municipalities: dict[str, Municipality]) -> Any:
    return _user(Role.TMG_OFFICER, municipalities[TMG], email="officer@tmg.example.jp")


@pytest.fixture
def platform_admin(municipalities: dict[str, Municipality]) -> Any:
    return _user(Role.PLATFORM_ADMIN, email="admin@example.jp", is_staff=True, is_superuser=True)


@pytest.fixture
def public_user(db: Any) -> Any:
    return _user(Role.PUBLIC, email="citizen@example.jp")


@pytest.fixture
def partner_user(db: Any) -> Any:
    return _user(Role.SUPPORT_PARTNER, email="partner@shinkin.example.jp")


@pytest.fixture
def org_member(db: Any) -> Any:
    return _user(Role.ORGANIZATION_MEMBER, email="member@factory.example.jp")


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """Make a user of a role: `make_user(Role.MUNICIPAL_STAFF, sumida, is_active=False)`."""
    return _user


@pytest.fixture
def seed_plans(municipalities: dict[str, Municipality]) -> dict[str, Any]:
    """The four approved plans from the seed document, by municipality code."""
    from monozukuri.plans.models import Plan
    from monozukuri.plans.reference_data import approved_plans_load

    approved_plans_load()
    with scopes_disabled():
        return {p.municipality.code: p for p in Plan.objects.select_related("municipality")}


@pytest.fixture
def sumida_draft_plan(sumida: Municipality) -> Any:
    """A Sumida draft plan with one pillar and one measure: visible only to Sumida staff and TMG."""
    from monozukuri.plans.tests.factories import MeasureFactory, PlanFactory

    plan = PlanFactory(municipality=sumida, title="墨田区の計画案")
    MeasureFactory(pillar__plan=plan, pillar__number=1)
    return plan
