"""The API's shared parts: JSON errors, pagination, and GET /api/v1/municipalities/."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from rest_framework import exceptions
from rest_framework.request import Request

from monozukuri.core.api.errors import exception_handler
from monozukuri.core.api.pagination import PageNumberPagination


@pytest.fixture(autouse=True)
def _japanese():
    with translation.override("ja"):
        yield


# Errors


def test_a_field_validation_error_names_the_field_and_keeps_the_details():
    exc = DjangoValidationError({"fiscal_year": ["2030年度（令和12年度）はこの計画の期間の外です。"]})

    response = exception_handler(exc, {})

    assert response is not None
    assert response.status_code == 400
    assert response.data == {
        "detail": "入力内容に誤りがあります: fiscal_year: 2030年度（令和12年度）はこの計画の期間の外です。",
        "errors": {"fiscal_year": ["2030年度（令和12年度）はこの計画の期間の外です。"]},
    }


def test_a_validation_error_without_a_field_reads_as_the_message():
    response = exception_handler(DjangoValidationError("事業が1件もない計画は申請できません。"), {})

    assert response is not None
    assert response.status_code == 400
    assert response.data["detail"] == "入力内容に誤りがあります: 事業が1件もない計画は申請できません。"
    assert response.data["errors"] == {"detail": ["事業が1件もない計画は申請できません。"]}


def test_a_drf_validation_error_gets_the_same_shape():
    response = exception_handler(exceptions.ValidationError({"reason": ["この項目は必須です。"]}), {})

    assert response is not None
    assert response.status_code == 400
    assert response.data["detail"] == "入力内容に誤りがあります: reason: この項目は必須です。"
    assert response.data["errors"] == {"reason": ["この項目は必須です。"]}


@pytest.mark.parametrize(
    ("exc", "status", "detail"),
    [
        (Http404(), 404, "見つかりません。"),
        (PermissionDenied(), 403, "この操作を行う権限がありません。"),
        (exceptions.NotAuthenticated(), 401, "認証情報が含まれていません。"),
    ],
    ids=["not-found", "forbidden", "not-authenticated"],
)
def test_other_errors_answer_with_a_readable_detail(exc, status, detail):
    response = exception_handler(exc, {})

    assert response is not None
    assert response.status_code == status
    assert response.data == {"detail": detail}


def test_an_unexpected_exception_is_left_to_django():
    assert exception_handler(RuntimeError("bug"), {}) is None


# Pagination


def _page(query, items=250):
    paginator = PageNumberPagination()
    request = Request(RequestFactory().get(f"/api/v1/things/{query}"))
    page = paginator.paginate_queryset(list(range(items)), request)
    return dict(paginator.get_paginated_response(page).data)


def test_a_page_answers_count_next_previous_results():
    data = _page("?page=2")

    assert list(data) == ["count", "next", "previous", "results"]
    assert data["count"] == 250
    assert data["results"] == list(range(20, 40))
    assert data["next"].endswith("/api/v1/things/?page=3")
    assert data["previous"].endswith("/api/v1/things/")


@pytest.mark.parametrize(("asked", "given"), [("1", 1), ("100", 100), ("101", 100), ("10000", 100)])
def test_page_size_is_capped_at_100(asked, given):
    assert len(_page(f"?page_size={asked}")["results"]) == given


# GET /api/v1/municipalities/


@pytest.mark.django_db
def test_municipality_list_is_paginated_with_all_63(client, municipalities):
    response = client.get("/api/v1/municipalities/", {"page_size": 100})

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 63
    assert data["next"] is None
    assert data["previous"] is None
    assert len(data["results"]) == 63
    assert data["results"][0] == {"code": "130001", "name": "東京都", "kana": "とうきょうと",
                                  "name_en": "Tokyo Metropolitan Government", "kind": "prefecture"}


@pytest.mark.django_db
def test_municipality_list_pages_by_20(client, municipalities):
    data = client.get("/api/v1/municipalities/").json()

    assert data["count"] == 63
    assert len(data["results"]) == 20
    assert "page=2" in data["next"]


@pytest.mark.django_db
def test_municipality_list_filters_by_kind(client, municipalities):
    data = client.get("/api/v1/municipalities/", {"kind": "ward", "page_size": 100}).json()

    assert data["count"] == 23
    assert {m["kind"] for m in data["results"]} == {"ward"}


@pytest.mark.django_db
def test_one_municipality_by_code(client, municipalities):
    response = client.get("/api/v1/municipalities/131075/")

    assert response.status_code == 200
    assert response.json() == {"code": "131075", "name": "墨田区", "kana": "すみだく",
                               "name_en": "Sumida City", "kind": "ward"}


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["131076", "13107X", "999999", "1", "%E5%A2%A8%E7%94%B0"],
                         ids=["check-digit", "letter", "unknown", "short", "kanji"])
def test_a_bad_municipality_code_is_not_found(client, municipalities, code):
    response = client.get(f"/api/v1/municipalities/{code}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりません。"}


@pytest.mark.django_db
def test_api_errors_in_english_are_json_with_a_detail(client, municipalities):
    response = client.get("/api/v1/municipalities/13107X/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert isinstance(response.json()["detail"], str)


@pytest.mark.parametrize(("query", "key", "message"), [
    ("?page=abc", "page", "「abc」は1〜1,000,000の数で指定してください。"),
    ("?page=0", "page", "「0」は1〜1,000,000の数で指定してください。"),
    ("?page=-1", "page", "「-1」は1〜1,000,000の数で指定してください。"),
    ("?page=1.5", "page", "「1.5」は1〜1,000,000の数で指定してください。"),
    ("?page=1000001", "page", "「1000001」は1〜1,000,000の数で指定してください。"),
    ("?page_size=abc", "page_size", "「abc」は1以上の整数で指定してください。"),
    ("?page_size=0", "page_size", "「0」は1以上の整数で指定してください。"),
])
def test_a_bad_page_or_page_size_is_a_400_naming_it(query, key, message):
    with pytest.raises(exceptions.ValidationError) as refused:
        _page(query)
    assert refused.value.detail == {key: [message]}


@pytest.mark.parametrize(("query", "first"), [("?page=２", 20), ("?page=last", 240), ("?page= 3", 40),
                                              ("?page_size=５", 0)])
def test_a_page_number_is_read_as_a_whole_number_however_it_is_written(query, first):
    assert _page(query)["results"][0] == first


def test_a_page_past_the_last_is_still_not_found():
    with pytest.raises(exceptions.NotFound):
        _page("?page=14")
