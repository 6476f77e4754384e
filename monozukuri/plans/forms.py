"""Forms for plans, measures, KPIs and budgets (validation messages in the user's language)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from monozukuri.core.japanese_calendar import JapaneseDateError, format_fiscal_year, parse_fiscal_year
from monozukuri.plans.models import BudgetState, MeasureKind, TmgShare


class FiscalYearField(forms.CharField):
    """A fiscal year typed as 2021, 2021年度, 令和3年度 or 平成33年度."""

    default_error_messages = {"invalid": _("年度として読み取れません。例: 2021、令和3年度、平成33年度")}

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_fiscal_year(text)
        except JapaneseDateError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


class PlanForm(forms.Form):
    title = forms.CharField(label=_("計画名"), max_length=200)
    title_en = forms.CharField(label=_("計画名（英語）"), max_length=200, required=False)
    start_fiscal_year = FiscalYearField(label=_("開始年度"), help_text=_("例: 令和7年度 または 2025"))
    end_fiscal_year = FiscalYearField(label=_("終了年度"), help_text=_("計画期間は3年度以内"))
    period_label = forms.CharField(label=_("計画期間（原文表記）"), max_length=60, required=False)
    overview = forms.CharField(label=_("概要"), widget=forms.Textarea, required=False)
    budget_note = forms.CharField(label=_("予算に関する注記"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)

    @classmethod
    def initial_for(cls, plan: Any) -> dict[str, Any]:
        return {
            "title": plan.title, "title_en": plan.title_en, "period_label": plan.period_label,
            "start_fiscal_year": format_fiscal_year(plan.start_fiscal_year, "wareki"),
            "end_fiscal_year": format_fiscal_year(plan.end_fiscal_year, "wareki"),
            "overview": plan.overview, "budget_note": plan.budget_note,
        }


class PillarForm(forms.Form):
    title = forms.CharField(label=_("柱の名称"), max_length=200)
    summary = forms.CharField(label=_("記載内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("事業名"), max_length=200)
    title_en = forms.CharField(label=_("事業名（英語）"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("種類"), choices=MeasureKind.choices)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea, required=False)
    small_firms_only = forms.BooleanField(label=_("小規模企業のみを対象とする"), required=False)


class KpiForm(forms.Form):
    name = forms.CharField(label=_("指標名"), max_length=200, help_text=_("例: 成約件数"))
    unit = forms.CharField(label=_("単位"), max_length=30, help_text=_("例: 件、社、人、円"))
    baseline = forms.DecimalField(label=_("基準値"), required=False, max_digits=16, decimal_places=2)
    baseline_fiscal_year = FiscalYearField(label=_("基準年度"), required=False)
    description = forms.CharField(label=_("説明・算出方法"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False)


class KpiYearForm(forms.Form):
    """Target and actual of one KPI for one fiscal year (one form per year of the plan)."""

    target = forms.DecimalField(label=_("目標値"), required=False, max_digits=16, decimal_places=2)
    actual = forms.DecimalField(label=_("実績値"), required=False, max_digits=16, decimal_places=2)
    source = forms.CharField(label=_("実績の出典"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("actual") is not None and not (data.get("source") or "").strip():
            self.add_error("source", _("実績値には出典（例: 事業報告書）を入力してください。"))
        return data


class BudgetLineForm(forms.Form):
    fiscal_year = FiscalYearField(label=_("年度"))
    amount = forms.IntegerField(label=_("事業費（円）"), min_value=0)
    tmg_share = forms.ChoiceField(label=_("都の負担割合"), choices=TmgShare.choices)
    state = forms.ChoiceField(label=_("状態"), choices=BudgetState.choices)
    note = forms.CharField(label=_("備考"), max_length=200, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("差戻しの理由"), widget=forms.Textarea(attrs={"rows": 3}))
