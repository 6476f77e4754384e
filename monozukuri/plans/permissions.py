"""Who may do what to a plan: one predicate per verb."""

from __future__ import annotations

from typing import Any

from monozukuri.core.roles import Role
from monozukuri.plans.models import Plan, PlanStatus


def _is_active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_plan_office(user: Any, plan: Plan) -> bool:
    """The user is staff of the plan's municipality (or a platform admin)."""
    if not _is_active(user):
        return False
    if user.role == Role.PLATFORM_ADMIN:
        return True
    return bool(user.role == Role.MUNICIPAL_STAFF and user.municipality_id == plan.municipality_id)


def is_tmg(user: Any) -> bool:
    return _is_active(user) and user.role in (Role.TMG_OFFICER, Role.PLATFORM_ADMIN)


def can_view_plan(user: Any, plan: Plan) -> bool:
    """Published plans are public; drafts and submissions only for their office and TMG."""
    return plan.is_published or is_plan_office(user, plan) or is_tmg(user)


def can_create_plan(user: Any, municipality_id: int) -> bool:
    return _is_active(user) and (
        user.role == Role.PLATFORM_ADMIN
        or (user.role == Role.MUNICIPAL_STAFF and user.municipality_id == municipality_id)
    )


def can_edit_plan(user: Any, plan: Plan) -> bool:
    """Text and structure (pillars, measures) change only while the plan is a draft."""
    return plan.status == PlanStatus.DRAFT and is_plan_office(user, plan)


def can_edit_plan_figures(user: Any, plan: Plan) -> bool:
    """KPIs, targets, actuals and budgets are kept up until the plan is closed."""
    return plan.status != PlanStatus.CLOSED and is_plan_office(user, plan)


def can_submit_plan(user: Any, plan: Plan) -> bool:
    return plan.can_transition_to(PlanStatus.SUBMITTED) and is_plan_office(user, plan)


def can_approve_plan(user: Any, plan: Plan) -> bool:
    return plan.can_transition_to(PlanStatus.APPROVED) and is_tmg(user)


def can_return_plan(user: Any, plan: Plan) -> bool:
    return plan.status == PlanStatus.SUBMITTED and is_tmg(user)


def can_close_plan(user: Any, plan: Plan) -> bool:
    return plan.can_transition_to(PlanStatus.CLOSED) and (is_tmg(user) or is_plan_office(user, plan))


def can_view_plan_history(user: Any, plan: Plan) -> bool:
    return is_plan_office(user, plan) or is_tmg(user)
