"""Plans and their parts are tenant records: a query outside a scope fails loudly instead of leaking."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from monozukuri.core.tenancy import ScopeError, user_scope
from monozukuri.plans.models import BudgetLine, Kpi, KpiActual, KpiTarget, Measure, Pillar, Plan, PlanStatus
from monozukuri.plans.tests.factories import (
    BudgetLineFactory,
    KpiActualFactory,
    KpiTargetFactory,
    MeasureFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db

SCOPED_MODELS = [Plan, Pillar, Measure, Kpi, KpiTarget, KpiActual, BudgetLine]


@pytest.fixture
def two_offices(sumida, arakawa):
    """A Sumida and an Arakawa draft, each with a measure, a KPI target and actual, and a budget line."""
    plans = {}
    for municipality in (sumida, arakawa):
        plan = PlanFactory(municipality=municipality, status=PlanStatus.DRAFT)
        measure = MeasureFactory(pillar__plan=plan)
        target = KpiTargetFactory(kpi__measure=measure)
        KpiActualFactory(kpi=target.kpi)
        BudgetLineFactory(measure=measure)
        plans[municipality.code] = plan
    return plans


@pytest.mark.parametrize("model", SCOPED_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize(
    "query",
    [
        lambda m: m.objects.all(),
        lambda m: list(m.objects.filter(pk__gt=0)),
        lambda m: m.objects.count(),
        lambda m: m.objects.first(),
        lambda m: m.objects.get(pk=1),
        lambda m: m.objects.exists(),
        lambda m: m.objects.exclude(pk=0).exists(),
        lambda m: m.objects.values_list("pk"),
    ],
    ids=["all", "filter", "count", "first", "get", "exists", "exclude-exists", "values_list"],
)
def test_an_unscoped_query_raises(two_offices, model, query):
    with pytest.raises(ScopeError):
        query(model)


def test_a_related_manager_outside_a_scope_raises(two_offices):
    plan = two_offices["131075"]

    with pytest.raises(ScopeError):
        list(plan.pillars.all())


def test_staff_see_only_their_own_office_records(two_offices, sumida_staff, sumida):
    with user_scope(sumida_staff):
        assert list(Plan.objects.all()) == [two_offices["131075"]]
        assert {p.plan.municipality_id for p in Pillar.objects.all()} == {sumida.pk}
        assert {t.kpi.measure.pillar.plan_id for t in KpiTarget.objects.all()} == {two_offices["131075"].pk}
        assert BudgetLine.objects.count() == 1
        assert not Plan.objects.filter(pk=two_offices["131181"].pk).exists()
        assert list(two_offices["131181"].pillars.all()) == []


def test_tmg_scope_covers_every_office(two_offices, tmg_officer):
    with user_scope(tmg_officer):
        assert set(Plan.objects.all()) == set(two_offices.values())
        assert Measure.objects.count() == 2


@pytest.mark.parametrize("fixture", ["public_user", "partner_user", "org_member"])
def test_people_outside_the_offices_have_an_empty_scope(request, two_offices, fixture):
    with user_scope(request.getfixturevalue(fixture)):
        assert Plan.objects.count() == 0
        assert not KpiActual.objects.exists()


def test_platform_wide_jobs_disable_scopes_explicitly(two_offices):
    with scopes_disabled():
        assert Plan.objects.count() == 2
        assert Kpi.objects.count() == 2


def test_creating_a_record_needs_no_scope(sumida):
    plan = Plan.objects.create(municipality=sumida, title="新規計画", start_fiscal_year=2025,
                               end_fiscal_year=2026)

    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk) == plan


def test_prefetched_parts_are_used_inside_a_scope(two_offices, public_user):
    from monozukuri.plans.selectors import plan_queryset_with_parts

    with scopes_disabled():
        plan = plan_queryset_with_parts(Plan.objects.filter(pk=two_offices["131075"].pk)).get()

    with user_scope(public_user):
        pillars = list(plan.pillars.all())
        measures = [m for p in pillars for m in p.measures.all()]
        kpis = [k for m in measures for k in m.kpis.all()]

    assert len(pillars) == len(measures) == len(kpis) == 1
