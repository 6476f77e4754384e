"""Keeping the index in step with the directory: same transaction, deletes, merges, rebuilds, visibility."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from monozukuri.directory.indexing import organization_search, organizations_reindex
from monozukuri.search.backends import get_backend
from monozukuri.search.backends.base import Match, Where
from monozukuri.search.models import SearchDocument, SearchIndexState, SearchPending, VocabularyEntry
from monozukuri.search.query import parse_query
from monozukuri.search.rebuild import index_rebuild
from monozukuri.search.tests.conftest import make_organization

pytestmark = pytest.mark.django_db


def found(q: str, **params: Any) -> set[int]:
    result = organization_search(user=None, params={"q": q, "page_size": "100", **params})
    return {hit.organization.pk for hit in result.hits}


def count(q: str) -> int:
    return get_backend().count(Match(parse_query(q).required), Where(), cap=None)


@pytest.fixture
def org(taxonomy: Any) -> Any:
    with scopes_disabled():
        org = make_organization(
            name="株式会社隅田川精工", kana="すみだがわせいこう", summary="精密板金加工と溶接。"
        )
        organizations_reindex([org.pk])
    return org


def test_reindex_makes_an_organisation_findable_by_its_text(org: Any) -> None:
    assert found("板金") == {org.pk}
    assert found("すみだがわ") == {org.pk}


def test_a_changed_summary_is_found_by_its_new_words_and_not_by_the_old(org: Any) -> None:
    org.summary = "アルマイト処理の専門工場。"
    org.save()
    organizations_reindex([org.pk])
    assert found("アルマイト") == {org.pk}
    assert found("板金") == set()
    assert count("板金") == 0  # the old tokens left the full-text index too


def _write_then_fail(org: Any) -> None:
    with transaction.atomic():
        org.summary = "鍛造のみ"
        org.save()
        organizations_reindex([org.pk])
        assert found("鍛造") == {org.pk}
        raise RuntimeError("the caller's write fails")


def test_reindex_in_a_rolled_back_transaction_leaves_the_index_as_it_was(org: Any) -> None:
    with pytest.raises(RuntimeError, match="write fails"):
        _write_then_fail(org)
    assert found("鍛造") == set()
    assert found("板金") == {org.pk}


def test_a_deleted_organisation_leaves_the_index_when_its_id_is_reindexed(org: Any) -> None:
    pk = org.pk
    org.delete()
    organizations_reindex([pk])
    assert found("板金") == set()
    assert not SearchDocument.objects.filter(object_id=pk).exists()


def test_a_merged_organisation_is_not_searchable(org: Any, taxonomy: Any) -> None:
    with scopes_disabled():
        other = make_organization(name="隅田川精工", summary="板金")
        other.merged_into = org
        other.save()
        organizations_reindex([other.pk])
    assert found("板金") == {org.pk}


def test_reindexing_an_unchanged_organisation_writes_nothing(org: Any, django_assert_max_num_queries) -> None:
    before = SearchDocument.objects.get(object_id=org.pk).doc_key
    organizations_reindex([org.pk])
    assert SearchDocument.objects.get(object_id=org.pk).doc_key == before


def test_a_confirmation_moves_the_document_up_the_static_rank(org: Any) -> None:
    old_key = SearchDocument.objects.get(object_id=org.pk).doc_key
    org.last_confirmed_on = datetime.date.today()
    org.save()
    organizations_reindex([org.pk])
    new_key = SearchDocument.objects.get(object_id=org.pk).doc_key
    assert new_key > old_key
    assert found("板金") == {org.pk}
    assert count("板金") == 1


def test_staff_only_fields_are_never_indexed(taxonomy: Any) -> None:
    with scopes_disabled():
        org = make_organization(
            name="株式会社秘密",
            summary="機械加工。",
            staff_notes="極秘の溶射計画",
            phone="03-1234-5678",
            email="secret@example.jp",
            representative="山本太郎",
        )
        organizations_reindex([org.pk])
    assert found("極秘") == found("溶射") == found("山本太郎") == found("1234") == set()


def test_a_size_group_narrowed_to_staff_gives_no_employee_facet_or_filter(taxonomy: Any) -> None:
    with scopes_disabled():
        open_org = make_organization(name="公開工業", summary="切削", employees=12, sme_class="small")
        hidden = make_organization(
            name="非公開工業", summary="切削", employees=12, sme_class="small", visibility={"size": "staff"}
        )
        organizations_reindex([open_org.pk, hidden.pk])
    assert found("切削", employees="3") == {open_org.pk}
    assert found("切削", employees_min="10") == {open_org.pk}
    assert found("切削", sme_class="small") == {open_org.pk}
    assert found("切削") == {open_org.pk, hidden.pk}


def test_coordinates_narrowed_to_staff_are_replaced_by_the_municipality_centroid(
    sumida: Any, taxonomy: Any
) -> None:
    with scopes_disabled():
        org = make_organization(
            name="座標工業",
            summary="研磨",
            municipality=sumida,
            latitude=35.0,
            longitude=139.0,
            visibility={"address": "staff"},
        )
        organizations_reindex([org.pk])
    doc = SearchDocument.objects.get(object_id=org.pk)
    assert doc.latitude is not None
    assert doc.longitude is not None
    assert (round(doc.latitude, 4), round(doc.longitude, 4)) == (35.7107, 139.8015)


def test_full_rebuild_uses_the_staff_dictionary_and_records_it(org: Any, admin_user: Any) -> None:
    VocabularyEntry.objects.create(kind="synonym", term="板金", target="シートメタルワーク", term_key="板金")
    assert found("シートメタルワーク") == set()  # edits take effect on reindex
    with scopes_disabled():
        report = index_rebuild()
    assert report.documents == 1
    assert found("シートメタルワーク") == {org.pk}
    state = SearchIndexState.objects.get(pk=1)
    assert ["synonym", "板金", "シートメタルワーク"] in state.vocabulary
    assert state.rebuild_started_at is None
    assert state.documents == 1


def test_full_rebuild_keeps_writes_made_while_it_ran(org: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from monozukuri.search import rebuild

    with scopes_disabled():
        late = make_organization(name="後から工業", summary="鋳造。")
    original = rebuild._documents

    def documents_then_a_write(*args: Any, **kwargs: Any):
        yield from original(*args, **kwargs)
        late.summary = "鍛造に変わりました。"
        late.save()
        with scopes_disabled():
            organizations_reindex([late.pk])  # logged as pending: the rebuild replays it
        assert SearchPending.objects.filter(object_id=late.pk).exists()

    monkeypatch.setattr(rebuild, "_documents", documents_then_a_write)
    with scopes_disabled():
        report = index_rebuild()
    assert report.replayed >= 1
    assert found("鍛造") == {late.pk}
    assert found("鋳造") == set()
    assert not SearchPending.objects.exists()


def test_a_failed_rebuild_leaves_the_live_index_and_says_why(
    org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monozukuri.search import rebuild

    def broken(*args: Any, **kwargs: Any):
        raise ValueError("disk full")
        yield

    monkeypatch.setattr(rebuild, "_documents", broken)
    with pytest.raises(ValueError, match="disk full"), scopes_disabled():
        index_rebuild()
    assert found("板金") == {org.pk}
    state = SearchIndexState.objects.get(pk=1)
    assert "disk full" in state.rebuild_error
    assert state.rebuild_started_at is None


def test_municipality_rebuild_reindexes_its_records_and_drops_those_that_moved(
    sumida: Any, arakawa: Any, taxonomy: Any
) -> None:
    with scopes_disabled():
        stays = make_organization(name="墨田研磨", summary="研磨", municipality=sumida)
        moves = make_organization(name="移転研磨", summary="研磨", municipality=sumida)
        organizations_reindex([stays.pk, moves.pk])
        moves.municipality = arakawa
        moves.save()
        stays.summary = "研磨とバフ"
        stays.save()
        report = index_rebuild(municipality=sumida.code)
    assert report.documents == 1
    assert found("バフ") == {stays.pk}
    assert found("研磨", municipality=sumida.code) == {stays.pk}
    assert found("研磨", municipality=arakawa.code) == {moves.pk}


def test_rebuild_search_index_command_prints_progress_and_a_summary(org: Any, capsys: Any) -> None:
    from django.core.management import call_command

    call_command("rebuild_search_index", "--jobs", "1")
    captured = capsys.readouterr()
    assert "1/1" in captured.err
    assert "100.0%" in captured.err
    assert "search index: 1 documents" in captured.out


def test_rebuild_search_index_refuses_a_bad_municipality_code(db: Any) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("rebuild_search_index", "--municipality", "12345x")
