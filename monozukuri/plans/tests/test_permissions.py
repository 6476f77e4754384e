"""Who may do what to a plan: every predicate × every role × every status."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from monozukuri.core.roles import Role
from monozukuri.plans import permissions
from monozukuri.plans.models import PlanStatus
from monozukuri.plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

D, S, A, C = PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.CLOSED
EVERY = frozenset({D, S, A, C})
PUBLISHED = frozenset({A, C})
NEVER: frozenset[str] = frozenset()

# The people who may meet a Sumida plan.
PEOPLE = [
    "anonymous",
    "public",
    "organization_member",
    "support_partner",
    "sumida_staff",  # the plan's own office
    "arakawa_staff",  # another office
    "inactive_sumida_staff",
    "tmg_officer",
    "platform_admin",
]

# predicate → person → statuses of a Sumida plan in which the predicate allows.
TABLE: dict[str, dict[str, frozenset[str]]] = {
    "can_view_plan": {
        "anonymous": PUBLISHED, "public": PUBLISHED, "organization_member": PUBLISHED,
        "support_partner": PUBLISHED, "sumida_staff": EVERY, "arakawa_staff": PUBLISHED,
        "inactive_sumida_staff": PUBLISHED, "tmg_officer": EVERY, "platform_admin": EVERY,
    },
    "can_edit_plan": {"sumida_staff": frozenset({D}), "platform_admin": frozenset({D})},
    "can_edit_plan_figures": {"sumida_staff": frozenset({D, S, A}), "platform_admin": frozenset({D, S, A})},
    "can_submit_plan": {"sumida_staff": frozenset({D}), "platform_admin": frozenset({D})},
    "can_approve_plan": {"tmg_officer": frozenset({S}), "platform_admin": frozenset({S})},
    "can_return_plan": {"tmg_officer": frozenset({S}), "platform_admin": frozenset({S})},
    "can_close_plan": {
        "sumida_staff": frozenset({A}), "tmg_officer": frozenset({A}), "platform_admin": frozenset({A}),
    },
    "can_view_plan_history": {"sumida_staff": EVERY, "tmg_officer": EVERY, "platform_admin": EVERY},
    "is_plan_office": {"sumida_staff": EVERY, "platform_admin": EVERY},
}

CASES = [
    pytest.param(predicate, person, status, status in TABLE[predicate].get(person, NEVER),
                 id=f"{predicate}-{person}-{status}")
    for predicate in TABLE
    for person in PEOPLE
    for status in (D, S, A, C)
]


@pytest.fixture
def person(request, make_user, sumida, arakawa, municipalities):
    def build(name: str):
        return {
            "anonymous": lambda: AnonymousUser(),
            "public": lambda: make_user(Role.PUBLIC),
            "organization_member": lambda: make_user(Role.ORGANIZATION_MEMBER),
            "support_partner": lambda: make_user(Role.SUPPORT_PARTNER),
            "sumida_staff": lambda: make_user(Role.MUNICIPAL_STAFF, sumida),
            "arakawa_staff": lambda: make_user(Role.MUNICIPAL_STAFF, arakawa),
            "inactive_sumida_staff": lambda: make_user(Role.MUNICIPAL_STAFF, sumida, is_active=False),
            "tmg_officer": lambda: make_user(Role.TMG_OFFICER, municipalities["130001"]),
            "platform_admin": lambda: make_user(Role.PLATFORM_ADMIN),
        }[name]()

    return build


@pytest.mark.parametrize(("predicate", "who", "status", "allowed"), CASES)
def test_plan_predicates(person, sumida, predicate, who, status, allowed):
    plan = PlanFactory(municipality=sumida, status=status)

    assert getattr(permissions, predicate)(person(who), plan) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(name, name in {"sumida_staff", "platform_admin"}) for name in PEOPLE],
)
def test_who_may_create_a_plan_for_sumida(person, sumida, who, allowed):
    assert permissions.can_create_plan(person(who), sumida.pk) is allowed


@pytest.mark.parametrize(
    ("who", "allowed"),
    [(name, name in {"tmg_officer", "platform_admin"}) for name in PEOPLE],
)
def test_who_counts_as_tmg(person, who, allowed):
    assert permissions.is_tmg(person(who)) is allowed
