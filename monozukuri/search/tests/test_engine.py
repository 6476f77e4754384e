"""The query engine on the database: exact sets against a reference matcher, caps, estimates, sorts,
distance, and inputs that must never fail."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django_scopes import scopes_disabled

from monozukuri.directory.indexing import organization_search, organizations_reindex
from monozukuri.search import engine
from monozukuri.search.backends import get_backend
from monozukuri.search.documents import SAMPLE_LEVELS
from monozukuri.search.engine import SearchRequest, search
from monozukuri.search.models import SearchDocument
from monozukuri.search.query import parse_query
from monozukuri.search.services import index_vocabulary
from monozukuri.search.tests.conftest import make_organization
from monozukuri.search.tests.test_analysis import phrase_in

pytestmark = pytest.mark.django_db

FRAGMENTS = [
    "精密板金加工",
    "溶接",
    "研磨",
    "鋳造",
    "鋳物",
    "金型",
    "射出成形",
    "試作品",
    "アルミ",
    "アルミニウム",
    "ステンレス",
    "SUS304",
    "めっき",
    "メッキ",
    "鈑金",
    "5軸",
    "15軸",
    "鉄工所",
    "鉄",
    "プレス",
    "ﾌﾟﾚｽ",
    "組立",
    "塗装",
    "旋盤",
    "レーザー",
    "検査",
    "医療機器",
    "半導体",
    "ねじ",
    "ばね",
    "樹脂",
    "、",
    "。",
    " ",
]


def _ids(outcome: Any) -> set[int]:
    return set(outcome.object_ids)


@pytest.fixture
def random_directory(taxonomy: Any) -> dict[int, list[list[str]]]:
    """60 organisations of random manufacturing text; returns id → the token columns as indexed."""
    rng = random.Random(20261128)
    with scopes_disabled():
        orgs = [
            make_organization(
                name=f"テスト{i}工業",
                kana=f"てすと{i}こうぎょう",
                summary="".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(3, 12))),
            )
            for i in range(60)
        ]
        organizations_reindex([o.pk for o in orgs])
    columns = {}
    for doc in SearchDocument.objects.all():
        columns[doc.object_id] = doc
    from monozukuri.directory.indexing import organization_documents, organization_sources

    docs = organization_documents(organization_sources([o.pk for o in orgs]), vocabulary=index_vocabulary())
    return {
        d.object_id: [d.name.split(), d.tags.split(), d.body.split(), d.match_tokens().split()] for d in docs
    }


def _reference(directory: dict[int, list[list[str]]], q: str) -> set[int]:
    """What the engines must return: every required clause's phrase in one field, no excluded one."""
    parsed = parse_query(q, index_vocabulary())
    if not parsed.required and not parsed.excluded:
        return set(directory)

    def has(columns: list[list[str]], clause: Any) -> bool:
        return any(phrase_in(column, clause) for column in columns)

    return {
        pk
        for pk, columns in directory.items()
        if all(has(columns, c) for c in parsed.required) and not any(has(columns, c) for c in parsed.excluded)
    }


def _random_queries(directory: dict[int, list[list[str]]], count: int) -> list[str]:
    rng = random.Random(7)
    texts = "".join(FRAGMENTS)
    queries = []
    for _ in range(count):
        kind = rng.random()
        start = rng.randrange(len(texts) - 4)
        term = texts[start : start + rng.randint(1, 4)].strip() or "溶接"
        if kind < 0.5:
            queries.append(term)
        elif kind < 0.7:
            queries.append(f"{term}\u3000{rng.choice(FRAGMENTS[:20])}")
        elif kind < 0.85:
            queries.append(f"{rng.choice(FRAGMENTS[:20])} -{term}")
        else:
            queries.append(f'"{term} {rng.choice(FRAGMENTS[:20])}"')
    return queries


def test_engine_returns_exactly_the_reference_set_for_random_queries(random_directory: Any) -> None:
    vocabulary = index_vocabulary()
    for q in _random_queries(random_directory, 150):
        outcome = search(
            SearchRequest(text=q, limit=100, exact_count=True, facets=False), vocabulary=vocabulary
        )
        expected = _reference(random_directory, q)
        assert _ids(outcome) == expected, q
        assert outcome.count == len(expected), q


