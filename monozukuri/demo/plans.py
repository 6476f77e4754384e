"""Demo plans beside the four real ones: a Sumida draft and an Arakawa submission (clearly marked)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django_scopes import scopes_disabled

from monozukuri.accounts.models import User
from monozukuri.core.models import Municipality
from monozukuri.plans import services
from monozukuri.plans.models import MeasureKind, Plan

SUMIDA_DRAFT_TITLE = "【デモ】墨田区地域産業活性化計画（第2期）案"
ARAKAWA_SUBMITTED_TITLE = "【デモ】荒川区地域産業活性化計画（第2期）"


@transaction.atomic
def demo_plans_ensure() -> None:
    """Create the demo draft and submitted plans once (by title: a demo plan that moved on is kept)."""
    with scopes_disabled():
        sumida = Municipality.objects.get(code="131075")
        arakawa = Municipality.objects.get(code="131181")
        if not Plan.objects.filter(municipality=sumida, title=SUMIDA_DRAFT_TITLE).exists():
            staff = User.objects.get(email="sumida@demo.monozukuri.jp")
            plan = services.plan_create(
                actor=staff, municipality=sumida, title=SUMIDA_DRAFT_TITLE,
                title_en="[Demo] Sumida regional industry revitalization plan (phase 2), draft",
                start_fiscal_year=2026, end_fiscal_year=2028,
                overview="デモ用の計画案です。製造業データベースを基盤に、スタートアップと区内工場の試作連携を広げます。",
            )
            pillar = services.pillar_create(actor=staff, plan=plan, title="試作連携の拡大")
            measure = services.measure_create(actor=staff, pillar=pillar, title="試作マッチング事業",
                                              kind=MeasureKind.MATCHING,
                                              description="スタートアップの試作依頼を区内工場につなぐ。")
            kpi = services.kpi_create(actor=staff, measure=measure, name="成約件数", unit="件")
            services.kpi_target_set(actor=staff, kpi=kpi, fiscal_year=2026, value=Decimal(10))
        if not Plan.objects.filter(municipality=arakawa, title=ARAKAWA_SUBMITTED_TITLE).exists():
            staff = User.objects.get(email="arakawa@demo.monozukuri.jp")
            plan = services.plan_create(
                actor=staff, municipality=arakawa, title=ARAKAWA_SUBMITTED_TITLE,
                title_en="[Demo] Arakawa regional industry revitalization plan (phase 2)",
                start_fiscal_year=2026, end_fiscal_year=2028,
                overview="デモ用の申請中の計画です。事業承継と販路拡大を支えます。",
            )
            pillar = services.pillar_create(actor=staff, plan=plan, title="持続的発展の支援")
            services.measure_create(actor=staff, pillar=pillar, title="事業承継ネットワーク事業",
                                    kind=MeasureKind.SUCCESSION)
            services.plan_submit(actor=staff, plan=plan)
