"""Freshness and duplicates in a real browser: a firm confirms through its link; staff merge a pair.

axe-core and the page structure are checked on every page of these journeys.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from monozukuri.accounts.tests.factories import DEFAULT_PASSWORD
from monozukuri.directory.models import DuplicateFlag, Organization
from monozukuri.directory.services import duplicates, freshness
from monozukuri.directory.tests.factories import NormalizedOrganizationFactory, ProfileChangeFactory
from monozukuri.testing.browser import assert_accessible, assert_page_structure, login

pytestmark = pytest.mark.browser
LINK_RE = re.compile(r"https?://\S+?(/directory/confirm/[^/\s]+/)")


def _check(page: Page) -> None:
    __tracebackhide__ = True
    assert_page_structure(page)
    assert_accessible(page)


def test_a_firm_confirms_its_profile_through_the_link(page, live_server, sumida, sumida_staff):
    firm = NormalizedOrganizationFactory(municipality=sumida, name="株式会社隅田精工",
                                         email="info@seiko.example.jp")
    freshness.confirmation_request_send(actor=sumida_staff, org=firm)
    path = LINK_RE.search(mail.outbox[-1].body).group(1)

    page.goto(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("株式会社隅田精工 の掲載内容の確認")
    _check(page)
    page.get_by_role("button", name="変更なし（この内容で正しい）").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ご回答ありがとうございました")
    expect(page.get_by_role("status")).to_contain_text("掲載内容に変更がないことを確認しました")
    _check(page)
    firm.refresh_from_db()
    assert firm.last_confirmed_on == timezone.localdate()

    page.goto(live_server.url + path[:-2] + "x/")
    expect(page.get_by_role("alert")).to_contain_text("この確認用リンクは正しくありません")
    _check(page)


def test_a_firm_corrects_its_summary_and_staff_approve_it(page, live_server, sumida, sumida_staff):
    firm = NormalizedOrganizationFactory(municipality=sumida, name="株式会社隅田精工",
                                         email="info@seiko.example.jp", summary="板金加工の町工場です。")
    freshness.confirmation_request_send(actor=sumida_staff, org=firm)
    path = LINK_RE.search(mail.outbox[-1].body).group(1)

    page.goto(live_server.url + path)
    page.get_by_label("事業概要").fill("精密板金と溶接の町工場です。")
    page.get_by_role("button", name="修正して送る").click()
    expect(page.get_by_role("status")).to_contain_text("職員が確認した後に公開されます")

    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)
    page.goto(live_server.url + "/directory/changes/")
    _check(page)
    page.get_by_role("link", name="株式会社隅田精工").click()
    expect(page.get_by_role("table", name="変更内容")).to_contain_text("精密板金と溶接の町工場です。")
    _check(page)
    page.get_by_role("button", name="承認して公開する").click()
    expect(page.get_by_role("status")).to_contain_text("の変更を公開しました")
    firm.refresh_from_db()
    assert firm.summary == "精密板金と溶接の町工場です。"


def test_staff_see_stale_records_and_merge_a_duplicate(page, live_server, sumida, sumida_staff):
    first = NormalizedOrganizationFactory(municipality=sumida, name="株式会社山田製作所", website="")
    second = NormalizedOrganizationFactory(municipality=sumida, name="(株)山田製作所",
                                           website="https://yamada.example.jp/")
    duplicates.duplicates_flag_for(second)
    ProfileChangeFactory(organization=first)
    login(page, live_server, sumida_staff.email, DEFAULT_PASSWORD)

    page.goto(live_server.url + "/directory/freshness/")
    expect(page.get_by_role("table", name="墨田区")).to_contain_text("株式会社山田製作所")
    _check(page)
    page.get_by_role("link", name=re.compile(r"確認依頼を送る\s*（株式会社山田製作所）")).click()
    _check(page)

    page.goto(live_server.url + "/directory/duplicates/")
    _check(page)
    page.get_by_role("link", name=re.compile("比べて統合")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("重複の候補を統合する")
    _check(page)
    page.get_by_role("group", name="ウェブサイト: 残す値").get_by_label(re.compile("記録B")).check()
    page.get_by_role("button", name="統合する").click()
    expect(page.get_by_role("status")).to_contain_text("に統合しました")
    _check(page)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.merged_into == first
    assert first.website == "https://yamada.example.jp/"
    with scopes_disabled():
        assert DuplicateFlag.objects.get().status == "merged"

    page.goto(live_server.url + "/directory/settings/")
    _check(page)
    assert Organization.objects.filter(merged_into__isnull=True).count() == 1
