"""JSON shapes of plans: plan → pillars → measures → KPIs (targets and actuals per fiscal year)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from monozukuri.core.japanese_calendar import format_fiscal_year
from monozukuri.plans.models import BudgetLine, Kpi, Measure, Pillar, Plan


class KpiSerializer(serializers.ModelSerializer[Kpi]):
    targets = serializers.SerializerMethodField()
    actuals = serializers.SerializerMethodField()

    class Meta:
        model = Kpi
        fields = ["id", "name", "unit", "baseline", "baseline_fiscal_year", "description",
                  "targets", "actuals"]

    def get_targets(self, kpi: Kpi) -> list[dict[str, Any]]:
        return [{"fiscal_year": t.fiscal_year, "value": str(t.value)} for t in kpi.targets.all()]

    def get_actuals(self, kpi: Kpi) -> list[dict[str, Any]]:
        return [{"fiscal_year": a.fiscal_year, "value": str(a.value), "source": a.source}
                for a in kpi.actuals.all()]


class BudgetLineSerializer(serializers.ModelSerializer[BudgetLine]):
    tmg_amount = serializers.IntegerField(read_only=True)

    class Meta:
        model = BudgetLine
        fields = ["fiscal_year", "amount", "tmg_share", "tmg_amount", "state", "note"]


class MeasureSerializer(serializers.ModelSerializer[Measure]):
    kpis = KpiSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)

    class Meta:
        model = Measure
        fields = ["id", "number", "title", "title_en", "description", "examples", "kind",
                  "small_firms_only", "kpis", "budget_lines"]


class PillarSerializer(serializers.ModelSerializer[Pillar]):
    measures = MeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Pillar
        fields = ["id", "number", "title", "title_en", "summary", "measures"]


class PlanSerializer(serializers.ModelSerializer[Plan]):
    municipality_code = serializers.CharField(source="municipality.code", read_only=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)
    fiscal_years = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()
    pillars = PillarSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "municipality_code", "municipality_name", "title", "title_en", "status",
                  "start_fiscal_year", "end_fiscal_year", "fiscal_years", "period_label", "period",
                  "approval_date", "overview", "budget_note", "notes", "pillars"]

    def get_fiscal_years(self, plan: Plan) -> list[int]:
        return plan.fiscal_years

    def get_period(self, plan: Plan) -> dict[str, str]:
        return {
            "as_written": plan.period_label,
            "wareki": f"{format_fiscal_year(plan.start_fiscal_year, 'wareki')}～"
                      f"{format_fiscal_year(plan.end_fiscal_year, 'wareki')}",
            "western": f"{format_fiscal_year(plan.start_fiscal_year, 'western')}～"
                       f"{format_fiscal_year(plan.end_fiscal_year, 'western')}",
        }
