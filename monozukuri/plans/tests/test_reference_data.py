"""Loading the four approved plans from plans/data/approved_plans.json into the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from monozukuri.plans.models import Kpi, Measure, Pillar, Plan, PlanStatus
from monozukuri.plans.reference_data import approved_plans_data, approved_plans_load
from monozukuri.plans.tests.factories import KpiFactory, KpiTargetFactory

pytestmark = pytest.mark.django_db


def _structure() -> dict[str, int]:
    with scopes_disabled():
        return {"plans": Plan.objects.count(), "pillars": Pillar.objects.count(),
                "measures": Measure.objects.count()}


def test_the_four_plans_load_as_approved_with_every_pillar_and_measure(municipalities):
    assert approved_plans_load() == 4

    data = approved_plans_data()
    with scopes_disabled():
        plans = {p.municipality.code: p for p in Plan.objects.select_related("municipality")}
        assert set(plans) == {"131075", "131181", "131199", "132055"}
        for item in data:
            plan = plans[item["municipality_code"]]
            assert plan.status == PlanStatus.APPROVED
            assert (plan.title, plan.period_label) == (item["title"], item["period_label"])
            assert (plan.start_fiscal_year, plan.end_fiscal_year) == (2019, 2021)
            assert plan.budget_note == item["budget_note"]
            assert [(p.number, p.title) for p in plan.pillars.order_by("number")] == [
                (p["number"], p["title"]) for p in item["pillars"]]
            assert Measure.objects.filter(pillar__plan=plan).count() == sum(
                len(p["measures"]) for p in item["pillars"])


def test_loading_twice_changes_nothing(municipalities):
    approved_plans_load()
    first = _structure()

    approved_plans_load()

    assert _structure() == first


def test_a_reload_keeps_what_staff_added_and_the_plans_status(municipalities):
    approved_plans_load()
    with scopes_disabled():
        plan = Plan.objects.get(municipality__code="131075")
        measure = Measure.objects.filter(pillar__plan=plan).first()
        Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    KpiTargetFactory(kpi=KpiFactory(measure=measure, name="成約件数"), fiscal_year=2020, value=Decimal(5))

    approved_plans_load()

    with scopes_disabled():
        assert Plan.objects.get(pk=plan.pk).status == PlanStatus.CLOSED
        assert Kpi.objects.get(measure=measure).targets.get().value == Decimal(5)


def test_the_command_loads_the_plans(municipalities, capsys):
    call_command("load_approved_plans")

    assert "plans: 4" in capsys.readouterr().out
