"""GET /api/v1/organizations/?q=…: the search through the API (both engines)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from monozukuri.directory.indexing import organizations_reindex
from monozukuri.directory.models import Organization, OrganizationCapability
from monozukuri.search.tests.conftest import make_organization

pytestmark = pytest.mark.django_db
URL = "/api/v1/organizations/"


@pytest.fixture
def placed(municipalities: Any, taxonomy: Any) -> dict[str, Any]:
    """Three indexed firms with coordinates and municipalities, for filters, facets and distance."""
    with scopes_disabled():
        orgs = {
            "near": make_organization(
                name="株式会社向島研磨", kana="むこうじまけんま", summary="精密な研磨とバフ仕上げ。",
                municipality=municipalities["131075"], latitude=35.7100, longitude=139.8100,
                staff_notes="訪問済み", capabilities=[taxonomy["welding"]]),
            "far": make_organization(
                name="株式会社八王子研磨", kana="はちおうじけんま", summary="研磨加工の専門工場。",
                municipality=municipalities["132012"], latitude=35.6660, longitude=139.3160),
            "other": make_organization(
                name="荒川デザイン合同会社", kana="あらかわでざいん", summary="工業デザイン。",
                municipality=municipalities["131181"], kind="designer", latitude=35.7360,
                longitude=139.7830),
        }
        organizations_reindex([o.pk for o in orgs.values()])
    return orgs


def _get(client: Any, params: Any, **headers: Any) -> Any:
    return client.get(URL, params, **headers)


def test_a_search_answers_count_results_with_score_and_snippet_and_facets(client: Any, labelled: Any) -> None:
    response = _get(client, {"q": "板金"})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "count_capped", "count_estimate", "next", "previous", "results", "facets",
                         "facets_estimated"}
    assert data["count"] == 3
    assert data["count_capped"] is False
    assert data["next"] is None
    assert {r["name"] for r in data["results"]} >= {"株式会社髙橋製作所", "有限会社田中鉄工"}
    first = data["results"][0]
    assert first["score"] > 0
    assert "<mark>" in " ".join(r["snippet"] for r in data["results"])
    assert "distance_km" not in first  # no reference point
    assert {"id", "name", "kana", "kind", "municipality", "capabilities", "summary"} <= set(first)
    kinds = data["facets"]["kind"]
    assert kinds[0] == {"value": "manufacturer", "label": "製造業", "count": 3, "selected": False}
    assert data["facets_estimated"] is False


def test_each_hit_is_the_same_visibility_honouring_object_as_the_list(
    client: Any, placed: Any, sumida_staff: Any
) -> None:
    anonymous = _get(client, {"q": "研磨", "municipality": "131075"}).json()["results"]
    client.force_login(sumida_staff)
    staff = _get(client, {"q": "研磨", "municipality": "131075"}).json()["results"]
    plain = client.get(f"{URL}{placed['near'].pk}/").json()
    assert [r["name"] for r in anonymous] == ["株式会社向島研磨"]
    assert "staff_notes" not in anonymous[0]
    assert staff[0]["staff_notes"] == "訪問済み"
    assert {k: v for k, v in staff[0].items() if k not in ("score", "snippet")} == plain
    assert staff[0]["capabilities"][0]["slug"] == "welding"


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "研磨"}, {"株式会社向島研磨", "株式会社八王子研磨"}),
    ({"q": "研磨", "municipality": "131075"}, {"株式会社向島研磨"}),
    ({"q": "研磨", "municipality": "131075,132012"}, {"株式会社向島研磨", "株式会社八王子研磨"}),
    ({"q": "", "kind": "designer"}, {"荒川デザイン合同会社"}),
    ({"q": "研磨　-八王子"}, {"株式会社向島研磨"}),  # U+3000 separates, -term excludes
    ({"q": "", "capability": "welding"}, {"株式会社向島研磨"}),
    ({"q": "", "near": "35.71,139.81", "km": "10"}, {"株式会社向島研磨", "荒川デザイン合同会社"}),
    ({"q": "", "postcode": "1310031", "km": "5"}, {"株式会社向島研磨", "荒川デザイン合同会社"}),
    ({"q": ""}, {"株式会社向島研磨", "株式会社八王子研磨", "荒川デザイン合同会社"}),  # empty: everything
])
def test_filters_combine_with_the_text(client: Any, placed: Any, params: dict[str, str],
                                       expected: set[str]) -> None:
    data = _get(client, params).json()
    assert {r["name"] for r in data["results"]} == expected
    assert data["count"] == len(expected)


def test_sorting_by_distance_adds_the_distance_of_each_hit(client: Any, placed: Any) -> None:
    data = _get(client, {"q": "", "sort": "distance", "near_org": placed["near"].pk}).json()
    assert [r["name"] for r in data["results"]] == ["株式会社向島研磨", "荒川デザイン合同会社",
                                                   "株式会社八王子研磨"]
    distances = [r["distance_km"] for r in data["results"]]
    assert distances[0] == 0
    assert distances == sorted(distances)
    assert 40 < distances[-1] < 50  # Hachioji


def test_sorting_by_name_follows_the_reading(client: Any, placed: Any) -> None:
    names = [r["name"] for r in _get(client, {"q": "", "sort": "name"}).json()["results"]]
    assert names == ["荒川デザイン合同会社", "株式会社八王子研磨", "株式会社向島研磨"]  # あ, は, む


def test_a_search_pages_with_next_and_previous(client: Any, placed: Any) -> None:
    first = _get(client, {"q": "", "sort": "name", "page_size": 2}).json()
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert "q=" in first["next"]
    second = client.get(first["next"]).json()
    assert [r["name"] for r in second["results"]] == ["株式会社向島研磨"]
    assert second["next"] is None
    assert "page=" not in second["previous"]


def test_a_page_size_past_100_is_lowered_to_100_as_in_the_plain_list(client: Any, placed: Any) -> None:
    assert _get(client, {"q": "", "page_size": "500"}).status_code == 200


@pytest.mark.parametrize(("params", "field", "message", "english"), [
    ({"q": "x", "municipality": "131076"}, "municipality", "チェックデジット", "check digit"),
    ({"q": "x", "kind": "factory"}, "kind", "種別「factory」はありません", "There is no type “factory”"),
    ({"q": "x", "jsic": "E999"}, "jsic", "産業分類「E999」は読み取れません", "E999"),
    ({"q": "x", "capability": "teleportation"}, "capability", "teleportation", "teleportation"),
    ({"q": "x", "status": "sleeping"}, "status", "「sleeping」はありません", "“sleeping” does not exist"),
    ({"q": "x", "sort": "random"}, "sort", "並べ順は", "relevance, distance"),
    ({"q": "x", "sort": "distance"}, "sort", "距離順には基準", "near"),
    ({"q": "x", "km": "5"}, "km", "距離で絞り込むには基準", "near"),
    ({"q": "x", "near": "35.7"}, "near", "緯度,経度", "near"),
    ({"q": "x", "near": "91,139"}, "near", "-90〜90", "-90"),
    ({"q": "x", "near": "nan,inf"}, "near", "nan", "nan"),
    ({"q": "x", "postcode": "0000000"}, "postcode", "郵便番号「0000000」", "0000000"),
    ({"q": "x", "near_org": "abc"}, "near_org", "番号で指定", "near_org"),
    ({"q": "x", "employees": "9"}, "employees", "従業員規模は1〜7", "7"),
    ({"q": "x", "employees_min": "50", "employees_max": "10"}, "employees_max", "上限は下限以上",
     "employees"),
    ({"q": "x", "page": "0"}, "page", "1〜1,000,000", "page"),
    ({"q": "x", "page_size": "ten"}, "page_size", "「ten」", "ten"),
    ({"q": "x", "qq": "1"}, "qq", "この検索条件はありません", "This search filter does not exist"),
    ({"sort": "name", "material": "welding"}, "material", "材料ではありません", "is not a material"),
])
def test_a_bad_search_parameter_is_a_400_naming_it(
    client: Any, placed: Any, params: dict[str, str], field: str, message: str, english: str
) -> None:
    response = _get(client, params)
    assert response.status_code == 400
    data = response.json()
    assert field in data["errors"]
    assert message in " ".join(data["errors"][field])
    assert message in data["detail"]
    assert data["detail"].startswith("入力内容に誤りがあります")
    response = _get(client, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("There are errors in your input")
    assert english in response.json()["detail"]


STRANGE = [
    "\x00", "板金\x00溶接", "x" * 10_000, "板金 " * 3000, '"', '""', '"""', "'", "''",
    "-", "--", "- -", "-板金", "NEAR(", "NEAR(板金 溶接, 2)", "*", "板*", "OR", "AND", "NOT",
    "板金 OR 溶接", "a AND b", ":", "name:板金", "^", "^板金", "(", ")", "()", "{}", "[", "\\",
    "%", "_", "%_%", "🏭", "🏭🔩⚙️", "👨\u200d👩\u200d👧", "\u3000", "\u3000\u3000板金\u3000",
    "'; DROP TABLE directory_organization; --", "1' OR '1'='1", "板金' --", "\" OR 1=1 --",
    "/* */", "||", "&&", "!", "@@", "<>", "<script>alert(1)</script>", "\ufeff", "\u200b",
    "\ufffd", "\U0010ffff", "ｰ", "ー", "ﾞ", "ゝ", "〃", "々", "0", "-0", "1e308", "NULL",
    "null", "None", "\r\n\t", "tsquery & ! | <->", "a:*", "a & b", "!!板金", "板金 <-> 溶接",
    "𠮷野家", "\u0301",
]


