"""Factories for plans and their parts."""

from __future__ import annotations

from decimal import Decimal

import factory

from monozukuri.core.tests.factories import MunicipalityFactory
from monozukuri.plans.models import (
    BudgetLine,
    BudgetState,
    Kpi,
    KpiActual,
    KpiTarget,
    Measure,
    MeasureKind,
    Pillar,
    Plan,
    PlanStatus,
    TmgShare,
)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"テスト計画{n}")
    start_fiscal_year = 2025
    end_fiscal_year = 2027
    overview = "地域のものづくりを支える計画の概要。"
    status = PlanStatus.DRAFT


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"柱{n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    pillar = factory.SubFactory(PillarFactory)
    title = factory.Sequence(lambda n: f"事業{n}")
    kind = MeasureKind.MATCHING


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    measure = factory.SubFactory(MeasureFactory)
    name = factory.Sequence(lambda n: f"指標{n}")
    unit = "件"


class KpiTargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiTarget

    kpi = factory.SubFactory(KpiFactory)
    fiscal_year = factory.LazyAttribute(lambda o: o.kpi.measure.pillar.plan.start_fiscal_year)
    value = Decimal("10.00")


class KpiActualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KpiActual

    kpi = factory.SubFactory(KpiFactory)
    fiscal_year = factory.LazyAttribute(lambda o: o.kpi.measure.pillar.plan.start_fiscal_year)
    value = Decimal("8.00")
    source = "事業報告書"


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    measure = factory.SubFactory(MeasureFactory)
    fiscal_year = factory.LazyAttribute(lambda o: o.measure.pillar.plan.start_fiscal_year)
    amount = 10_000_000
    tmg_share = TmgShare.HALF
    state = BudgetState.REQUESTED
