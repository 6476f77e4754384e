"""Reading a directory search from query parameters: every bad filter named, the text never an error."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from monozukuri.directory.indexing import organization_search_params
from monozukuri.search.geo import municipality_centroid

pytestmark = pytest.mark.django_db


def errors_of(raw: dict[str, Any] | QueryDict) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        organization_search_params(raw)
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"municipality": "999999"}, "municipality", ""),
        ({"municipality": "131076"}, "municipality", ""),  # a wrong check digit
        ({"kind": "spaceship"}, "kind", "種別「spaceship」はありません"),
        ({"jsic": "Z9"}, "jsic", "産業分類「Z9」は読み取れません"),
        ({"capability": "no-such-thing"}, "capability", "登録されていません"),
        ({"material": "welding"}, "material", "材料ではありません"),
        ({"employees": "9"}, "employees", "1〜7の区分"),
        ({"employees_min": "many"}, "employees_min", "数で指定してください"),
        ({"employees_min": "50", "employees_max": "10"}, "employees_max", "上限は下限以上"),
        ({"sme_class": "huge"}, "sme_class", "はありません"),
        ({"km": "5"}, "km", "基準（near、postcode、near_org"),
        ({"near": "35.7", "km": "5"}, "near", "緯度,経度"),
        ({"near": "135,35", "km": "5"}, "near", "-90〜90"),
        ({"postcode": "0000000"}, "postcode", "場所がわかりません"),
        ({"near_org": "abc"}, "near_org", "番号で指定"),
        ({"sort": "random"}, "sort", "並べ順は"),
        ({"sort": "distance"}, "sort", "距離順には基準"),
        ({"page_size": "1000"}, "page_size", "1〜100"),
        ({"page": "0"}, "page", "1〜"),
    ],
)
def test_bad_filters_are_named_with_a_readable_message(
    municipalities: Any, taxonomy: Any, raw: dict[str, str], field: str, message: str
) -> None:
    errors = errors_of(raw)
    assert field in errors
    assert message in " ".join(errors[field])


def test_every_bad_filter_is_reported_at_once(municipalities: Any, taxonomy: Any) -> None:
    assert set(errors_of({"kind": "x", "sort": "y", "page": "-1"})) == {"kind", "sort", "page"}


def test_filters_become_index_terms(municipalities: Any, taxonomy: Any) -> None:
    raw = QueryDict(
        "q=板金&municipality=131075,131181&kind=manufacturer&jsic=E24&capability=welding"
        "&certification=ISO%209001&employees=3&employees=4&sme_class=small&status=active"
    )
    params = organization_search_params(raw)
    weld = taxonomy["welding"].pk
    assert params.q == "板金"
    assert params.groups[0] == ("m131075", "m131181")
    assert ("k0manufacturer",) in params.groups
    assert ("j24",) in params.groups
    assert (f"c{weld}",) in params.groups
    assert ("e3", "e4") in params.groups
    assert ("s0small",) in params.groups
    assert ("t0active",) in params.groups
    assert ("municipality", "131181") in params.selected


def test_distance_references(municipalities: Any) -> None:
    sumida = municipality_centroid("131075")
    params = organization_search_params({"postcode": "1310031", "km": "2"})
    assert params.center == sumida
    assert params.where.radius_km == 2
    assert params.where.center == sumida
    assert organization_search_params({"near": "35.7,139.8"}).where.radius_km is None


@pytest.mark.parametrize("q", ["", "\x00", "a" * 10_000, "\ud83d", '"""', "-"])
def test_the_text_is_never_an_error(db: Any, q: str) -> None:
    assert organization_search_params({"q": q}).q == q[:2000]


