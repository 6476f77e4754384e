"""The plan page marks KPIs whose actual is taken automatically from a matching metric (自動集計)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from monozukuri.matching.models import KpiMetricLink
from monozukuri.plans import selectors
from monozukuri.plans.models import PlanStatus
from monozukuri.plans.tests.factories import KpiFactory, MeasureFactory, PillarFactory, PlanFactory

pytestmark = pytest.mark.django_db


def _plan(municipality, *, measures: int = 1, kpis: int = 2, start: int = 2025):
    plan = PlanFactory(municipality=municipality, status=PlanStatus.APPROVED, start_fiscal_year=start,
                       end_fiscal_year=start + 2)
    pillar = PillarFactory(plan=plan, number=1)
    made = []
    for m in range(measures):
        measure = MeasureFactory(pillar=pillar)
        made += [KpiFactory(measure=measure, name=f"指標{m}-{k}", unit="件") for k in range(kpis)]
    return plan, made


def _link(kpi, metric: str = "matching.contracts") -> None:
    with scopes_disabled():
        KpiMetricLink.objects.create(municipality_id=kpi.measure.pillar.plan.municipality_id, kpi_id=kpi.pk,
                                     metric=metric)


def _row(html: str, kpi_name: str) -> str:
    rows = [r for r in re.findall(r"<tr>.*?</tr>", html, re.S) if f"{kpi_name}（" in r]
    assert len(rows) == 1, kpi_name
    return rows[0]


def test_a_kpi_taken_from_a_matching_metric_shows_the_badge_and_others_do_not(client, sumida):
    plan, (linked, manual) = _plan(sumida)
    _link(linked)

    html = client.get(plan.get_absolute_url()).content.decode()

    assert "自動集計: 成約件数" in _row(html, linked.name)
    assert "自動集計" not in _row(html, manual.name)


def test_the_badge_is_in_english_on_the_english_page(client, sumida):
    plan, (linked, _manual) = _plan(sumida)
    _link(linked, "matching.contract_amount")

    html = client.get(f"/en{plan.get_absolute_url()}").content.decode()

    assert "Auto-calculated: Contract value" in _row(html, linked.name)


def test_the_selector_asks_once_for_the_whole_plan(sumida, sumida_staff, django_assert_num_queries):
    plan, kpis = _plan(sumida, measures=3, kpis=3)
    _link(kpis[0])
    _link(kpis[-1], "matching.introductions")
    plan = selectors.plan_get(user=sumida_staff, pk=plan.pk, with_parts=True)

    with django_assert_num_queries(1):
        marked = selectors.plan_kpis_with_auto_metrics(plan)

    by_name = {k.name: k.auto_metric for k in marked}
    assert len(by_name) == 9
    assert by_name[kpis[0].name].key == "matching.contracts"
    assert by_name[kpis[-1].name].key == "matching.introductions"
    assert sum(m is not None for m in by_name.values()) == 2


def test_the_plan_page_does_not_ask_per_linked_kpi(client, sumida, django_assert_max_num_queries):
    small, small_kpis = _plan(sumida, measures=1, kpis=1)
    _link(small_kpis[0])
    large, large_kpis = _plan(sumida, measures=3, kpis=4, start=2028)
    for kpi in large_kpis:
        _link(kpi)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(small.get_absolute_url()).status_code == 200

    with django_assert_max_num_queries(len(queries)):
        html = client.get(large.get_absolute_url()).content.decode()

    assert html.count("自動集計: 成約件数") == 12