@pytest.mark.parametrize("q", STRANGE)
def test_no_query_text_gets_a_500(client: Any, labelled: Any, q: str) -> None:
    response = _get(client, {"q": q})
    assert response.status_code == 200, response.content[:500]
    assert isinstance(response.json()["count"], int)


@pytest.mark.parametrize("query", [
    "q=%ED%A0%80",  # a lone surrogate in UTF-8
    "q=%ED%A0%80%ED%B0%80",
    "q=%FF%FE",
    "q=%00",
    "q=%C0%80",  # overlong NUL
    "q=%25",
    "q=%",
    "q=%E3%81",  # truncated multi-byte sequence
    "q=a&q=b",
    "q",
    "q=&&&",
    "q=%E6%9D%BF%E9%87%91&municipality=%00",
    "q=&kind=%00",
    "q=&capability=%00",
    "q=&certification=%00",
    "q=&jsic=%00",
    "q=&near=%00,%00",
    "q=&postcode=%00",
    "q=&employees=%00",
    "q=&near_org=%00",
    "q=&sort=%00",
    "q=&page=%00",
    f"q=&certification={quote('x' * 5000)}",
    f"q=&capability={quote(','.join(['a'] * 2000))}",
    "q=&municipality=" + ",".join(["131075"] * 500),
    "q=&page=999999",
    "q=&page=99999999999999999999",
    "q=&employees_min=99999999999999999999",
    "q=&km=1e309&near=35,139",
    "%00=1",
    "certification=%00",
    "capability=%00",
    "municipality=%00",
    "kind=%00&status=%00&sme_class=%00&jsic=%00",
    "employees_min=%00",
    "page_size=%00&page=%00",
    "municipality=%ED%A0%80",
])
def test_no_raw_query_string_gets_a_500(client: Any, labelled: Any, query: str) -> None:
    response = client.get(f"{URL}?{query}")
    # 404: the plain list's paginator answers an unreadable page so (as DRF does), never a 500
    assert response.status_code in (200, 400, 404), response.content[:500]
    if response.status_code != 200:
        assert response.json()["detail"]