def test_single_terms_of_one_to_four_characters_count_exactly_like_a_substring_scan(
    random_directory: Any,
) -> None:
    vocabulary = index_vocabulary()
    texts = "".join(FRAGMENTS)
    for start in range(0, len(texts) - 4, 3):
        for length in (1, 2, 3, 4):
            term = texts[start : start + length]
            if not term.strip() or term[0] in "-ー、。 ":
                continue
            outcome = search(SearchRequest(text=term, exact_count=True, facets=False), vocabulary=vocabulary)
            assert outcome.count == len(_reference(random_directory, term)), term


def test_a_count_past_the_cap_says_so_and_estimates_the_total(
    random_directory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "COUNT_CAP", 10)
    outcome = search(SearchRequest(text="", limit=5), vocabulary=index_vocabulary(), documents=60)
    assert outcome.count == 10
    assert outcome.count_capped
    assert outcome.count_estimate is not None
    assert outcome.count_estimate > 10
    assert outcome.plan == "static-rank"
    assert len(outcome.object_ids) == 5
    deep = search(SearchRequest(text="", offset=10, limit=5), vocabulary=index_vocabulary())
    assert deep.object_ids == []  # pages end at the cap


def test_facets_are_exact_for_small_results_and_estimated_from_the_sample_for_large(
    random_directory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = search(SearchRequest(text="", limit=1), vocabulary=index_vocabulary())
    assert exact.facet_counts["k0manufacturer"] == 60
    assert not exact.facets_estimated
    monkeypatch.setattr(engine, "COUNT_CAP", 10)
    monkeypatch.setattr(engine, "SAMPLE_BUDGET", 15)
    sampled = search(SearchRequest(text="", limit=1), vocabulary=index_vocabulary(), documents=60)
    assert sampled.facets_estimated
    assert 15 <= sampled.facet_counts.get("k0manufacturer", 0) <= 240  # 60, from a 1/2^k sample


def test_sample_tokens_mark_nested_halves(random_directory: Any) -> None:
    backend = get_backend()
    from monozukuri.search.backends.base import Match, Where

    counts = [backend.count(Match(groups=((f"z{k}",),)), Where(), cap=None) for k in range(1, 4)]
    assert counts == sorted(counts, reverse=True)
    assert 15 <= counts[0] <= 45
    assert SAMPLE_LEVELS >= 10


def test_relevance_puts_a_name_match_above_a_body_match(taxonomy: Any) -> None:
    with scopes_disabled():
        body = make_organization(name="東京製作所", summary="研磨と研磨と研磨の工場。")
        name = make_organization(name="研磨工業", summary="町工場。")
        organizations_reindex([body.pk, name.pk])
    outcome = search(SearchRequest(text="研磨"), vocabulary=index_vocabulary())
    assert outcome.plan == "ranked"
    assert outcome.object_ids == [name.pk, body.pk]
    assert outcome.scores[name.pk] > outcome.scores[body.pk] > 0


def test_sort_by_name_follows_the_gojuon_order_of_readings(taxonomy: Any) -> None:
    with scopes_disabled():
        orgs = [
            make_organization(name=n, kana=k, summary="切削")
            for n, k in (
                ("株式会社ワタナベ", "わたなべ"),
                ("株式会社 阿部", "あべ"),
                ("合同会社ガンマ", "ガンマ"),
                ("カトウ工業", "かとう"),
                ("無読み工業", ""),
                ("株式会社あいだ", "あいだ"),
            )
        ]
        organizations_reindex([o.pk for o in orgs])
    outcome = search(SearchRequest(text="切削", sort="name"), vocabulary=index_vocabulary())
    names = [next(o.name for o in orgs if o.pk == pk) for pk in outcome.object_ids]
    assert names == [
        "株式会社あいだ",
        "株式会社 阿部",
        "カトウ工業",
        "合同会社ガンマ",
        "株式会社ワタナベ",
        "無読み工業",
    ]


def test_sort_by_last_confirmed_puts_never_confirmed_last(taxonomy: Any) -> None:
    today = datetime.date.today()
    with scopes_disabled():
        old = make_organization(
            name="古い", summary="塗装", last_confirmed_on=today - datetime.timedelta(days=900)
        )
        never = make_organization(name="未確認", summary="塗装")
        new = make_organization(name="新しい", summary="塗装", last_confirmed_on=today)
        organizations_reindex([old.pk, never.pk, new.pk])
    outcome = search(SearchRequest(text="塗装", sort="confirmed"), vocabulary=index_vocabulary())
    assert outcome.object_ids == [new.pk, old.pk, never.pk]


def test_broad_queries_walk_the_sort_index_and_give_the_same_first_page(
    random_directory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    vocabulary = index_vocabulary()
    for sort in ("name", "confirmed", "relevance"):
        sorted_page = search(SearchRequest(text="", sort=sort, limit=7), vocabulary=vocabulary)
        monkeypatch.setattr(engine, "COUNT_CAP", 5)
        walked = search(SearchRequest(text="", sort=sort, limit=5), vocabulary=vocabulary)
        monkeypatch.undo()
        assert walked.count_capped
        assert walked.object_ids == sorted_page.object_ids[:5], sort


def test_distance_filter_and_sort_use_own_points_or_the_municipality_office(
    municipalities: Any, taxonomy: Any
) -> None:
    with scopes_disabled():
        sumida_office = make_organization(name="墨田A", summary="板金", municipality=municipalities["131075"])
        near = make_organization(
            name="墨田B",
            summary="板金",
            municipality=municipalities["131075"],
            latitude=35.7150,
            longitude=139.8050,
        )
        ome = make_organization(name="青梅C", summary="板金", municipality=municipalities["132055"])
        organizations_reindex([sumida_office.pk, near.pk, ome.pk])
    result = organization_search(
        user=None, params={"q": "板金", "near": "35.7107,139.8015", "km": "3", "sort": "distance"}
    )
    assert [h.organization.pk for h in result.hits] == [sumida_office.pk, near.pk]
    assert result.hits[0].distance_km == pytest.approx(0.0, abs=0.01)
    assert result.hits[1].distance_km == pytest.approx(0.56, abs=0.05)
    everywhere = organization_search(
        user=None, params={"q": "板金", "postcode": "1310031", "sort": "distance"}
    )
    assert [h.organization.pk for h in everywhere.hits] == [sumida_office.pk, near.pk, ome.pk]
    assert everywhere.hits[2].distance_km == pytest.approx(48, abs=3)
    other = organization_search(user=None, params={"q": "板金", "near_org": str(ome.pk), "km": "5"})
    assert [h.organization.pk for h in other.hits] == [ome.pk]


def test_distance_sort_of_a_broad_query_grows_the_radius_until_the_page_is_full(
    municipalities: Any, taxonomy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with scopes_disabled():
        orgs = [
            make_organization(name=f"工場{i}", summary="加工", municipality=municipalities[code])
            for i, code in enumerate(["131075", "131075", "131181", "131199", "132055", "132012"])
        ]
        organizations_reindex([o.pk for o in orgs])
    monkeypatch.setattr(engine, "COUNT_CAP", 3)
    center = municipalities["131075"]
    from monozukuri.search.geo import municipality_centroid

    outcome = search(
        SearchRequest(text="加工", sort="distance", center=municipality_centroid(center.code), limit=3),
        vocabulary=index_vocabulary(),
    )
    assert outcome.plan.startswith("distance-ring-")
    assert outcome.object_ids[:2] == sorted([orgs[0].pk, orgs[1].pk])
    assert outcome.object_ids[2] == orgs[2].pk  # Arakawa is the next office


def test_filters_are_index_terms_combined_with_text(labelled: Any, sumida: Any, taxonomy: Any) -> None:
    with scopes_disabled():
        org = make_organization(
            name="墨田溶接",
            summary="溶接",
            municipality=sumida,
            kind="startup",
            capabilities=[taxonomy["tig-welding"]],
        )
        organizations_reindex([org.pk])
    assert {
        h.organization.pk
        for h in organization_search(
            user=None, params={"q": "溶接", "municipality": "131075", "kind": "startup"}
        ).hits
    } == {org.pk}
    # a parent capability matches its descendants (TIG溶接 is under 溶接)
    assert org.pk in {
        h.organization.pk for h in organization_search(user=None, params={"capability": "welding"}).hits
    }
    assert {
        h.organization.pk
        for h in organization_search(user=None, params={"capability": "tig-welding", "q": "-溶接"}).hits
    } == set()


@pytest.mark.parametrize(
    "q",
    [
        "",
        " ",
        "\u3000",
        "-",
        "--",
        '"',
        '""',
        "「",
        "」",
        '-""',
        "*",
        "a*",
        "NEAR",
        "OR",
        "AND NOT",
        "(",
        ")",
        "'",
        "\\",
        "%",
        "_",
        ";--",
        "\x00",
        "\ud800",
        "\U0001f600",
        "ｱ" * 3000,
        "板金 " * 200,
        "鉄" * 600,
        "-板金 -溶接 -研磨",
        '"unclosed',
        "^a",
        "a:b",
        "col:term",
        "{name}: x",
        "\u200b\u2028\ufeff",
        "𠮷野家",
    ],
)
def test_no_text_raises_or_returns_garbage(labelled: Any, q: str) -> None:
    result = organization_search(user=None, params={"q": q})
    assert result.count >= 0
    assert all(hit.organization.pk for hit in result.hits)


@pytest.mark.parametrize(
    "plan", ["as measured", "walk on", "bitmap after the first window", "bitmap with common groups on rows"]
)
def test_best_first_gives_the_top_matches_by_static_rank_whichever_plan_finishes(
    random_directory: Any, monkeypatch: pytest.MonkeyPatch, plan: str
) -> None:
    """backend.best_first (matching's preselection): the first ``limit`` matches by doc key, exactly —
    on PostgreSQL through small windows, walking on or finishing with the GIN bitmap."""
    from monozukuri.search.backends import postgres
    from monozukuri.search.backends.base import Match, Where

    monkeypatch.setattr(postgres, "FIRST_WINDOW", 1)
    monkeypatch.setattr(postgres, "MIN_WINDOW", 3)
    if plan == "walk on":
        monkeypatch.setattr(postgres, "BITMAP_US", 1e9)
    elif plan != "as measured":
        monkeypatch.setattr(postgres, "WALK_FACETS_US", 1e9)
        monkeypatch.setattr(postgres, "WALK_TEXT_US", 1e9)
    if plan == "bitmap with common groups on rows":  # as PostgreSQL's statistics would call them
        monkeypatch.setattr(postgres, "common_lexemes", lambda: {"a0": 1.0, "t0active": 0.99, "z1": 0.5})
    keys = dict(SearchDocument.objects.values_list("object_id", "doc_key"))
    staff = dict(SearchDocument.objects.values_list("object_id", "employees"))
    known = sorted(e for e in staff.values() if e is not None)
    middle = known[len(known) // 2] if known else 0
    rng = random.Random(11)
    facets = sorted({t for columns in random_directory.values() for t in columns[3] if not t.startswith("u")})
    cases: list[tuple[tuple[tuple[str, ...], ...], tuple[Any, ...]]] = [
        ((("a0",),), ()),
        ((("z1",),), ()),
        ((("z3",), ("a0",)), ()),
        ((("t0active",), ("z2",), ("z1", "a0")), ()),
        ((("nosuchtoken",),), ()),
        ((("a0",),), parse_query("溶接").required),
    ]
    for _ in range(12):
        groups = tuple(tuple(rng.sample(facets, rng.randint(1, 3))) for _ in range(rng.randint(1, 2)))
        cases.append((groups, ()))
    backend = get_backend()
    for groups, required in cases:
        match = Match(required=required, groups=groups)
        every = {
            pk
            for pk, columns in random_directory.items()
            if all(any(t in columns[3] for t in group) for group in groups)
            and all(any(phrase_in(column, c) for column in columns) for c in required)
        }
        for where in (Where(), Where(employees_min=middle)):
            kept = {pk for pk in every if where.employees_min is None or (staff[pk] or -1) >= middle}
            expected = sorted((keys[pk] for pk in kept), reverse=True)
            for limit in (1, 4, 25):
                got = backend.best_first(match, where, limit=limit)
                assert got == expected[:limit], (groups, where, limit)
