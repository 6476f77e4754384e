"""Plan forms read fiscal years as people write them, and say what is wrong in Japanese."""

from __future__ import annotations

import pytest
from django.utils import translation

from monozukuri.plans.forms import BudgetLineForm, FiscalYearField, KpiForm, KpiYearForm, PlanForm


@pytest.fixture(autouse=True)
def _japanese():
    with translation.override("ja"):
        yield


@pytest.mark.parametrize(
    ("typed", "fiscal_year"),
    [
        ("2021", 2021),
        ("2021年度", 2021),
        ("FY2021", 2021),
        ("令和3年度", 2021),
        ("平成33年度", 2021),  # printed before the era changed; never existed, still FY2021
        ("平成31年度", 2019),
        ("令和元年度", 2019),
        ("R3年度", 2021),
        ("２０２１年度", 2021),
        (" 令和３年度 ", 2021),
    ],
)
def test_a_fiscal_year_is_read_as_written(typed, fiscal_year):
    assert FiscalYearField().clean(typed) == fiscal_year


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("令和0年度", "「令和0年度」: 和暦に0年はありません。最初の年は「元年」または「1年」と書きます。"),
        ("令和X年度", "「令和X年度」は年度として読み取れません。例: 令和6年度、2024年度、FY2024"),
        ("来年度", "「来年度」は年度として読み取れません。例: 令和6年度、2024年度、FY2024"),
    ],
)
def test_a_bad_fiscal_year_says_what_is_wrong(typed, message):
    form = BudgetLineForm({"fiscal_year": typed, "amount": "1000", "tmg_share": "1/2", "state": "requested"})

    assert not form.is_valid()
    assert form.errors["fiscal_year"] == [message]


def test_an_empty_optional_fiscal_year_is_none():
    form = KpiForm({"name": "件数", "unit": "件", "baseline_fiscal_year": ""})

    assert form.is_valid()
    assert form.cleaned_data["baseline_fiscal_year"] is None


def test_the_plan_form_reads_the_period_in_wareki():
    form = PlanForm({"title": "計画", "start_fiscal_year": "平成31年度", "end_fiscal_year": "平成33年度"})

    assert form.is_valid()
    assert (form.cleaned_data["start_fiscal_year"], form.cleaned_data["end_fiscal_year"]) == (2019, 2021)


def test_an_actual_without_a_source_is_refused_on_the_year_form():
    form = KpiYearForm({"actual": "5"})

    assert not form.is_valid()
    assert form.errors["source"] == ["実績値には出典（例: 事業報告書）を入力してください。"]


def test_a_negative_budget_is_refused_on_the_form():
    form = BudgetLineForm({"fiscal_year": "2025", "amount": "-1", "tmg_share": "1/2", "state": "requested"})

    assert not form.is_valid()
    assert form.errors["amount"] == ["この値は 0 以上でなければなりません。"]
