"""The directory search page (the directory's list at /directory/), its htmx partial, and the staff
dictionary pages (/directory/dictionary/), at the URLs the project mounts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from monozukuri.core.roles import Role
from monozukuri.search.models import VocabularyEntry

pytestmark = pytest.mark.django_db
SEARCH = "/directory/"
API = "/api/v1/organizations/"


def test_the_pages_are_mounted_where_the_site_links_them() -> None:
    assert reverse("directory:organization-list") == SEARCH
    assert reverse("search:vocabulary-list") == "/directory/dictionary/"
    assert reverse("search:index-rebuild") == "/directory/dictionary/reindex/"
    assert reverse("directory:organization-detail", args=[7]) == "/directory/7/"


def test_search_page_shows_hits_with_marked_snippets_and_an_announced_count(
    client: Any, labelled: Any
) -> None:
    response = client.get(SEARCH, {"q": "板金"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'role="status" aria-live="polite"' in body
    assert "3 件" in body
    assert "<mark>鈑金</mark>" in body
    assert 'role="search"' in body
    assert 'hx-push-url="true"' in body


def test_htmx_request_gets_only_the_results_partial(client: Any, labelled: Any) -> None:
    response = client.get(SEARCH, {"q": "めっき"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'id="search-count"' in body
    assert "3 件" in body


def test_facet_links_keep_the_query_and_chips_remove_one_filter(
    client: Any, sumida: Any, taxonomy: Any
) -> None:
    from django_scopes import scopes_disabled

    from monozukuri.directory.indexing import organizations_reindex
    from monozukuri.search.tests.conftest import make_organization

    with scopes_disabled():
        org = make_organization(name="墨田研磨", summary="研磨", municipality=sumida)
        organizations_reindex([org.pk])
    page = client.get(SEARCH, {"q": "研磨"}).content.decode()
    assert "q=%E7%A0%94%E7%A3%A8&amp;municipality=131075" in page  # add Sumida, keep the text
    page = client.get(
        SEARCH, {"q": "研磨", "municipality": "131075"}
    ).content.decode()
    assert "墨田区" in page
    assert "の条件を外す" in page
    assert 'href="?q=%E7%A0%94%E7%A3%A8"' in page  # the chip's link drops the municipality only


def test_bad_filters_are_reported_and_the_rest_of_the_search_still_runs(client: Any, labelled: Any) -> None:
    response = client.get(SEARCH, {"q": "板金", "kind": "spaceship"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "種別「spaceship」はありません" in body
    assert "3 件" in body


@pytest.mark.parametrize(
    "q", ["", "'\"()*^:", "x" * 5000, "\x00\ufffd%00", "NEAR(a b) OR -", "ー", "\u3000\u3000"]
)
def test_no_query_string_breaks_the_page(client: Any, labelled: Any, q: str) -> None:
    assert client.get(SEARCH, {"q": q}).status_code == 200


def test_the_english_page_is_under_en_with_the_same_search(client: Any, labelled: Any) -> None:
    response = client.get("/en" + SEARCH, {"q": "板金"})
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in body
    assert 'action="/en/directory/"' in body
    assert "<mark>鈑金</mark>" in body
    assert 'lang="ja">株式会社髙橋製作所</a>' in body  # no English name: marked as Japanese


def test_the_typed_search_pushes_a_shareable_url_without_empty_fields(client: Any, labelled: Any) -> None:
    response = client.get(
        SEARCH, {"q": "めっき", "municipality": "", "kind": "", "sort": "relevance", "km": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Push-Url"] == "/directory/?q=%E3%82%81%E3%81%A3%E3%81%8D"


def test_filters_typed_into_the_url_travel_with_the_form(client: Any, labelled: Any) -> None:
    body = client.get(SEARCH, {"q": "板金", "employees_min": "1", "page_size": "50"}).content.decode()
    assert '<input type="hidden" form="search-form" name="employees_min" value="1">' in body
    assert '<input type="hidden" form="search-form" name="page_size" value="50">' in body


def test_the_export_link_carries_the_whole_search(client: Any, labelled: Any) -> None:
    params = {"q": "板金", "kind": "manufacturer", "sort": "name", "page": "1"}
    body = client.get(SEARCH, params).content.decode()
    assert 'href="/directory/export/?q=%E6%9D%BF%E9%87%91&amp;kind=manufacturer&amp;sort=name"' in body


@pytest.mark.parametrize("params", [
    {"q": "ステンレス"},  # a material designation (SUS304) and a variant spelling (鈑金) in the text
    {"q": "めっき", "sort": "name"},
    {"q": "めっき -無電解"},
    {"q": "溶接", "capability": "welding"},
])
def test_the_export_of_a_search_holds_what_the_search_page_shows(
    client: Any, labelled: Any, params: dict[str, str]
) -> None:
    import csv
    import io

    found = client.get("/api/v1/organizations/", {**params, "page_size": "100"}).json()
    shown = sorted(hit["name"] for hit in found["results"])
    assert shown  # the case means something
    response = client.get("/directory/export/", {**params, "format": "csv", "encoding": "utf-8"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert sorted(row["名称"] for row in rows) == shown


def test_the_export_page_of_a_search_says_it_exports_the_search(client: Any, labelled: Any) -> None:
    page = client.get("/directory/export/", {"q": "ステンレス"}).content.decode()
    assert "検索ページと同じ条件" in page
    assert 'name="q" value="ステンレス"' in page
    plain = client.get("/directory/export/", {"municipality": "131075"}).content.decode()
    assert "検索ページと同じ条件" not in plain


def test_staff_see_the_register_button_and_the_public_does_not(client: Any, sumida_staff: Any) -> None:
    assert reverse("directory:organization-create") not in client.get(SEARCH).content.decode()
    client.force_login(sumida_staff)
    assert reverse("directory:organization-create") in client.get(SEARCH).content.decode()


@pytest.mark.parametrize(("role", "linked"), [
    (None, False), (Role.PUBLIC, False), (Role.ORGANIZATION_MEMBER, False), (Role.SUPPORT_PARTNER, False),
    (Role.MUNICIPAL_STAFF, True), (Role.TMG_OFFICER, True), (Role.PLATFORM_ADMIN, True),
])
def test_the_menu_links_the_search_and_the_dictionary_for_those_who_may_edit_it(
    client: Any, make_user: Any, municipalities: Any, role: str | None, linked: bool
) -> None:
    if role is not None:
        office = municipalities["131075"] if role == Role.MUNICIPAL_STAFF else None
        client.force_login(make_user(role, office))
    body = client.get("/").content.decode()
    assert f'href="{SEARCH}"' in body
    assert ('href="/directory/dictionary/"' in body) is linked


def test_map_shows_markers_without_tiles_unless_a_tile_url_is_configured(
    client: Any, labelled: Any, sumida: Any, settings: Any
) -> None:
    settings.SEARCH_MAP_TILE_URL = ""
    body = client.get(SEARCH, {"q": "板金"}).content.decode()
    assert 'data-tile-url=""' in body
    assert 'id="search-markers"' in body
    settings.SEARCH_MAP_TILE_URL = "https://tiles.example.jp/{z}/{x}/{y}.png"
    body = client.get(SEARCH, {"q": "板金"}).content.decode()
    assert 'data-tile-url="https://tiles.example.jp/{z}/{x}/{y}.png"' in body


# --- the dictionary -------------------------------------------------------------------------------------


def test_the_public_cannot_open_the_dictionary(client: Any, public_user: Any) -> None:
    assert client.get(reverse("search:vocabulary-list")).status_code == 302  # to the log-in page
    client.force_login(public_user)
    assert client.get(reverse("search:vocabulary-list")).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPPORT_PARTNER, Role.ORGANIZATION_MEMBER, Role.PUBLIC])
def test_only_staff_may_add_entries_or_reindex(client: Any, make_user: Any, role: str) -> None:
    client.force_login(make_user(role))
    assert (
        client.post(
            reverse("search:vocabulary-list"), {"kind": "variant", "term": "鈑", "target": "板"}
        ).status_code
        == 403
    )
    assert client.post(reverse("search:index-rebuild")).status_code == 403


def test_staff_add_a_synonym_reindex_and_the_next_search_finds_the_new_spelling(
    client: Any, sumida_staff: Any, labelled: Any
) -> None:
    client.force_login(sumida_staff)
    response = client.post(
        reverse("search:vocabulary-list"),
        {"kind": "synonym", "term": "鋳物", "target": "キャスティング", "note": "英語の言い換え"},
    )
    assert response.status_code == 302
    assert (
        "反映するには索引を作り直してください"
        in client.get(reverse("search:vocabulary-list")).content.decode()
    )
    found = client.get(API, {"q": "キャスティング"})
    assert json.loads(found.content)["count"] == 0  # not before the reindex
    assert client.post(reverse("search:index-rebuild")).status_code == 302  # the task runs at once in tests
    found = json.loads(client.get(API, {"q": "キャスティング"}).content)
    assert [r["name"] for r in found["results"]] == ["株式会社川口鋳物"]


def test_a_variant_that_would_make_a_cycle_is_refused_with_a_message(client: Any, sumida_staff: Any) -> None:
    client.force_login(sumida_staff)
    VocabularyEntry.objects.create(kind="variant", term="ａｂｃ", target="xyz", term_key="abc")
    response = client.post(
        reverse("search:vocabulary-list"), {"kind": "variant", "term": "xyz", "target": "abc"}
    )
    assert response.status_code == 200
    assert "辞書に矛盾があります" in response.content.decode()


def test_a_second_variant_for_the_same_spelling_is_refused(client: Any, sumida_staff: Any) -> None:
    client.force_login(sumida_staff)
    response = client.post(
        reverse("search:vocabulary-list"), {"kind": "variant", "term": "ﾒｯｷ", "target": "鍍金"}
    )
    assert (
        "この語の表記ゆれはすでに登録されています" in response.content.decode()
        or "辞書に矛盾があります" in response.content.decode()
    )


def test_staff_edit_and_deactivate_an_entry_and_the_audit_trail_records_it(
    client: Any, sumida_staff: Any
) -> None:
    from monozukuri.core.models import AuditEvent

    client.force_login(sumida_staff)
    entry = VocabularyEntry.objects.get(kind="variant", term="冶具")
    response = client.post(
        reverse("search:vocabulary-edit", args=[entry.pk]),
        {"kind": "variant", "term": "冶具", "target": "治具", "note": "誤記", "active": "on"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.note == "誤記"
    client.post(reverse("search:vocabulary-deactivate", args=[entry.pk]))
    entry.refresh_from_db()
    assert entry.active is False
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"search.vocabulary_entry_update", "search.vocabulary_entry_deactivate"} <= actions
