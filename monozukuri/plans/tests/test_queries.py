"""List and detail pages run a bounded number of queries, however many plans, measures and KPIs exist."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monozukuri.plans.models import PlanStatus
from monozukuri.plans.tests.factories import (
    BudgetLineFactory,
    KpiActualFactory,
    KpiFactory,
    KpiTargetFactory,
    MeasureFactory,
    PillarFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db


def _fill(plan, *, pillars: int = 2, measures: int = 2, kpis: int = 3) -> None:
    """Give a plan pillars → measures → KPIs with a target and an actual each, and budget lines."""
    for p in range(1, pillars + 1):
        pillar = PillarFactory(plan=plan, number=p)
        for _m in range(measures):
            measure = MeasureFactory(pillar=pillar)
            BudgetLineFactory(measure=measure, fiscal_year=plan.start_fiscal_year)
            for _k in range(kpis):
                kpi = KpiFactory(measure=measure)
                KpiTargetFactory(kpi=kpi, fiscal_year=plan.start_fiscal_year, value=Decimal(10))
                KpiTargetFactory(kpi=kpi, fiscal_year=plan.end_fiscal_year, value=Decimal(20))
                KpiActualFactory(kpi=kpi, fiscal_year=plan.start_fiscal_year)


def _plans(municipalities, n: int) -> list:
    """n plans across the four municipalities, mostly approved, some drafts, each filled."""
    codes = ["131075", "131181", "131199", "132055"]
    plans = []
    for i in range(n):
        status = PlanStatus.DRAFT if i % 4 == 0 else PlanStatus.APPROVED
        plan = PlanFactory(municipality=municipalities[codes[i % 4]], status=status,
                           start_fiscal_year=2020 + i, end_fiscal_year=2022 + i)
        _fill(plan)
        plans.append(plan)
    return plans


def _count(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture(params=["anonymous", "sumida_staff", "tmg_officer"])
def viewer(request, client):
    if request.param != "anonymous":
        client.force_login(request.getfixturevalue(request.param))
    return request.param


def test_plan_list_page_queries_do_not_grow_with_plans(client, viewer, municipalities,
                                                       django_assert_max_num_queries):
    _plans(municipalities, 4)
    url = reverse("plans:plan-list")
    with_four = _count(client, url)

    _plans(municipalities, 8)  # 12 in all
    with django_assert_max_num_queries(with_four):
        response = client.get(url)

    assert response.status_code == 200


def test_plan_detail_page_queries_do_not_grow_with_measures_and_kpis(client, viewer, sumida,
                                                                     django_assert_max_num_queries):
    small = PlanFactory(municipality=sumida, status=PlanStatus.APPROVED, start_fiscal_year=2025,
                        end_fiscal_year=2027)
    _fill(small, pillars=1, measures=1, kpis=1)
    large = PlanFactory(municipality=sumida, status=PlanStatus.APPROVED, start_fiscal_year=2028,
                        end_fiscal_year=2030)
    _fill(large, pillars=3, measures=3, kpis=4)
    with_few = _count(client, small.get_absolute_url())

    with django_assert_max_num_queries(with_few):
        response = client.get(large.get_absolute_url())

    assert response.status_code == 200


def test_api_plan_list_queries_do_not_grow_with_plans(client, viewer, municipalities,
                                                      django_assert_max_num_queries):
    _plans(municipalities, 4)
    with_four = _count(client, "/api/v1/plans/")

    _plans(municipalities, 8)  # 12 in all
    with django_assert_max_num_queries(with_four):
        response = client.get("/api/v1/plans/")

    assert response.status_code == 200
    assert response.json()["count"] in (9, 12)  # the public does not see the drafts


def test_api_plan_list_by_token_stays_bounded(client, sumida_staff, municipalities,
                                              django_assert_max_num_queries):
    from monozukuri.accounts import services as account_services

    _token, raw = account_services.api_token_issue(actor=sumida_staff, user=sumida_staff, name="q")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    _plans(municipalities, 4)
    client.get("/api/v1/plans/", **headers)  # the first use stamps last_used_at
    with_four = _count(client, "/api/v1/plans/", **headers)

    _plans(municipalities, 8)
    with django_assert_max_num_queries(with_four):
        client.get("/api/v1/plans/", **headers)


def test_plan_list_page_has_a_small_fixed_cost(client, municipalities, django_assert_max_num_queries):
    _plans(municipalities, 12)

    with django_assert_max_num_queries(6):
        client.get(reverse("plans:plan-list"))