def _bulk(municipality: Any, n: int, capabilities: list[Any]) -> None:
    orgs = Organization.objects.bulk_create([
        Organization(name=f"株式会社研磨{i:03}", kana=f"けんま{i:03}", summary="研磨とバフ仕上げ。",
                     municipality=municipality) for i in range(n)])
    OrganizationCapability.objects.bulk_create([
        OrganizationCapability(organization=o, capability=c) for o in orgs for c in capabilities])
    organizations_reindex([o.pk for o in orgs])


def _queries(client: Any, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_search_costs_the_same_queries_whatever_the_page_size(
    client: Any, sumida: Any, taxonomy: Any, platform_admin: Any, signed_in: bool,
    django_assert_max_num_queries: Any,
) -> None:
    if signed_in:
        client.force_login(platform_admin)  # reads every group, so every part is serialised
    _bulk(sumida, 100, [taxonomy["welding"]])
    _queries(client, {"q": "研磨", "page_size": 1})  # warm the facet labels
    small = _queries(client, {"q": "研磨", "page_size": 10})
    large = _queries(client, {"q": "研磨", "page_size": 100})
    assert small == large
    # The engine's plan (and PostgreSQL's planner settings around it) varies with the statistics by a few
    # queries; one query per hit or per part would be well past this at 100 hits.
    with django_assert_max_num_queries(45):
        client.get(URL, {"q": "研磨", "page_size": 100, "municipality": "131075", "capability": "welding",
                         "sort": "distance", "postcode": "1310031", "km": "20"})


@pytest.mark.parametrize(("language", "field"), [("ja", "ja"), ("en", "en")])
def test_facet_labels_follow_the_language(placed: Any, language: str, field: str) -> None:
    """Capability and municipality facets read 切削加工 / 墨田区 in Japanese and their English names in
    English (JSIC divisions have Japanese names only)."""
    from django.utils import translation

    from monozukuri.core.models import Municipality
    from monozukuri.directory.indexing import organization_search
    from monozukuri.directory.indexing import search as directory_search
    from monozukuri.directory.models import Capability

    directory_search._LABELS.clear()  # labels another test's database left in this process
    with translation.override(language), scopes_disabled():
        facets = organization_search(user=None, params={"q": ""}).facets
        assert facets["municipality"]
        assert facets["capability"]
        for value in facets["municipality"]:
            municipality = Municipality.objects.get(code=value.value)
            assert value.label == (municipality.name_en if field == "en" else municipality.name)
        for value in facets["capability"]:
            capability = Capability.objects.get(pk=value.value)
            expected = capability.label_en if field == "en" and capability.label_en else capability.label
            assert value.label == expected


def test_a_capability_added_after_the_labels_were_kept_is_labelled_at_once(placed: Any, municipalities: Any
                                                                           ) -> None:
    """Facet labels are kept for a while; a capability staff have just added must still show its name,
    not its id, in the very next search — and a value nobody knows does not reload them on every search."""
    from monozukuri.directory.indexing import organization_search
    from monozukuri.directory.indexing import search as directory_search
    from monozukuri.directory.models import Capability

    directory_search._LABELS.clear()
    with scopes_disabled():
        organization_search(user=None, params={"q": ""})  # the labels are now kept
        new = Capability.objects.create(kind="process", slug="laser-peening", label="レーザーピーニング",
                                        reading="れーざーぴーにんぐ", label_en="Laser peening")
        org = make_organization(name="株式会社新技術", municipality=municipalities["131075"],
                                capabilities=[new])
        organizations_reindex([org.pk])

        facets = organization_search(user=None, params={"q": ""}).facets
        assert {v.value: v.label for v in facets["capability"]}[str(new.pk)] == "レーザーピーニング"

    reads: list[int] = []
    for values in (["999999"], ["999999"], ["999998"], ["999999"], ["999998", "999999"]):
        with CaptureQueriesContext(connection) as queries:
            labels = directory_search._labels(capabilities=values)  # e.g. deleted, still in old records
        assert not set(values) & set(labels[0])
        reads.append(len(queries))
    assert reads == [3, 0, 3, 0, 0]  # each unknown value reloads the labels once, whichever search met it
