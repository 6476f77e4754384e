"""Factories for plans and their parts."""

from __future__ import annotations

import factory

from monozukuri.plans.models import Kpi, Measure, MeasureKind, Pillar, Plan, PlanStatus


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

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
