"""A small matching world: the taxonomy, a Sumida startup, firms that can and cannot serve it, a plan."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.core.roles import Role
from monozukuri.directory.tests.factories import CertificationFactory, MembershipFactory, OrganizationFactory


def capability(slug: str) -> Any:
    from monozukuri.directory.models import Capability

    return Capability.objects.get(slug=slug)


def make_org(*, municipality: Any, caps: tuple[str, ...] = (), certs: tuple[str, ...] = (), **kw: Any) -> Any:
    """An organisation holding these capabilities (by slug), indexed for search."""
    from monozukuri.directory.indexing import organizations_reindex
    from monozukuri.directory.models import OrganizationCapability

    kw.setdefault("last_confirmed_on", timezone.localdate() - datetime.timedelta(days=30))
    kw.setdefault("city", municipality.name)
    org: Any = OrganizationFactory(municipality=municipality, **kw)
    for slug in caps:
        OrganizationCapability.objects.create(organization=org, capability=capability(slug))
    for name in certs:
        CertificationFactory(organization=org, name=name)
    organizations_reindex([org.pk])
    return org


@dataclass
class World:
    sumida: Any
    arakawa: Any
    startup: Any
    startup_member: Any
    five_axis: Any
    five_axis_member: Any
    turning: Any
    closed: Any
    designer: Any
    plan: Any
    measure: Any
    kpi: Any


@pytest.fixture
def taxonomy(db: Any) -> None:
    from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load

    industry_divisions_load()
    capabilities_load()


@pytest.fixture
def world(municipalities: dict[str, Any], taxonomy: None, make_user: Any) -> World:
    from monozukuri.plans.tests.factories import KpiFactory, MeasureFactory, PlanFactory

    sumida, arakawa = municipalities["131075"], municipalities["131181"]
    startup = make_org(
        municipality=sumida,
        kind="startup",
        name="株式会社すみだロボティクス",
        kana="すみだろぼてぃくす",
        summary="介護ロボットを開発するスタートアップです。",
        phone="03-9999-0001",
        email="info@sumida-robotics.example.jp",
        website="https://sumida-robotics.example.jp/",
        latitude=35.7100,
        longitude=139.8010,
    )
    five_axis = make_org(
        municipality=sumida,
        name="株式会社墨田精密",
        kana="すみだせいみつ",
        caps=("five-axis-machining", "aluminium", "anodizing"),
        certs=("ISO 9001",),
        summary="5軸マシニングセンタによるアルミ筐体の試作と小ロット加工が得意です。",
        employees=12,
        latitude=35.7150,
        longitude=139.8050,
    )
    turning = make_org(
        municipality=arakawa,
        name="有限会社荒川旋盤",
        kana="あらかわせんばん",
        caps=("nc-turning", "stainless-steel"),
        summary="ステンレスのNC旋盤加工。",
        employees=8,
    )
    closed = make_org(
        municipality=sumida,
        name="株式会社閉鎖工業",
        kana="へいさこうぎょう",
        status="closed",
        caps=("five-axis-machining", "aluminium"),
        summary="5軸加工とアルミ筐体。",
    )
    designer = make_org(
        municipality=sumida,
        kind="designer",
        name="すみだデザイン室",
        kana="すみだでざいんしつ",
        caps=("industrial-design",),
        summary="工業デザインとプロダクトデザイン。",
    )
    startup_member = make_user(
        Role.ORGANIZATION_MEMBER, email="member@sumida-robotics.example.jp", display_name="試作 太郎"
    )
    MembershipFactory(organization=startup, user=startup_member)
    five_axis_member = make_user(
        Role.ORGANIZATION_MEMBER, email="member@sumida-seimitsu.example.jp", display_name="精密 花子"
    )
    MembershipFactory(organization=five_axis, user=five_axis_member)
    with scopes_disabled():
        year = _fiscal_year()
        plan = PlanFactory(
            municipality=sumida,
            title="墨田区地域産業活性化計画",
            status="approved",
            start_fiscal_year=year - 1,
            end_fiscal_year=year + 1,
        )
        measure = MeasureFactory(
            pillar__plan=plan, pillar__number=1, title="ものづくりスタートアップ連携促進事業"
        )
        kpi = KpiFactory(measure=measure, name="試作マッチング成約件数", unit="件")
    return World(
        sumida,
        arakawa,
        startup,
        startup_member,
        five_axis,
        five_axis_member,
        turning,
        closed,
        designer,
        plan,
        measure,
        kpi,
    )


def _fiscal_year() -> int:
    from monozukuri.core.japanese_calendar import fiscal_year_of

    return fiscal_year_of(timezone.localdate())
