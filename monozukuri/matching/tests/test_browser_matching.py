"""Matching in a real browser, from a startup's request to a contract counted by the plan's KPI.

A startup member writes a prototype request and sees candidates with reasons while typing; Sumida staff
publish it; the member proposes an introduction (consenting to be named), the firm consents, the meeting,
quote and contract are recorded, and the measure's KPI counts the contract. Every page is axe-core clean.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD
from monozukuri.core.japanese_calendar import fiscal_year_of
from monozukuri.matching.services.kpis import kpi_metric_link_set
from monozukuri.matching.tests.factories import AdviserFactory
from monozukuri.testing.browser import assert_accessible, assert_page_structure, login

pytestmark = pytest.mark.browser


def _check(page: Page) -> None:
    __tracebackhide__ = True
    assert_page_structure(page)
    assert_accessible(page)


def _as(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    login(page, live_server, user.email, DEFAULT_PASSWORD)


def test_from_request_to_contract_counted_by_the_kpi(page, live_server, world, sumida_staff):
    with scopes_disabled():
        kpi_metric_link_set(actor=sumida_staff, kpi=world.kpi, metric="matching.contracts")
        AdviserFactory(office=world.sumida, municipality=world.sumida)
    url = live_server.url

    # 1. the startup writes the request and sees candidates with reasons as it types
    _as(page, live_server, world.startup_member)
    page.goto(url + "/matching/")
    _check(page)
    page.goto(url + "/matching/requests/new/")
    page.get_by_label(re.compile("^件名")).fill("アルミ筐体の試作")
    page.get_by_label("対象物・テーマ").fill("小型筐体")
    page.get_by_label("材料", exact=True).fill("A5052")
    page.get_by_label("数量", exact=True).fill("10")
    page.get_by_label(re.compile("^内容")).fill(
        "A5052 の小型筐体を5軸加工で10個試作したい。表面はアルマイト処理。"
    )
    preview = page.locator("#candidate-preview")
    expect(preview).to_contain_text("株式会社墨田精密")
    expect(preview).to_contain_text("5軸加工に対応")
    expect(preview).to_contain_text("A5052（アルミニウム）に対応")
    _check(page)
    page.get_by_role("button", name="下書きを保存").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アルミ筐体の試作")
    _check(page)
    page.get_by_role("button", name="審査を依頼").click()
    expect(page.locator(".messages, .message").first).to_contain_text("審査を依頼しました")
    request_url = page.url

    # 2. Sumida staff review and publish it for the plan's measure
    _as(page, live_server, sumida_staff)
    page.goto(url + "/matching/board/")
    _check(page)
    page.get_by_role("link", name="アルミ筐体の試作").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("審査")
    _check(page)
    for label in (
        "依頼内容が具体的で、第三者が読んで分かる",
        "技術・材料の分類が内容に合っている",
        "法令・公序良俗に反する内容や営業目的だけの内容ではない",
    ):
        page.get_by_role("group", name="審査チェック").get_by_label(label).check()
    page.get_by_label("対象事業（計画の事業）").select_option(
        label="墨田区地域産業活性化計画 ／ ものづくりスタートアップ連携促進事業"
    )
    page.get_by_role("button", name="チェックを確認して公開").click()
    expect(page.locator("main")).to_contain_text("公開中")
    _check(page)

    # 3. the startup picks the first candidate and proposes an introduction
    _as(page, live_server, world.startup_member)
    page.goto(request_url + "candidates/")
    first = page.locator(".candidate").first
    expect(first).to_contain_text("株式会社墨田精密")
    expect(first.locator(".reasons")).to_contain_text("5軸加工に対応")
    _check(page)
    first.get_by_role("button", name="株式会社墨田精密 に紹介を申し込む").click()
    expect(page.locator("main")).to_contain_text("紹介を提案しました")
    _check(page)
    intro_url = page.url

    # 4. the firm consents; contacts are exchanged; meeting, quote and contract are recorded
    _as(page, live_server, world.five_axis_member)
    page.goto(url + "/matching/introductions/")
    expect(page.locator("main")).to_contain_text("あなたの同意待ち")
    _check(page)
    page.goto(intro_url)
    page.get_by_role("button", name="同意する（紹介先として）").click()
    expect(page.locator(".meta")).to_contain_text("株式会社すみだロボティクス")
    expect(page.locator("main")).to_contain_text(world.startup_member.email)
    _check(page)
    today = timezone.localdate().isoformat()
    page.get_by_label("面談日").fill(today)
    page.get_by_role("button", name="記録する").click()
    page.get_by_label("見積・合意日").fill(today)
    page.get_by_label("見積額（円）").fill("480000")
    page.get_by_role("button", name="記録する").click()
    page.get_by_label("成約金額（円）").fill("450000")
    page.get_by_label("成約日").fill(today)
    page.get_by_role("button", name="記録する").click()
    expect(page.locator("main")).to_contain_text("成約を記録しました")
    expect(page.locator(".steps [aria-current]")).to_have_text("成約")
    _check(page)

    # 5. the measure's KPI counts the contract
    _as(page, live_server, sumida_staff)
    page.goto(url + f"/matching/measures/{world.measure.pk}/")
    year = fiscal_year_of(timezone.localdate())
    row = page.get_by_role("row", name=re.compile("試作マッチング成約件数"))
    expect(row).to_contain_text("成約件数")
    expect(row.locator("td").nth(year - world.plan.start_fiscal_year + 1)).to_have_text("1")
    _check(page)
    from monozukuri.plans.selectors import kpi_get

    actuals = {a.fiscal_year: a.value for a in kpi_get(user=sumida_staff, pk=world.kpi.pk).actuals.all()}
    assert actuals[year] == 1


def test_the_other_matching_pages_are_accessible(page, live_server, world, sumida_staff):
    from monozukuri.matching.tests.conftest import capability
    from monozukuri.matching.tests.factories import PublishedRequestFactory, RequestCapabilityFactory

    with scopes_disabled():
        adviser = AdviserFactory(office=world.sumida, municipality=world.sumida)
        adviser.capabilities.set([capability("mechanical-design")])
        request = PublishedRequestFactory(requester=world.startup, anonymous=True, measure=world.measure)
        RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
    url = live_server.url
    _as(page, live_server, sumida_staff)
    for path in (
        "/matching/requests/",
        "/matching/requests/?scope=office",
        "/matching/advisers/",
        f"/matching/advisers/{adviser.pk}/",
        "/matching/advisers/new/",
        "/matching/settings/",
        f"/matching/requests/{request.pk}/",
        f"/matching/requests/{request.pk}/candidates/",
        "/matching/introductions/",
        "/en/matching/requests/",
    ):
        page.goto(url + path)
        _check(page)
    page.goto(url + "/matching/weights/")
    page.get_by_label("距離").fill("8")
    page.get_by_label(re.compile(f"#{request.pk} ")).check()
    page.get_by_role("button", name="変化を確認").click()
    expect(page.locator("main")).to_contain_text("株式会社墨田精密")
    _check(page)
    _as(page, live_server, world.five_axis_member)
    page.goto(url + f"/matching/requests/{request.pk}/")
    expect(page.locator("main")).to_contain_text("墨田区のスタートアップ（匿名）")
    _check(page)
