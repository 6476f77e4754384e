"""GET /api/v1/organizations/ and /api/v1/organizations/{id or 法人番号}/."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monozukuri.accounts.services import api_token_issue
from monozukuri.directory.indexing import organizations_reindex
from monozukuri.directory.models import (
    Certification,
    Contact,
    Equipment,
    IndustryDivision,
    Organization,
    OrganizationCapability,
    OrganizationKind,
)
from monozukuri.directory.reference_data import industry_divisions_load
from monozukuri.directory.tests.factories import (
    CapabilityFactory,
    CertificationFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizations/"


@pytest.fixture
def firms(sumida, arakawa):
    industry_divisions_load()
    metal = IndustryDivision.objects.get(code="24")
    yamada = OrganizationFactory(name="株式会社山田製作所", kana="やまだ", municipality=sumida,
                                 industry=metal, corporate_number="1180301018771", employees=25)
    OrganizationCapability.objects.create(organization=yamada, capability=CapabilityFactory(slug="welding"))
    CertificationFactory(organization=yamada, name="ISO 14001")
    kawa = OrganizationFactory(name="荒川デザイン", kana="あらかわ", municipality=arakawa,
                               kind=OrganizationKind.DESIGNER, employees=3)
    # The factories write no index rows; with q the list is served by the search index.
    organizations_reindex([yamada.pk, kawa.pk])
    return {"yamada": yamada, "kawa": kawa}


def test_the_list_is_paginated_with_count_next_previous_results(client, sumida):
    OrganizationFactory.create_batch(5, municipality=sumida)
    data = client.get(URL, {"page_size": 2}).json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 5
    assert len(data["results"]) == 2
    assert "page=2" in data["next"]
    assert data["previous"] is None


def test_the_page_size_is_at_most_100(client, sumida):
    Organization.objects.bulk_create([Organization(name=f"会社{i}", municipality=sumida) for i in range(105)])
    assert len(client.get(URL, {"page_size": 500}).json()["results"]) == 100


@pytest.mark.parametrize(("params", "expected"), [
    ({"municipality": "131075"}, {"株式会社山田製作所"}),
    ({"kind": "designer"}, {"荒川デザイン"}),
    ({"jsic": "E"}, {"株式会社山田製作所"}),
    ({"jsic": "24"}, {"株式会社山田製作所"}),
    ({"capability": "welding"}, {"株式会社山田製作所"}),
    ({"employees_min": "10"}, {"株式会社山田製作所"}),
    ({"employees_max": "10"}, {"荒川デザイン"}),
    ({"certification": "14001"}, {"株式会社山田製作所"}),
    ({"q": "デザイン"}, {"荒川デザイン"}),
    ({"q": "", "municipality": "131075"}, {"株式会社山田製作所"}),
    ({"q": "製作所", "kind": "manufacturer", "jsic": "24", "capability": "welding"}, {"株式会社山田製作所"}),
    ({"q": "", "certification": "ISO 14001", "employees_min": "10"}, {"株式会社山田製作所"}),
])
def test_each_filter_is_a_query_parameter_with_and_without_text(client, firms, params, expected):
    assert {o["name"] for o in client.get(URL, params).json()["results"]} == expected


@pytest.mark.parametrize(("params", "field", "message"), [
    ({"municipality": "131076"}, "municipality", "チェックデジット"),
    ({"municipality": "999999"}, "municipality", "都道府県コード"),
    ({"kind": "factory"}, "kind", "種別「factory」はありません"),
    ({"jsic": "E999"}, "jsic", "産業分類「E999」は読み取れません"),
    ({"jsic": "00"}, "jsic", "産業分類「00」は読み取れません"),
    ({"jsic": "A24"}, "jsic", "産業分類「A24」は読み取れません"),  # 24 is manufacturing (E)
    ({"capability": "teleportation"}, "capability", "teleportation"),
    ({"employees_min": "many"}, "employees_min", "人数として読み取れません"),
    ({"employees_min": "-1"}, "employees_min", "人数として読み取れません"),
    ({"employees_min": "50", "employees_max": "10"}, "employees_max", "上限は下限以上"),
    ({"sme_class": "huge"}, "sme_class", "企業規模「huge」はありません"),
    ({"status": "sleeping"}, "status", "状態「sleeping」はありません"),
    ({"municipalty": "131075"}, "municipalty", "この検索条件はありません"),
])
def test_a_bad_filter_value_is_a_400_with_a_message_naming_it(client, firms, params, field, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    data = response.json()
    assert message in " ".join(data["errors"][field])
    assert message in data["detail"]


def test_one_organisation_by_record_id_or_corporate_number(client, firms):
    yamada = firms["yamada"]
    by_id = client.get(f"{URL}{yamada.pk}/").json()
    by_number = client.get(f"{URL}1180301018771/").json()
    assert by_id == by_number
    assert by_id["id"] == yamada.pk
    assert by_id["municipality"] == {"code": "131075", "name": "墨田区", "name_en": "Sumida City"}
    assert by_id["industry"]["code"] == "24"
    assert by_id["industry"]["major_code"] == "E"
    assert by_id["capabilities"][0]["slug"] == "welding"


def test_a_record_that_does_not_exist_is_a_readable_404(client, db):
    for key in ("999999", "8000020130001", "not-a-number"):
        response = client.get(f"{URL}{key}/")
        assert response.status_code == 404
        if key != "not-a-number":
            assert response.json() == {"detail": "見つかりません。"}


def test_a_merged_record_answers_with_the_survivor(client, firms):
    dup = OrganizationFactory(merged_into=firms["yamada"])
    assert client.get(f"{URL}{dup.pk}/").json()["id"] == firms["yamada"].pk
    assert dup.pk not in [o["id"] for o in client.get(URL).json()["results"]]


def test_a_personal_token_reads_with_its_owners_role(client, firms, sumida_staff):
    _token, raw = api_token_issue(actor=sumida_staff, user=sumida_staff, name="集計")
    anonymous = client.get(f"{URL}{firms['yamada'].pk}/").json()
    staff = client.get(f"{URL}{firms['yamada'].pk}/", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert "staff_notes" not in anonymous
    assert "staff_notes" in staff


def _populate(municipality, n, parts):
    orgs = Organization.objects.bulk_create([
        Organization(name=f"株式会社大量{i:03}", municipality=municipality) for i in range(n)])
    caps = [CapabilityFactory() for _ in range(parts)]
    OrganizationCapability.objects.bulk_create([
        OrganizationCapability(organization=o, capability=c) for o in orgs for c in caps])
    Certification.objects.bulk_create([Certification(organization=o, name=f"ISO {j}")
                                       for o in orgs for j in range(parts)])
    Equipment.objects.bulk_create([Equipment(organization=o, name=f"機械{j}")
                                   for o in orgs for j in range(parts)])
    Contact.objects.bulk_create([Contact(organization=o, name=f"担当{j}")
                                 for o in orgs for j in range(parts)])


def _queries(client, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_costs_the_same_queries_whatever_the_page_size_or_the_parts(
        client, sumida, platform_admin, signed_in, django_assert_max_num_queries):
    if signed_in:
        client.force_login(platform_admin)  # reads every group, so every part is serialised
    _populate(sumida, 100, parts=1)
    small = _queries(client, {"page_size": 10})
    large = _queries(client, {"page_size": 100})
    _populate(sumida, 20, parts=4)
    more_parts = _queries(client, {"page_size": 100})
    assert small == large == more_parts
    with django_assert_max_num_queries(20):
        client.get(URL, {"page_size": 100, "certification": "ISO", "employees_min": 0, "capability": "x"})
