"""Candidate ranking: the taxonomy, the components, reasons in Japanese, visibility and the fallbacks."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.ranking import RequestSpec, load_taxonomy, load_vocabulary, rank
from monozukuri.matching.ranking.taxonomy import BROADER, EXACT, NARROWER, RELATED
from monozukuri.matching.tests.conftest import capability, make_org
from monozukuri.matching.tests.factories import AdviserFactory, IntroductionFactory, PublishedRequestFactory


def _spec(world, **kw):
    fields = {
        "kind": "prototype",
        "seeking": "manufacturer",
        "title": "アルミ筐体の試作",
        "what": "小型筐体",
        "material": "A5052",
        "description": "A5052 の小型筐体を５軸加工で10個試作したい。",
        "quantity": 10,
        "requester_id": world.startup.pk,
        "municipality_id": world.sumida.pk,
        **kw,
    }
    return RequestSpec(**fields)


def _rank(user, spec, **kw):
    with scopes_disabled():
        return rank(user=user, spec=spec, **kw)


def _names(ranking):
    return [s.candidate.name for s in ranking.results]


@pytest.fixture
def tax(taxonomy):
    vocabulary = load_vocabulary()
    return load_taxonomy(vocabulary), vocabulary


@pytest.mark.parametrize(
    ("text", "slug", "mention"),
    [
        ("A5052 の筐体", "aluminium", "A5052"),
        ("ＳＵＳ３０４の架台", "stainless-steel", "SUS304"),
        ("５軸加工で削り出し", "five-axis-machining", ""),
        ("アルミニウムのブラケット", "aluminium", ""),
        ("C3604 の継手を旋盤で", "brass", "C3604"),
        ("鈑金の筐体", "sheet-metal", ""),
    ],
)
def test_capabilities_are_found_in_the_words_of_a_request(text, slug, mention, tax):
    taxonomy, vocabulary = tax
    found = dict(taxonomy.detect(text, vocabulary))
    assert capability(slug).pk in found
    assert found[capability(slug).pk] == mention


def test_a_longer_word_hides_the_shorter_one_inside_it_and_ascii_words_match_whole(tax):
    taxonomy, vocabulary = tax
    found = dict(taxonomy.detect("5軸加工と PCB の検討", vocabulary))
    assert capability("five-axis-machining").pk in found
    assert capability("polycarbonate").pk not in found  # PC is not inside PCB


@pytest.mark.parametrize(
    ("need", "held", "relation", "value"),
    [
        ("five-axis-machining", "five-axis-machining", EXACT, 1.0),
        ("cutting", "nc-turning", NARROWER, 1.0),
        ("five-axis-machining", "machining-center-work", BROADER, 0.5),
        ("five-axis-machining", "cutting", BROADER, 0.35),
        ("tig-welding", "mig-welding", RELATED, 0.25),
    ],
)
def test_how_a_held_capability_covers_a_need(need, held, relation, value, tax):
    taxonomy, _vocabulary = tax
    cover = taxonomy.coverage(capability(need).pk, frozenset({capability(held).pk}))
    assert cover.relation == relation
    assert cover.value == pytest.approx(value)
    assert taxonomy.coverage(capability(need).pk, frozenset({capability("sewing").pk})) is None


def test_the_firm_that_fits_comes_first_with_reasons_in_plain_japanese(world, sumida_staff):
    ranking = _rank(sumida_staff, _spec(world))
    top = ranking.results[0]
    assert top.candidate.id == world.five_axis.pk
    assert "5軸加工に対応" in top.reasons
    assert "A5052（アルミニウム）に対応" in top.reasons
    assert any(r.startswith("墨田区内・") and r.endswith("km") for r in top.reasons)
    assert "ISO 9001 認証" in [r for r in top.reasons] or top.breakdown["certification"].value == 1.0
    assert ranking.text_source == "engine"


def test_the_breakdown_adds_up_to_the_score(world, sumida_staff):
    top = _rank(sumida_staff, _spec(world)).results[0]
    assert sum(c.points for c in top.breakdown.values()) == pytest.approx(top.score, abs=1e-5)
    assert sum(c.weight for c in top.breakdown.values()) == pytest.approx(1.0)
    assert top.breakdown["material"].label == "材料の適合"


def test_the_requester_closed_merged_and_other_kinds_never_appear(world, sumida_staff):
    merged = make_org(
        municipality=world.sumida,
        name="株式会社統合済精工",
        caps=("five-axis-machining", "aluminium"),
        merged_into=world.five_axis,
    )
    names = _names(_rank(sumida_staff, _spec(world)))
    for org in (world.startup, world.closed, merged, world.designer):
        assert org.name not in names


def test_a_collaboration_call_from_a_firm_looks_for_designers(world, sumida_staff):
    spec = _spec(
        world,
        kind="collaboration",
        seeking="designer",
        title="介護ロボットの工業デザイン",
        what="外装デザイン",
        material="",
        description="介護ロボットの外装を工業デザインで一緒に作りたい。",
    )
    assert _names(_rank(sumida_staff, spec)) == [world.designer.name]


def test_weights_change_the_order(world, sumida_staff):
    near = make_org(
        municipality=world.sumida,
        name="株式会社近所切削",
        caps=("machining-center-work",),
        summary="マシニング加工。",
        latitude=35.7101,
        longitude=139.8011,
        employees=5,
    )
    far = make_org(
        municipality=world.arakawa,
        name="株式会社遠方五軸",
        caps=("five-axis-machining", "aluminium"),
        summary="5軸加工とアルミ。",
        latitude=35.74,
        longitude=139.70,
        employees=5,
    )
    by_capability = _names(_rank(sumida_staff, _spec(world), weights={"capability": 10, "distance": 0}))
    by_distance = _names(
        _rank(
            sumida_staff,
            _spec(world),
            weights={
                "text": 0,
                "capability": 1,
                "material": 0,
                "distance": 10,
                "capacity": 0,
                "certification": 0,
                "freshness": 0,
                "outcomes": 0,
            },
        )
    )
    assert by_capability.index(far.name) < by_capability.index(near.name)
    assert by_distance.index(near.name) < by_distance.index(far.name)


def test_hidden_field_groups_neither_score_nor_show(world, sumida_staff, arakawa_staff):
    with scopes_disabled():
        org = world.five_axis
        org.visibility = {"certifications": "staff", "size": "staff", "address": "staff"}
        org.save()
    from monozukuri.directory.indexing import organizations_reindex

    organizations_reindex([org.pk])
    outsider = next(s for s in _rank(arakawa_staff, _spec(world)).results if s.candidate.id == org.pk)
    assert not any("ISO" in r for r in outsider.reasons)
    assert not any("従業員" in r for r in outsider.reasons)
    assert outsider.candidate.employees is None
    assert outsider.candidate.certifications is None
    assert outsider.breakdown["certification"].note == "非公開"
    assert not any("km" in r and "・" in r for r in outsider.reasons)  # no exact distance without the address
    office = next(s for s in _rank(sumida_staff, _spec(world)).results if s.candidate.id == org.pk)
    assert "ISO 9001 認証" in office.reasons or office.breakdown["certification"].value == 1.0
    assert office.candidate.employees == 12


def test_past_contracts_of_the_same_kind_count_and_say_so(world, sumida_staff):
    with scopes_disabled():
        past = PublishedRequestFactory(requester=world.designer)
        from monozukuri.matching.tests.factories import RequestCapabilityFactory

        RequestCapabilityFactory(request=past, capability=capability("five-axis-machining"))
        IntroductionFactory(
            request=past,
            candidate_org=world.turning,
            status="contracted",
            contract_amount=1,
            contracted_on=timezone.localdate(),
        )
    spec = _spec(
        world,
        title="ステンレスの旋盤部品",
        what="継手",
        material="SUS304",
        description="SUS304 の継手をNC旋盤加工で300個。",
    )
    top = next(s for s in _rank(sumida_staff, spec).results if s.candidate.id == world.turning.pk)
    assert "同種の試作・加工で成約実績 1 件" in top.reasons


def test_an_open_offer_of_spare_capacity_raises_the_capacity_fit(world, sumida_staff):
    with scopes_disabled():
        offer = PublishedRequestFactory(
            requester=world.turning,
            kind="offer",
            seeking="any",
            expires_on=timezone.localdate() + datetime.timedelta(days=9),
        )
        from monozukuri.matching.tests.factories import RequestCapabilityFactory

        RequestCapabilityFactory(request=offer, capability=capability("nc-turning"))
    spec = _spec(
        world,
        title="ステンレスの旋盤部品",
        what="継手",
        material="SUS304",
        description="SUS304 の継手をNC旋盤加工で300個。",
        quantity=300,
    )
    turning = next(s for s in _rank(sumida_staff, spec).results if s.candidate.id == world.turning.pk)
    assert "空き能力のオファーを公開中" in turning.reasons
    assert turning.breakdown["capacity"].value == 1.0


def test_a_mentoring_request_finds_advisers_with_room(world, sumida_staff):
    with scopes_disabled():
        fits = AdviserFactory(name="設計 次郎", office=world.sumida, municipality=world.sumida)
        fits.capabilities.set([capability("mechanical-design")])
        full = AdviserFactory(name="満員 三郎", office=world.sumida, max_mentees=0)
        full.capabilities.set([capability("mechanical-design")])
        elsewhere = AdviserFactory(name="縫製 四郎", office=world.sumida)
        elsewhere.capabilities.set([capability("sewing")])
    spec = _spec(
        world,
        kind="mentoring",
        seeking="adviser",
        title="量産設計の相談相手",
        what="量産設計",
        material="",
        description="試作から量産へ進むための機械設計を伴走してほしい。",
    )
    results = _rank(sumida_staff, spec).results
    names = [s.candidate.name for s in results]
    assert names[0] == "設計 次郎"
    assert "縫製 四郎" not in names
    first = results[0]
    assert first.candidate.type == "adviser"
    assert "受入余力あり（あと 3 名）" in first.reasons
    assert "実務経験 30 年" in first.reasons
    assert next(s for s in results if s.candidate.name == "満員 三郎").breakdown["capacity"].value == 0


def test_text_relevance_falls_back_to_the_candidates_own_words_without_the_engine(
    world, sumida_staff, monkeypatch
):
    import monozukuri.search.engine
    import monozukuri.search.services

    def broken(*args, **kwargs):
        raise TypeError("the engine changed its signature")

    import monozukuri.search.backends

    monkeypatch.setattr(monozukuri.search.backends, "get_backend", broken)
    monkeypatch.setattr(monozukuri.search.engine, "search", broken)
    monkeypatch.setattr(monozukuri.search.services, "search", broken)
    import monozukuri.directory.indexing

    monkeypatch.setattr(monozukuri.directory.indexing, "organization_search", broken)
    ranking = _rank(sumida_staff, _spec(world))
    assert ranking.text_source == "local"
    assert ranking.results[0].candidate.id == world.five_axis.pk
    assert ranking.results[0].breakdown["text"].value > 0
    assert any(r.startswith("説明に「筐体") for r in ranking.results[0].reasons)


def test_preselection_falls_back_to_the_directory_list_without_the_index(world, sumida_staff, monkeypatch):
    import monozukuri.matching.ranking.preselect as preselect

    def broken(*args, **kwargs):
        raise AttributeError("no backend")

    monkeypatch.setattr(preselect, "_engine_tiers", broken)
    names = _names(_rank(sumida_staff, _spec(world)))
    assert names[0] == world.five_axis.name
    assert world.closed.name not in names


def test_the_engine_finds_firms_by_their_words_even_without_tagged_capabilities(world, sumida_staff):
    untagged = make_org(
        municipality=world.sumida, name="株式会社筐体工房", summary="アルミ筐体の試作を5軸加工で承ります。"
    )
    names = _names(_rank(sumida_staff, _spec(world)))
    assert untagged.name in names


def test_the_api_answers_score_reasons_and_breakdown(world, sumida_staff, client):
    with scopes_disabled():
        request = PublishedRequestFactory(requester=world.startup)
        from monozukuri.matching.services.requests import capabilities_set

        capabilities_set(request, [])
    client.force_login(sumida_staff)
    data = client.get(f"/api/v1/requests/{request.pk}/candidates/").json()
    first = data["results"][0]
    assert first["id"] == world.five_axis.pk
    assert first["type"] == "organization"
    assert 0 < first["score"] <= 1
    assert "5軸加工に対応" in first["reasons"]
    assert set(first["breakdown"]) >= {"capability", "material", "distance", "freshness", "outcomes"}
    assert set(first["breakdown"]["capability"]) == {"label", "value", "weight", "points", "note"}
    assert client.get(f"/api/v1/requests/{request.pk}/candidates/?limit=x").status_code == 400


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tier_any", [100, 1], ids=["narrower tiers unused", "narrower tiers used"])
def test_side_reads_rank_exactly_as_one_connection_does(tier_any, world, sumida_staff, settings, monkeypatch):
    """On PostgreSQL outside a transaction the tiers and the text hits run on side connections
    (core/concurrency.py); the candidates, scores and reasons are those of the one-connection run."""
    from django.db import connection

    from monozukuri.core import concurrency
    from monozukuri.matching.ranking import preselect

    monkeypatch.setattr(preselect, "TIER_ANY", tier_any)
    aside = []
    real = concurrency._aside
    def counted(*args: Any) -> Any:
        aside.append(args)
        return real(*args)

    monkeypatch.setattr(concurrency, "_aside", counted)

    def ranked():
        spec = _spec(world, description="A5052 の小型筐体を５軸加工で10個試作。鈑金も相談したい。")
        ranking = _rank(sumida_staff, spec)
        return [(s.candidate.key, round(s.score, 9), tuple(s.reasons)) for s in ranking.results]

    with_side_reads = ranked()
    # Two narrower tiers and the text hits beside the first tier, the text's terms beside each other,
    # the past beside the profiles.
    assert len(aside) >= (4 if connection.vendor == "postgresql" else 0)
    assert bool(aside) is (connection.vendor == "postgresql")
    settings.SIDE_READS = False
    assert ranked() == with_side_reads
    assert with_side_reads[0][0] == ("organization", world.five_axis.pk)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"material": "", "description": "鈑金と溶接で架台を作りたい。"},
        {"kind": "mentoring", "seeking": "adviser", "title": "量産設計の相談相手", "material": "",
         "description": "試作から量産へ進むための機械設計を伴走してほしい。"},
    ],
    ids=["machining with material", "processes only", "mentoring"],
)
def test_the_scoring_pass_gives_every_candidate_the_score_its_explanation_adds_up_to(
    fields, world, sumida_staff, tax
):
    """The pass that orders all candidates skips the reasons; its score and relevance are the explained
    ones, or the list would be ordered by one number and show another."""
    from monozukuri.directory.models import Organization
    from monozukuri.directory.visibility import Viewer
    from monozukuri.matching.ranking import analyse, profiles
    from monozukuri.matching.ranking.scoring import score
    from monozukuri.matching.ranking.weights import weights_of

    taxonomy, vocabulary = tax
    names = profiles.municipality_names()
    with scopes_disabled():
        adviser = AdviserFactory(name="設計 次郎", office=world.sumida, municipality=world.sumida)
        adviser.capabilities.set([capability("mechanical-design")])
        analysis = analyse(_spec(world, **fields), taxonomy=taxonomy, vocabulary=vocabulary)
        ids = list(Organization.objects.values_list("pk", flat=True))
        viewer = Viewer.of(sumida_staff)
        candidates = profiles.organization_candidates(
            ids, viewer=viewer, taxonomy=taxonomy, vocabulary=vocabulary, names=names
        )
        candidates += profiles.adviser_candidates(
            need_ids=analysis.need.process_ids, taxonomy=taxonomy, vocabulary=vocabulary, names=names
        )
        profiles.add_history(candidates, kind=analysis.need.kind, need_ids=[], taxonomy=taxonomy)
    assert len(candidates) > 3
    today = timezone.localdate()
    for candidate in candidates:
        quick, full = (
            score(
                analysis.need,
                candidate,
                taxonomy=taxonomy,
                weights=weights_of(None),
                text=None,
                today=today,
                explain=explain,
            )
            for explain in (False, True)
        )
        assert (quick.score, quick.relevant) == (full.score, full.relevant), candidate.name
