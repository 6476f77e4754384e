"""The search page and the dictionary in a real browser (issue 4's "done when")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD
from monozukuri.directory.indexing import organizations_reindex
from monozukuri.search.tests.conftest import make_organization
from monozukuri.testing.browser import assert_accessible, assert_page_structure, login

pytestmark = pytest.mark.browser
SEARCH = "/directory/"  # the directory's list page is the search
DICTIONARY = "/directory/dictionary/"
HTMX = Path(__file__).resolve().parents[2] / "core" / "static" / "vendor" / "htmx" / "htmx.min.js"


def _check(page: Page) -> None:
    __tracebackhide__ = True
    assert_page_structure(page)
    assert_accessible(page)


@pytest.fixture
def foundry(municipalities: Any, taxonomy: Any) -> Any:
    with scopes_disabled():
        org = make_organization(
            name="株式会社川口鋳物",
            kana="かわぐちいもの",
            summary="鋳物の製造、砂型から仕上げまで。",
            municipality=municipalities["131075"],
        )
        other = make_organization(
            name="株式会社荒川研磨",
            kana="あらかわけんま",
            summary="精密な研磨とバフ仕上げ。",
            municipality=municipalities["131181"],
        )
        organizations_reindex([org.pk, other.pk])
    return org


def test_staff_add_a_synonym_reindex_and_the_next_search_finds_the_new_spelling(
    page: Page, live_server: Any, sumida_staff: Any, foundry: Any
) -> None:
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="検索辞書").click()
    expect(page).to_have_url(live_server.url + DICTIONARY)
    _check(page)
    add = page.get_by_role("region", name="語を追加")
    add.get_by_label("種類").select_option("synonym")
    add.get_by_label(re.compile("^語")).fill("鋳物")
    add.get_by_label("置き換え先・同義語").fill("キャスティング")
    add.get_by_role("button", name="追加").click()
    expect(page.get_by_role("status").filter(has_text="辞書が変更されています")).to_be_visible()
    page.get_by_role("button", name="いま索引を作り直す").click()
    expect(page.get_by_text("索引の作り直しを始めました")).to_be_visible()
    _check(page)

    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="企業・団体を探す").click()
    expect(page).to_have_url(live_server.url + SEARCH)
    box = page.get_by_role("searchbox", name="キーワード（技術・材料・製品・社名・よみがな）")
    box.fill("キャスティング")
    expect(page.get_by_role("status").filter(has_text="1 件")).to_be_visible()
    expect(page.get_by_role("link", name="株式会社川口鋳物")).to_be_visible()
    expect(page).to_have_url(
        live_server.url + SEARCH + "?q=%E3%82%AD%E3%83%A3%E3%82%B9%E3%83%86%E3%82%A3%E3%83%B3%E3%82%B0"
    )


def test_the_search_answers_as_the_user_types_and_the_url_can_be_shared(
    page: Page, live_server: Any, foundry: Any
) -> None:
    page.goto(live_server.url + SEARCH)
    _check(page)
    box = page.get_by_role("searchbox", name="キーワード（技術・材料・製品・社名・よみがな）")
    box.press_sequentially("研磨")  # as typed: no submit, the results follow the box
    expect(page.get_by_role("status").filter(has_text="1 件")).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_have_text("研磨")  # バフ too: a synonym of 研磨
    shared = page.url
    # a facet chip: narrow to Arakawa with the keyboard, then remove it again
    page.get_by_role("navigation", name="絞り込み").get_by_role("link", name="荒川区").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="自治体「荒川区」の条件を外す")).to_be_visible()
    assert "municipality=131181" in page.url
    _check(page)
    page.goto(shared)
    expect(page.get_by_role("status").filter(has_text="1 件")).to_be_visible()
    expect(box).to_have_value("研磨")
    expect(page.get_by_role("link", name="株式会社荒川研磨")).to_be_visible()


def test_text_typed_before_the_page_s_scripts_are_ready_is_searched_once_they_are(
    page: Page, live_server: Any, foundry: Any
) -> None:
    # A slow connection: htmx arrives only after the user has typed (its first load here is empty).
    page.route(
        "**/vendor/htmx/htmx.min.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    page.goto(live_server.url + SEARCH)
    box = page.get_by_role("searchbox", name="キーワード（技術・材料・製品・社名・よみがな）")
    box.fill("研磨")
    expect(page.get_by_role("status").filter(has_text="2 件")).to_be_visible()  # nothing searched yet
    page.add_script_tag(path=str(HTMX))
    expect(page.get_by_role("status").filter(has_text="1 件")).to_be_visible()
    expect(page.get_by_role("link", name="株式会社荒川研磨")).to_be_visible()
    assert "q=%E7%A0%94%E7%A3%A8" in page.url


def test_the_english_search_page_is_accessible(page: Page, live_server: Any, foundry: Any) -> None:
    page.goto(live_server.url + "/en" + SEARCH + "?q=鋳物")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("企業・団体を探す")
    expect(page.get_by_role("link", name="株式会社川口鋳物")).to_be_visible()
    _check(page)


def test_the_map_toggle_shows_markers_without_loading_tiles(
    page: Page, live_server: Any, foundry: Any, blocked_requests: list[str]
) -> None:
    page.goto(live_server.url + SEARCH + "?q=鋳物")
    toggle = page.get_by_role("button", name="地図で見る")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#search-map .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("#search-map .leaflet-tile")).to_have_count(0)  # no tile URL configured
    _check(page)
    assert blocked_requests == []


def test_the_export_link_of_a_search_leads_to_an_accessible_export_page_of_that_search(
    page: Page, live_server: Any, foundry: Any
) -> None:
    page.goto(live_server.url + SEARCH + "?q=鋳物")
    page.get_by_role("link", name="この検索結果を書き出す（CSV・Excel）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企業データのエクスポート")
    expect(page.get_by_text("検索ページと同じ条件")).to_be_visible()
    assert "q=%E9%8B%B3%E7%89%A9" in page.url
    _check(page)
