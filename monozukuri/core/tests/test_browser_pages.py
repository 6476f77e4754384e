"""Site-wide pages in a real browser: home, log-in, settings, error pages, API docs, keyboard use."""

from __future__ import annotations

import re

import pytest
from django.template.loader import get_template
from playwright.sync_api import Page, expect

from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD
from monozukuri.testing.browser import (
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_page_structure,
    login,
)

pytestmark = pytest.mark.browser


def _check(page: Page) -> None:
    __tracebackhide__ = True
    assert_page_structure(page)
    assert_accessible(page)


def test_home_page_lists_the_approved_plans(page, live_server, seed_plans):
    page.goto(live_server.url + "/")
    expect(page).to_have_title("ホーム | monozukuri")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    plans = page.get_by_role("heading", level=2, name="承認された地域産業活性化計画").locator(
        "xpath=following-sibling::ul[1]"
    )
    expect(plans.get_by_role("listitem")).to_have_count(4)
    for plan in seed_plans.values():
        expect(plans.get_by_role("link", name=plan.title, exact=True)).to_be_visible()
    _check(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_horizontal_scroll(page)
    _check(page)


def test_keyboard_first_tab_reaches_the_skip_link_and_every_header_control_shows_focus(
    page, live_server, db
):
    page.goto(live_server.url + "/")
    skip = page.get_by_role("link", name="本文へ移動")
    expect(skip).not_to_be_in_viewport()
    focused = []
    for _ in range(6):
        page.keyboard.press("Tab")
        if not focused:
            expect(skip).to_be_focused()
            expect(skip).to_be_in_viewport()
        # A visible focus ring: the site's own outline, shown because the focus came from the keyboard.
        focused.append(page.evaluate("""() => {
            const el = document.activeElement, css = getComputedStyle(el);
            return [el.textContent.trim(), el.matches(":focus-visible"), css.outlineStyle, css.outlineWidth];
        }"""))
    assert [f[0] for f in focused] == [
        "本文へ移動", "monozukuri 地域産業活性化プラットフォーム", "企業・団体を探す", "活性化計画",
        "ログイン", "English",
    ]
    assert all(f[1:] == [True, "solid", "3px"] for f in focused), focused

    # The skip link moves focus past the header into the content.
    for _ in range(len(focused) - 1):
        page.keyboard.press("Shift+Tab")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    focused_in_main = page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    assert focused_in_main


def test_login_page_is_accessible_and_explains_a_failed_login(page, live_server, sumida_staff):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    expect(page.get_by_label("メールアドレス")).to_be_focused()
    _check(page)
    page.get_by_label("メールアドレス").fill(sumida_staff.email)
    page.get_by_label("パスワード").fill("wrong password")
    page.get_by_role("main").get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_have_text("メールアドレスまたはパスワードが正しくありません。")
    expect(page.get_by_label("メールアドレス")).to_have_value(sumida_staff.email)
    _check(page)


def test_account_settings_show_a_newly_issued_token_once(page, live_server, sumida_staff):
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)
    page.get_by_role("link", name="アカウント設定").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("アカウント設定")
    _check(page)
    _submit = page.get_by_role("main").get_by_role("button", name="トークンを発行")
    _submit.click()
    expect(page.get_by_label("トークンの名前（用途）")).to_have_attribute("aria-invalid", "true")
    _check(page)
    page.get_by_label("トークンの名前（用途）").fill("集計スクリプト用")
    _submit.click()
    token = page.locator("#new-token")
    expect(token).to_have_text(re.compile(r"\S{20,}"))
    expect(page.get_by_role("table", name="発行済みのトークン")).to_contain_text("集計スクリプト用")
    revoke = page.get_by_role("button", name=re.compile(r"^失効させる\s*（集計スクリプト用）$"))
    expect(revoke).to_be_visible()
    _check(page)
    page.get_by_role("link", name="アカウント設定").click()
    expect(page.locator("#new-token")).to_have_count(0)


def test_not_found_page_uses_the_site_layout(page, live_server, db):
    response = page.goto(live_server.url + "/plans/99999999/")
    assert response is not None
    assert response.status == 404
    expect(page).to_have_title("ページが見つかりません | monozukuri")
    expect(page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    expect(page.get_by_role("link", name="ホームへ戻る")).to_have_attribute("href", "/")
    _check(page)
    response = page.goto(live_server.url + "/en/no-such-page/")
    assert response is not None
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Back to home")).to_have_attribute("href", "/en/")
    _check(page)


def test_forbidden_page_uses_the_site_layout(page, live_server, tmg_officer):
    login(page, live_server, tmg_officer.email, DEFAULT_PASSWORD)
    response = page.goto(live_server.url + "/plans/new/")  # plans are created by municipal staff only
    assert response is not None
    assert response.status == 403
    expect(page).to_have_title("この操作はできません | monozukuri")
    expect(page.get_by_role("heading", level=1)).to_have_text("この操作はできません")
    _check(page)


def test_server_error_page_renders_without_context_or_database(
    page, live_server, django_assert_num_queries
):
    # Django's server_error view renders 500.html with an empty context and no request.
    with django_assert_num_queries(0):
        html = get_template("500.html").render()
    page.goto(live_server.url + "/static/core/site.css")  # same origin, so the stylesheet loads
    page.set_content(html, wait_until="load")
    expect(page.get_by_role("heading", level=1)).to_have_text("サーバーでエラーが発生しました")
    expect(page.get_by_role("heading", level=2)).to_have_text("Server error")
    assert page.evaluate("() => document.styleSheets[0].cssRules.length") > 10
    assert_page_structure(page, navigation=False)
    assert_accessible(page)


def test_api_docs_load_from_our_own_server_and_are_accessible(page, live_server, blocked_requests, db):
    page.goto(live_server.url + "/api/v1/docs/")
    expect(page).to_have_title("monozukuri API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="monozukuri")).to_be_visible()
    expect(page.get_by_role("main")).to_have_count(1)  # Swagger UI's own <main id="operations">
    assert blocked_requests == []  # Swagger UI's assets are bundled, nothing from a CDN
    # Swagger UI (third-party, drf-spectacular-sidecar) nests its "copy operation path" button inside the
    # button that expands an operation; we cannot change its markup, so that one rule is off here. Its
    # colours that fell below 4.5:1 are overridden in our copy of drf_spectacular/swagger_ui.html.
    swagger_rules_off = ["nested-interactive"]
    assert_accessible(page, disable_rules=swagger_rules_off)
    page.locator(".swagger-ui .opblock-summary-control").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()
    # An expanded operation's body is generated entirely by Swagger UI and has more upstream problems
    # (an unlabelled <select> for enum parameters, syntax-highlighting colours in examples), so axe
    # checks the rest of the page around it.
    assert_accessible(page, disable_rules=swagger_rules_off,
                      context={"exclude": [[".swagger-ui .opblock-body"]]})
