"""Reads of plans, scoped to the caller.

Visibility is decided on the plan (published, or the caller's own office, or TMG); a plan's parts
(pillars, measures, KPIs, budgets) follow their plan, so they are fetched for a plan already shown
to be visible.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from monozukuri.core.tenancy import staff_municipality_ids
from monozukuri.plans import metrics
from monozukuri.plans.models import (
    PUBLISHED_STATUSES,
    BudgetLine,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    Pillar,
    Plan,
)


def _visible_filter(user: Any) -> Q:
    ids = staff_municipality_ids(user)
    published = Q(status__in=PUBLISHED_STATUSES)
    if ids is None:
        return Q()
    return published | Q(municipality_id__in=ids) if ids else published


def plan_list_published() -> QuerySet[Plan]:
    """Published plans (approved or closed): public to everyone."""
    with scopes_disabled():
        return Plan.objects.filter(status__in=PUBLISHED_STATUSES).select_related("municipality")


def plan_list(*, user: Any, municipality_code: str | None = None, status: str | None = None
              ) -> QuerySet[Plan]:
    """Plans the user may see: published ones, plus drafts of their own office (all, for TMG)."""
    with scopes_disabled():
        qs = Plan.objects.filter(_visible_filter(user)).select_related("municipality")
    if municipality_code:
        qs = qs.filter(municipality__code=municipality_code)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("municipality__code", "-start_fiscal_year", "id")


def plan_queryset_with_parts(qs: QuerySet[Plan]) -> QuerySet[Plan]:
    """The plans with every part (pillars → measures → KPIs, budgets) prefetched in bounded queries."""
    return qs.prefetch_related(
        Prefetch("pillars", queryset=Pillar.objects.order_by("number")),
        Prefetch("pillars__measures", queryset=Measure.objects.order_by("number", "id")),
        Prefetch("pillars__measures__kpis", queryset=Kpi.objects.order_by("id")),
        Prefetch("pillars__measures__kpis__targets", queryset=KpiTarget.objects.order_by("fiscal_year")),
        Prefetch("pillars__measures__kpis__actuals", queryset=KpiActual.objects.order_by("fiscal_year")),
        Prefetch("pillars__measures__budget_lines", queryset=BudgetLine.objects.order_by("fiscal_year")),
    )


def plan_get(*, user: Any, pk: int | str, with_parts: bool = False) -> Plan:
    """One plan the user may see; a plan they may not see is reported as not found (404)."""
    try:
        pk_int = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    with scopes_disabled():
        qs = plan_list(user=user).filter(pk=pk_int)
        if with_parts:
            qs = plan_queryset_with_parts(qs)
        plan = qs.first()
        if plan is None:
            raise Http404
        if with_parts:
            list(plan.pillars.all())  # evaluate the prefetch while scopes are off
        return plan


def measure_get(*, user: Any, pk: int) -> Measure:
    """One measure of a plan the user may see (404 otherwise)."""
    with scopes_disabled():
        measure = Measure.objects.select_related("pillar__plan__municipality").filter(pk=pk).first()
    if measure is None:
        raise Http404
    plan_get(user=user, pk=measure.pillar.plan_id)
    return measure


def kpi_get(*, user: Any, pk: int) -> Kpi:
    """One KPI of a plan the user may see (404 otherwise)."""
    with scopes_disabled():
        kpi = (Kpi.objects.select_related("measure__pillar__plan__municipality")
               .prefetch_related("targets", "actuals").filter(pk=pk).first())
        if kpi is None:
            raise Http404
        list(kpi.targets.all())
        list(kpi.actuals.all())
    plan_get(user=user, pk=kpi.measure.pillar.plan_id)
    return kpi



def plan_kpis_with_auto_metrics(plan: Plan) -> list[Kpi]:
    """The KPIs of a plan fetched with its parts, each with `auto_metric`: the registered metric its
    actual is taken from automatically (自動集計), or None — asked once for the whole plan."""
    kpis = [kpi for pillar in plan.pillars.all() for measure in pillar.measures.all()
            for kpi in measure.kpis.all()]
    keys = metrics.kpi_metric_keys([kpi.pk for kpi in kpis])
    for kpi in kpis:
        key = keys.get(kpi.pk)
        kpi.auto_metric = metrics.get(key) if key is not None else None  # type: ignore[attr-defined]
    return kpis
