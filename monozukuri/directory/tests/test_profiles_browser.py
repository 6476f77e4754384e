"""The directory's profile pages in a real browser: a visitor browses, staff edit; axe-core clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD
from monozukuri.directory.indexing import organizations_reindex
from monozukuri.directory.models import IndustryDivision, OrganizationCapability, OrganizationMembership
from monozukuri.directory.reference_data import industry_divisions_load
from monozukuri.directory.tests.factories import (
    CapabilityFactory,
    CertificationFactory,
    ContactFactory,
    EquipmentFactory,
    OrganizationFactory,
)
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


@pytest.fixture
def firm(sumida):
    industry_divisions_load()
    org = OrganizationFactory(
        municipality=sumida, name="株式会社山田製作所", kana="やまだせいさくしょ",
        industry=IndustryDivision.objects.get(code="24"), employees=25, capital=10_000_000, sme_class="sme",
        sme_rule="製造業・建設業・運輸業その他: 従業員300人以下のため中小企業者", staff_notes="訪問済み",
        phone="03-1234-5678")
    OrganizationCapability.objects.create(organization=org, capability=CapabilityFactory(
        slug="welding", label="溶接", label_en="Welding"))
    CertificationFactory(organization=org, name="ISO 9001")
    EquipmentFactory(organization=org, name="5軸マシニングセンタ")
    ContactFactory(organization=org, name="山田太郎")
    others = OrganizationFactory.create_batch(25, municipality=sumida)
    organizations_reindex([org.pk, *(o.pk for o in others)])  # the factories write no index rows
    return org


def test_a_visitor_searches_the_directory_and_opens_a_profile(page, live_server, firm):
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="企業・団体を探す").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企業・団体を探す")
    _check(page)
    page.get_by_label("キーワード（技術・材料・製品・社名・よみがな）").fill("やまだ")
    page.get_by_role("button", name="検索").click()
    expect(page.get_by_role("status").filter(has_text="1 件")).to_be_visible()
    page.get_by_role("navigation", name="絞り込み").get_by_role("link", name="金属製品製造業").click()
    expect(page).to_have_url(re.compile(r"/directory/\?q=%E3%82%84%E3%81%BE%E3%81%A0&jsic=24$"))
    page.get_by_role("link", name="株式会社山田製作所").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("株式会社山田製作所")
    expect(page.get_by_text("従業員300人以下のため中小企業者")).to_be_visible()
    expect(page.get_by_text("5軸マシニングセンタ")).to_have_count(0)  # equipment: signed-in partners
    _check(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_no_horizontal_scroll(page)


def test_the_list_pages_and_filters_are_accessible_with_errors_shown(page, live_server, firm):
    page.goto(live_server.url + "/directory/?employees_min=many&page_size=10")
    expect(page.get_by_role("alert")).to_contain_text("「many」は")
    expect(page.get_by_role("navigation", name="ページ", exact=True)).to_be_visible()
    page.get_by_role("link", name="次へ").click()
    expect(page).to_have_url(re.compile(r"/directory/\?page_size=10&page=2$"))
    _check(page)


def test_staff_edit_pages_are_accessible(page, live_server, firm, sumida_staff):
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)
    for path in ("", "edit/", "capabilities/", "certifications/", "equipment/", "contacts/", "photos/",
                 "visibility/", "members/"):
        page.goto(f"{live_server.url}/directory/{firm.pk}/{path}")
        _check(page)
    page.goto(f"{live_server.url}/directory/{firm.pk}/edit/")
    page.get_by_label("法人番号").fill("7010401067252")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("alert").first).to_contain_text("チェックデジット")
    expect(page.get_by_label("法人番号")).to_have_value("7010401067252")
    _check(page)
    page.goto(live_server.url + "/directory/new/")
    _check(page)


def test_a_firm_member_edits_its_own_profile(page, live_server, firm, org_member):
    OrganizationMembership.objects.create(organization=firm, user=org_member, role="owner")
    login(page, live_server, org_member.email, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/directory/my/")
    expect(page.get_by_text("職員が確認してから公開されます")).to_be_visible()
    page.get_by_label("事業概要").fill("新しい事業概要")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("自治体の職員が確認してから公開されます")
    _check(page)
