"""The public directory: the list page (the directory search: text, filters, pagination, bounded queries)
and profile pages. The list is served by the search index: these fixtures index what they create (the
factories write no index rows; the write services do)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monozukuri.directory.indexing import organizations_reindex
from monozukuri.directory.models import (
    Capability,
    Certification,
    IndustryDivision,
    Organization,
    OrganizationCapability,
    OrganizationKind,
    OrganizationStatus,
    SmeClass,
)
from monozukuri.directory.reference_data import industry_divisions_load
from monozukuri.directory.tests.factories import (
    CapabilityFactory,
    CertificationFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
LIST = reverse("directory:organization-list")


@pytest.fixture
def divisions(db):
    industry_divisions_load()
    return {d.code: d for d in IndustryDivision.objects.all()}


@pytest.fixture
def firms(sumida, arakawa, divisions):
    welding = CapabilityFactory(slug="welding", label="溶接", label_en="Welding")
    tig = CapabilityFactory(slug="tig-welding", label="TIG溶接", parent=welding)
    machining = CapabilityFactory(slug="machining", label="切削加工")
    yamada = OrganizationFactory(name="株式会社山田製作所", kana="やまだせいさくしょ", municipality=sumida,
                                 industry=divisions["24"], employees=25, sme_class=SmeClass.SME,
                                 summary="精密板金と溶接の町工場。" * 20)
    OrganizationCapability.objects.create(organization=yamada, capability=tig)
    CertificationFactory(organization=yamada, name="ISO 9001", expires_on=datetime.date(2099, 1, 1))
    kawa = OrganizationFactory(name="荒川デザイン合同会社", kana="あらかわでざいん", municipality=arakawa,
                               kind=OrganizationKind.DESIGNER, industry=divisions["73"], employees=3,
                               sme_class=SmeClass.SMALL, postcode="1160002", city="荒川区", town="荒川")
    OrganizationCapability.objects.create(organization=kawa, capability=machining)
    CertificationFactory(organization=kawa, name="ISO 9001", expires_on=datetime.date(2001, 1, 1))
    closed = OrganizationFactory(name="株式会社閉鎖工業", kana="へいさこうぎょう", municipality=sumida,
                                 status=OrganizationStatus.CLOSED, industry=divisions["09"])
    organizations_reindex([yamada.pk, kawa.pk, closed.pk])
    return {"yamada": yamada, "kawa": kawa, "closed": closed, "welding": welding, "machining": machining}


def _names(response):
    return [hit.organization.name for hit in response.context["result"].hits]


def test_the_list_shows_a_card_with_name_kind_place_industry_capabilities_and_an_excerpt(client, firms):
    response = client.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "株式会社山田製作所" in html
    assert "製造業" in html
    assert "墨田区" in html
    assert "金属製品製造業" in html
    assert "TIG溶接" in html
    assert "精密板金と溶接の町工場。" in html
    assert "精密板金と溶接の町工場。" * 20 not in html  # an excerpt, not the whole text
    assert 'role="search"' in html


@pytest.mark.parametrize(("q", "expected"), [
    ("山田", ["株式会社山田製作所"]),
    ("ヤマダ", ["株式会社山田製作所"]),  # the reading typed in katakana
    ("やまだ", ["株式会社山田製作所"]),
    ("(株)山田製作所", ["株式会社山田製作所"]),  # the company form written short
    ("ＤＥＳＩＧＮ", []),
    ("デザイン", ["荒川デザイン合同会社"]),
    ("山田 荒川", []),  # every word must match
])
def test_the_text_search_matches_name_and_reading(client, firms, q, expected):
    assert _names(client.get(LIST, {"q": q})) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"municipality": "131075"}, ["株式会社山田製作所", "株式会社閉鎖工業"]),
    ({"municipality": "13107"}, ["株式会社山田製作所", "株式会社閉鎖工業"]),  # without its check digit
    ({"kind": "designer"}, ["荒川デザイン合同会社"]),
    ({"jsic": "E"}, ["株式会社山田製作所", "株式会社閉鎖工業"]),
    ({"jsic": "24"}, ["株式会社山田製作所"]),
    ({"jsic": "E09"}, ["株式会社閉鎖工業"]),
    ({"capability": "welding"}, ["株式会社山田製作所"]),  # TIG welding sits under welding
    ({"capability": "tig-welding"}, ["株式会社山田製作所"]),
    ({"capability": "welding,machining"}, []),
    ({"employees_min": "10"}, ["株式会社山田製作所"]),
    ({"employees_max": "10"}, ["荒川デザイン合同会社"]),
    ({"employees_min": "１", "employees_max": "30"}, ["荒川デザイン合同会社", "株式会社山田製作所"]),
    ({"sme_class": "small"}, ["荒川デザイン合同会社"]),
    ({"certification": "iso 9001"}, ["株式会社山田製作所"]),  # the lapsed one does not count
    ({"status": "closed"}, ["株式会社閉鎖工業"]),
])
def test_each_filter_narrows_the_list(client, firms, params, expected):
    assert sorted(_names(client.get(LIST, params))) == sorted(expected)


def test_a_capability_filter_takes_an_id_as_well_as_a_slug(client, firms):
    assert _names(client.get(LIST, {"capability": firms["machining"].pk})) == ["荒川デザイン合同会社"]


def test_a_bad_filter_value_is_explained_and_the_rest_of_the_search_still_runs(client, firms):
    response = client.get(LIST, {"municipality": "131076", "kind": "designer"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "チェックデジット" in html
    assert _names(response) == ["荒川デザイン合同会社"]


def test_merged_records_are_not_listed_and_their_page_leads_to_the_survivor(client, firms):
    dup = OrganizationFactory(name="株式会社山田製作所（重複）", merged_into=firms["yamada"])
    organizations_reindex([dup.pk])
    assert "株式会社山田製作所（重複）" not in _names(client.get(LIST))
    response = client.get(reverse("directory:organization-detail", args=[dup.pk]))
    assert response.status_code == 301
    assert response["Location"] == firms["yamada"].get_absolute_url()


def test_a_profile_that_does_not_exist_is_404(client, db):
    assert client.get(reverse("directory:organization-detail", args=[999999])).status_code == 404


def test_a_profile_is_found_by_its_corporate_number(client, sumida):
    org = OrganizationFactory(municipality=sumida, corporate_number="1180301018771")
    response = client.get(reverse("directory:organization-by-number", args=["1180301018771"]))
    assert response["Location"] == org.get_absolute_url()


def test_the_filters_stay_in_the_url_of_every_page(client, sumida):
    organizations_reindex([o.pk for o in OrganizationFactory.create_batch(
        25, municipality=sumida, kind=OrganizationKind.STARTUP)])
    response = client.get(LIST, {"kind": "startup", "page_size": 10})
    html = response.content.decode()
    assert response.context["result"].pages == 3
    assert "1 / 3 ページ" in html
    assert 'href="?kind=startup&amp;page_size=10&amp;page=2"' in html
    second = client.get(LIST, {"kind": "startup", "page_size": 10, "page": 2})
    assert len(second.context["result"].hits) == 10
    assert 'href="?kind=startup&amp;page_size=10" hx-get' in second.content.decode()  # back to page 1


def test_the_page_size_is_at_most_100(client, db):
    assert client.get(LIST, {"page_size": 1000}).context["params"].page_size == 100


def test_the_profile_shows_the_sme_class_with_the_rule_that_decided_it(client, firms):
    org = firms["yamada"]
    org.sme_rule = "製造業・建設業・運輸業その他: 従業員300人以下のため中小企業者"
    org.save()
    html = client.get(org.get_absolute_url()).content.decode()
    assert "中小企業者" in html
    assert "従業員300人以下のため中小企業者" in html


def test_the_english_page_uses_english_names_where_they_exist(client, firms):
    firms["yamada"].name_en = "Yamada Works Co., Ltd."
    firms["yamada"].save()
    html = client.get("/en" + LIST).content.decode()
    assert "Yamada Works Co., Ltd." in html
    assert "TIG溶接" in html  # no English label for TIG welding: kept in Japanese
    assert 'lang="ja">荒川デザイン合同会社</a>' in html  # marked as Japanese for screen readers


def _many(municipality, n, *, capabilities, certifications):
    caps = [CapabilityFactory() for _ in range(capabilities)]
    orgs = Organization.objects.bulk_create([
        Organization(name=f"株式会社大量{i:03}", kana=f"たいりょう{i:03}", name_normalized=f"大量{i:03}",
                     municipality=municipality) for i in range(n)])
    OrganizationCapability.objects.bulk_create([
        OrganizationCapability(organization=o, capability=c) for o in orgs for c in caps])
    Certification.objects.bulk_create([
        Certification(organization=o, name=f"ISO {9000 + j}") for o in orgs for j in range(certifications)])
    organizations_reindex([o.pk for o in orgs])
    return orgs


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_page_costs_the_same_queries_whatever_the_page_size(client, sumida, sumida_staff, signed_in,
                                                                      django_assert_max_num_queries):
    if signed_in:
        client.force_login(sumida_staff)
    _many(sumida, 100, capabilities=2, certifications=1)
    _count_queries(client, LIST, {"page_size": 1})  # warm the facet labels (kept for a few seconds)
    small = _count_queries(client, LIST, {"page_size": 10})
    large = _count_queries(client, LIST, {"page_size": 100})
    Capability.objects.bulk_create([Capability(kind="process", slug=f"more-{i}", label=f"追加{i}")
                                    for i in range(5)])
    OrganizationCapability.objects.bulk_create([
        OrganizationCapability(organization=o, capability=c)
        for o in Organization.objects.all() for c in Capability.objects.filter(slug__startswith="more-")])
    organizations_reindex(list(Organization.objects.values_list("pk", flat=True)))
    _count_queries(client, LIST, {"page_size": 1})  # the new capabilities' labels, read once
    more_parts = _count_queries(client, LIST, {"page_size": 100, "capability": "more-1"})
    assert small == large
    assert more_parts <= large + 2  # the capability filter looks the capability up once
    with django_assert_max_num_queries(40):  # see test_api_search: the plan varies by a few
        client.get(LIST, {"q": "大量", "page_size": 100, "employees_min": 1, "certification": "ISO 9000",
                          "jsic": "E", "sort": "distance", "postcode": "1310031", "km": "20"})
