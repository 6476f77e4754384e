"""Plans in a real browser: the journeys of issue 2, and axe-core on every plan page and form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD
from monozukuri.plans import services
from monozukuri.plans.models import Measure, Plan, PlanStatus
from monozukuri.testing.browser import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_page_structure,
    login,
)
from monozukuri.testing.fixtures import SUMIDA

pytestmark = pytest.mark.browser


def _check(page: Page) -> None:
    """Every page: title, lang, landmarks, one h1, and no serious or critical axe violation."""
    __tracebackhide__ = True
    assert_page_structure(page)
    assert_accessible(page)


def _draft_plan(actor: Any, municipality: Any, *, title: str = "墨田区 次期地域産業活性化計画（案）") -> Plan:
    """A draft with one pillar and one measure, made through the services as staff would."""
    plan = services.plan_create(actor=actor, municipality=municipality, title=title,
                                start_fiscal_year=2025, end_fiscal_year=2027,
                                overview="区内のものづくり企業の連携を進める計画の案。")
    pillar = services.pillar_create(actor=actor, plan=plan, title="ものづくり連携の強化")
    services.measure_create(actor=actor, pillar=pillar, title="試作支援事業", kind="matching",
                            description="区内企業の試作を支援する。")
    return plan


def _first_measure(plan: Plan) -> Measure:
    with scopes_disabled():
        measure = (Measure.objects.filter(pillar__plan=plan).select_related("pillar")
                   .order_by("pillar__number", "number", "id").first())
    assert measure is not None
    return measure


def _history_row(page: Page, action: str) -> Any:
    return page.get_by_role("table", name="変更履歴").get_by_role("row").filter(has_text=action)


# --- Journeys ----------------------------------------------------------------------------------


def test_visitor_reads_a_plan_in_japanese_and_in_english(page, live_server, seed_plans):
    plan = seed_plans[SUMIDA]
    with scopes_disabled():
        pillar_titles = list(plan.pillars.order_by("number").values_list("title", flat=True))
        measure_titles = list(Measure.objects.filter(pillar__plan=plan).values_list("title", flat=True))
    assert pillar_titles
    assert measure_titles

    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="活性化計画").click()
    expect(page).to_have_url(f"{live_server.url}/plans/")
    expect(page.get_by_role("heading", level=1)).to_have_text("地域産業活性化計画")
    _check(page)

    page.get_by_role("link", name=plan.title, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page).to_have_title(f"{plan.title} | monozukuri")
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_role("heading", level=2, name="概要")).to_be_visible()
    for title in pillar_titles:
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    for title in measure_titles:
        expect(page.get_by_role("heading", level=3, name=title, exact=True)).to_be_visible()
    expect(page.locator("#plan-status")).to_have_text("承認済み")
    expect(page.get_by_text("平成31年度～平成33年度").first).to_be_visible()
    # The public sees no edit buttons and no history.
    expect(page.get_by_role("heading", name="変更履歴")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("KPI を追加"))).to_have_count(0)
    _check(page)

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{live_server.url}/en/plans/{plan.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="日本語")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_count(0)
    # The plan itself stays as the municipality wrote it, marked as Japanese inside the English page.
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_role("heading", level=1)).to_have_attribute("lang", "ja")
    expect(page.locator("main p[lang=ja]").first).to_contain_text(plan.overview.splitlines()[0][:30])
    for title in pillar_titles:
        expect(page.get_by_role("heading", level=2, name=title)).to_be_visible()
    for title in measure_titles:
        expect(page.get_by_role("heading", level=3, name=title, exact=True)).to_have_attribute("lang", "ja")
    # Links on the English page stay under /en/.
    expect(page.get_by_role("link", name="monozukuri")).to_have_attribute("href", "/en/")
    expect(page.get_by_role("heading", level=2, name="Summary")).to_be_visible()
    expect(page.locator("#plan-status")).to_have_text("Approved")
    expect(page.get_by_role("link", name="Revitalization Plans")).to_be_visible()
    expect(page.get_by_text("The plan text is shown in the original Japanese")).to_be_visible()
    _check(page)

    page.get_by_role("button", name="日本語").click()
    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_sumida_staff_adds_a_kpi_sets_its_fy2020_target_and_sees_both_in_the_history(
    page, live_server, seed_plans, sumida_staff
):
    plan = seed_plans[SUMIDA]
    measure = _first_measure(plan)
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)

    page.goto(live_server.url + plan.get_absolute_url())
    expect(page.get_by_role("heading", name="変更履歴")).to_be_visible()
    # Approved: the text is locked, the figures are not.
    expect(page.get_by_role("link", name="計画を編集")).to_have_count(0)
    _check(page)

    article = page.get_by_role("article", name=measure.title)
    article.get_by_role("link", name=re.compile("^KPI を追加")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI を追加")
    _check(page)
    page.get_by_label("指標名").fill("連携による試作件数")
    page.get_by_label("単位").fill("件")
    page.get_by_label("基準値").fill("3")
    page.get_by_role("button", name="保存").click()

    # The KPI edit form: one fieldset per fiscal year of the plan (FY2019–FY2021).
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI を編集")
    expect(page.get_by_role("status")).to_contain_text("KPI を追加しました")
    expect(page.locator("fieldset > legend")).to_have_text(
        ["平成31年度（2019年度）", "令和2年度（2020年度）", "令和3年度（2021年度）"]
    )
    _check(page)
    page.get_by_role("group", name="令和2年度（2020年度）").get_by_label("目標値").fill("12")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(f"{live_server.url}/plans/{plan.pk}/")
    expect(page.get_by_role("status")).to_contain_text("KPI を保存しました。")
    kpi_table = page.get_by_role("table", name=f"{measure.title} の KPI")
    row = kpi_table.get_by_role("row", name=re.compile("連携による試作件数"))
    expect(row.get_by_role("rowheader")).to_contain_text("連携による試作件数（件）")
    expect(row.get_by_role("rowheader")).to_contain_text("基準値: 3")
    # Columns: 指標, FY2019, FY2020, FY2021, 操作.
    expect(row.get_by_role("cell").nth(1)).to_have_text("目標 12")
    expect(row.get_by_role("cell").nth(0)).to_have_text("")

    created = _history_row(page, "KPI を追加")
    expect(created).to_have_count(1)
    expect(created).to_contain_text("連携による試作件数（件）")
    expect(created).to_contain_text(sumida_staff.email)
    target_set = _history_row(page, "KPI の目標を設定")
    expect(target_set).to_have_count(1)
    expect(target_set).to_contain_text("2020")
    expect(target_set).to_contain_text("→ 12")
    _check(page)


def test_arakawa_staff_cannot_open_sumida_draft_plan_by_url_or_api(
    page, live_server, client, sumida, sumida_staff, arakawa_staff
):
    draft = _draft_plan(sumida_staff, sumida)
    client.force_login(sumida_staff)
    assert client.get(f"/plans/{draft.pk}/").status_code == 200  # the page exists for its own office

    login(page, live_server, arakawa_staff.email, DEFAULT_PASSWORD)
    response = page.goto(f"{live_server.url}/plans/{draft.pk}/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(page.get_by_text(draft.title)).to_have_count(0)
    _check(page)

    page.goto(f"{live_server.url}/plans/")
    expect(page.get_by_role("link", name=draft.title)).to_have_count(0)

    fetch = """async (url) => {
        const r = await fetch(url, {headers: {Accept: "application/json"}});
        return {status: r.status, type: r.headers.get("content-type"), body: await r.json()};
    }"""
    theirs = page.evaluate(fetch, f"/api/v1/plans/{draft.pk}/")
    assert theirs["status"] == 404
    assert theirs["type"].startswith("application/json")
    assert theirs["body"] == {"detail": "見つかりません。"}
    # "Not yours" is indistinguishable from "does not exist".
    assert page.evaluate(fetch, "/api/v1/plans/99999999/") == theirs
    listed = page.evaluate(fetch, f"/api/v1/plans/?municipality={SUMIDA}")
    assert draft.pk not in [p["id"] for p in listed["body"]["results"]]


def test_tmg_officer_approves_a_submitted_plan(page, live_server, sumida, sumida_staff, tmg_officer):
    plan = _draft_plan(sumida_staff, sumida)
    services.plan_submit(actor=sumida_staff, plan=plan)
    login(page, live_server, tmg_officer.email, DEFAULT_PASSWORD)

    page.goto(live_server.url + plan.get_absolute_url())
    expect(page.locator("#plan-status")).to_have_text("申請中")
    expect(page.get_by_label("差戻しの理由")).to_be_visible()
    _check(page)

    page.get_by_role("button", name="承認する").click()
    expect(page.get_by_role("status")).to_contain_text("計画を承認しました。")
    expect(page.locator("#plan-status")).to_have_text("承認済み")
    today = timezone.localdate().strftime("%Y-%m-%d")
    expect(page.locator("#plan-status").locator("xpath=..")).to_contain_text(f"（{today} 承認）")
    expect(page.get_by_role("button", name="承認する")).to_have_count(0)
    expect(_history_row(page, "計画を承認")).to_contain_text(tmg_officer.email)
    _check(page)
    with scopes_disabled():
        plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED


# --- Every other plan page and form, empty and with errors --------------------------------------


def _submit_expecting_errors(page: Page, *, button: str = "保存") -> None:
    """Submit the main form; the page comes back with the error summary focused."""
    page.get_by_role("main").get_by_role("button", name=button).click()
    summary = page.get_by_role("alert").filter(has_text="入力内容を確認してください")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()


def test_plan_forms_are_accessible_empty_and_with_errors(page, live_server, sumida, sumida_staff):
    draft = _draft_plan(sumida_staff, sumida)
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)

    page.goto(live_server.url + "/plans/")
    page.get_by_role("link", name="新しい計画を作成").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("新しい計画")
    _check(page)
    _submit_expecting_errors(page)
    title = page.get_by_role("textbox", name="計画名", exact=True)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("この項目は必須です"))
    # The summary links to the field.
    page.get_by_role("alert").get_by_role("link", name=re.compile("^計画名")).click()
    expect(page).to_have_url(re.compile("#id_title$"))
    _check(page)
    # Saved, then refused: a plan without measures cannot be submitted, and the refusal is an alert.
    title.fill("墨田区 ものづくり計画（新規）")
    page.get_by_label("開始年度").fill("令和8年度")
    page.get_by_label("終了年度").fill("2028")
    page.get_by_role("main").get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("計画を作成しました。")
    expect(page.get_by_role("heading", level=1)).to_have_text("墨田区 ものづくり計画（新規）")
    page.get_by_role("button", name="東京都に申請する").click()
    expect(page.get_by_role("alert")).to_have_text("事業が1件もない計画は申請できません。柱と事業を追加してください。")
    expect(page.locator("#plan-status")).to_have_text("作成中")
    _check(page)

    # The draft: edit buttons for its office, then the edit form with a year that cannot be read.
    page.goto(live_server.url + draft.get_absolute_url())
    expect(page.locator("#plan-status")).to_have_text("作成中")
    expect(page.get_by_role("button", name="東京都に申請する")).to_be_visible()
    _check(page)
    page.get_by_role("link", name="計画を編集").click()
    expect(page.get_by_label("開始年度")).to_have_value("令和7年度")
    _check(page)
    page.get_by_label("開始年度").fill("来年度")
    _submit_expecting_errors(page)
    expect(page.get_by_role("alert")).to_contain_text("開始年度")
    _check(page)


def test_pillar_and_measure_forms_are_accessible_empty_and_with_errors(
    page, live_server, sumida, sumida_staff
):
    draft = _draft_plan(sumida_staff, sumida)
    measure = _first_measure(draft)
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)

    page.goto(live_server.url + draft.get_absolute_url())
    page.get_by_role("link", name="柱を追加").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("柱を追加")
    _check(page)
    _submit_expecting_errors(page)
    _check(page)

    page.goto(live_server.url + draft.get_absolute_url())
    page.get_by_role("link", name=re.compile("^この柱に事業を追加")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("事業を追加")
    expect(page.get_by_label("小規模企業のみを対象とする")).not_to_be_checked()
    _check(page)
    _submit_expecting_errors(page)
    _check(page)

    page.goto(live_server.url + draft.get_absolute_url())
    article = page.get_by_role("article", name=measure.title)
    article.get_by_role("link", name=re.compile("^事業を編集")).click()
    expect(page.get_by_role("textbox", name="事業名", exact=True)).to_have_value(measure.title)
    _check(page)


def test_kpi_and_budget_forms_are_accessible_with_errors(page, live_server, seed_plans, sumida_staff):
    plan = seed_plans[SUMIDA]
    measure = _first_measure(plan)
    kpi = services.kpi_create(actor=sumida_staff, measure=measure, name="試作件数", unit="件")
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)

    # An actual without its source: the error sits in that year's fieldset and in the summary.
    page.goto(f"{live_server.url}/plans/kpis/{kpi.pk}/edit/")
    fy2020 = page.get_by_role("group", name="令和2年度（2020年度）")
    fy2020.get_by_label("実績値").fill("5")
    _submit_expecting_errors(page)
    expect(page.get_by_role("alert")).to_contain_text("令和2年度 実績の出典")
    source = page.get_by_role("group", name="令和2年度（2020年度）").get_by_label("実績の出典")
    expect(source).to_have_attribute("aria-invalid", "true")
    expect(source).to_have_accessible_description(re.compile("出典"))
    _check(page)

    page.goto(live_server.url + plan.get_absolute_url())
    page.get_by_role("article", name=measure.title).get_by_role("link", name=re.compile("^予算")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{measure.title} の予算")
    _check(page)
    page.get_by_role("textbox", name="年度", exact=True).fill("令和9年度")
    page.get_by_label("事業費（円）").fill("-1")
    _submit_expecting_errors(page)
    _check(page)
    page.get_by_role("textbox", name="年度", exact=True).fill("令和2年度")
    page.get_by_label("事業費（円）").fill("3000000")
    page.get_by_role("main").get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("予算を保存しました。")
    budget = page.get_by_role("table", name=f"{measure.title} の予算")
    expect(budget.get_by_role("row").nth(1)).to_contain_text("3,000,000")
    _check(page)
    page.goto(f"{live_server.url}/plans/measures/{measure.pk}/budget/")
    expect(page.get_by_role("table", name="登録済みの予算")).to_contain_text("3,000,000")
    _check(page)


def test_plan_pages_fit_a_phone_screen(page, live_server, seed_plans, sumida_staff):
    plan = seed_plans[SUMIDA]
    measure = _first_measure(plan)
    services.kpi_create(actor=sumida_staff, measure=measure, name="連携による試作件数", unit="件")
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)
    for path in ("/", "/plans/", plan.get_absolute_url(), f"/plans/measures/{measure.pk}/budget/"):
        page.goto(live_server.url + path)
        assert_no_horizontal_scroll(page)
    page.get_by_role("main").get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_horizontal_scroll(page)
    _check(page)
