"""Ranking candidates for a request: read the need, preselect through the index, score, explain.

See docs/decisions/0007-matching-ranking.md for the design and docs/benchmarks-matching.md for its cost.
"""

from __future__ import annotations

import datetime
import functools
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from monozukuri.core.concurrency import side_by_side
from monozukuri.matching.models import KIND_NOUNS, RequestKind, Seeking
from monozukuri.matching.ranking import preselect, profiles, text
from monozukuri.matching.ranking.scoring import ORGANIZATION, Candidate, Need, Scored, score
from monozukuri.matching.ranking.taxonomy import Taxonomy
from monozukuri.matching.ranking.weights import weights_of
from monozukuri.search.analysis import Vocabulary
from monozukuri.search.geo import Point, municipality_centroid

DEFAULT_LIMIT = 20
MAX_LIMIT = 50
# Which organisations may be candidates, by what the request seeks (advisers: see ``include_advisers``).
TARGET_KINDS: dict[str, tuple[str, ...]] = {
    Seeking.MANUFACTURER: ("manufacturer",),
    Seeking.DESIGNER: ("designer",),
    Seeking.RESEARCH: ("research",),
    Seeking.ADVISER: ("support",),
    Seeking.ANY: ("manufacturer", "startup", "designer", "research", "large_company", "support"),
}


def default_seeking(kind: str, requester_kind: str | None) -> str:
    """What a request seeks unless the form says otherwise (協業募集: firm ↔ designer)."""
    if kind == RequestKind.PROTOTYPE:
        return Seeking.MANUFACTURER
    if kind == RequestKind.MENTORING:
        return Seeking.ADVISER
    if kind == RequestKind.JOINT_RESEARCH:
        return Seeking.RESEARCH
    if kind == RequestKind.COLLABORATION:
        return Seeking.MANUFACTURER if requester_kind == "designer" else Seeking.DESIGNER
    return Seeking.ANY


@dataclass(frozen=True)
class RequestSpec:
    """A request as the ranking reads it: a saved request, or the form being filled in (live preview)."""

    kind: str
    seeking: str
    title: str = ""
    description: str = ""
    what: str = ""
    material: str = ""
    quantity: int | None = None
    required_certifications: tuple[str, ...] = ()
    capability_ids: tuple[int, ...] = ()
    requester_id: int | None = None
    municipality_id: int | None = None
    request_id: int | None = None

    @classmethod
    def of(cls, request: Any, capability_ids: Sequence[int] | None = None) -> RequestSpec:
        """From a PartnerRequest (chosen capabilities only: detection runs again on the text)."""
        if capability_ids is None:
            from monozukuri.matching.models import CapabilitySource

            capability_ids = [
                link.capability_id
                for link in request.capability_links.all()
                if link.source == CapabilitySource.CHOSEN
            ]
        return cls(
            kind=request.kind,
            seeking=request.seeking,
            title=request.title,
            description=request.description,
            what=request.what,
            material=request.material,
            quantity=request.quantity,
            required_certifications=tuple(request.required_certifications or ()),
            capability_ids=tuple(capability_ids),
            requester_id=request.requester_id,
            municipality_id=request.municipality_id,
            request_id=request.pk,
        )


@dataclass
class Analysis:
    need: Need
    detected: list[tuple[int, str]]
    kinds: tuple[str, ...]
    include_advisers: bool


@dataclass
class Ranking:
    results: list[Scored]
    need: Need
    weights: dict[str, int]
    detected: list[tuple[int, str]] = field(default_factory=list)
    text_source: str = "none"
    preselected: int = 0
    introductions: dict[tuple[str, int], tuple[int, str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


class _Same:
    """Hashes by identity: the search app memoises one Vocabulary object per dictionary version."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


def _json_list(text: Any) -> list[Any]:
    value = json.loads(text) if isinstance(text, str) else text
    return list(value or ())


@functools.lru_cache(maxsize=4)
def _taxonomy(rows: tuple[tuple[Any, ...], ...], vocabulary: _Same) -> Taxonomy:
    return Taxonomy.build(
        [
            SimpleNamespace(
                pk=r[0],
                kind=r[1],
                label=r[2],
                label_en=r[3],
                synonyms=_json_list(r[4]),
                designations=_json_list(r[5]),
                parent_id=r[6],
            )
            for r in rows
        ],
        vocabulary.value,
    )


def load_taxonomy(vocabulary: Vocabulary | None) -> Taxonomy:
    """The capability taxonomy, built once per process for each content of the table (staff edits to it
    give new content, hence a new build: the memo is keyed by the rows themselves, never stale)."""
    from django.db.models import TextField
    from django.db.models.functions import Cast

    from monozukuri.directory.selectors import capability_list

    # The lists as stored text: the memo key needs no JSON decoding (500 values a ranking); only a
    # changed table is decoded, when the taxonomy is built again.
    rows = tuple(
        capability_list()
        .annotate(
            synonyms_text=Cast("synonyms", TextField()), designations_text=Cast("designations", TextField())
        )
        .values_list("id", "kind", "label", "label_en", "synonyms_text", "designations_text", "parent_id")
    )
    return _taxonomy(rows, _Same(vocabulary))


def load_vocabulary() -> Vocabulary | None:
    return _index_state()[0]


def _index_state() -> tuple[Vocabulary | None, int]:
    """The index's dictionary and about how many documents it holds (one small query), or (None, 0)."""
    try:
        from monozukuri.search.services import index_state
    except ImportError:
        return None, 0
    _version, vocabulary, documents = index_state()
    return vocabulary, documents


def _requester(requester_id: int | None) -> tuple[Point | None, str | None, str | None]:
    """The requester's location (its own coordinates, else its municipality's office) and JSIC 中分類."""
    if requester_id is None:
        return None, None, None
    from monozukuri.directory.selectors import organization_place

    place = organization_place(requester_id)
    if place is None:
        return None, None, None
    latitude, longitude, municipality_code, industry_code = place
    point = (
        Point(latitude, longitude)
        if latitude is not None and longitude is not None
        else municipality_centroid(municipality_code)
    )
    return point, municipality_code, industry_code


def analyse(spec: RequestSpec, *, taxonomy: Taxonomy, vocabulary: Vocabulary | None) -> Analysis:
    """The need of a request: its capabilities (chosen, and found in its words), words, size, place."""
    detected = taxonomy.detect(" ".join([spec.title, spec.what, spec.material, spec.description]), vocabulary)
    ids = [i for i in spec.capability_ids if i in taxonomy.nodes]
    ids += [i for i, _mention in detected if i not in ids]
    # A node and its own ancestor both named: keep the narrower one (5軸加工 over マシニング加工).
    ids = [i for i in ids if not any(i in taxonomy.ancestors(other) for other in ids if other != i)]
    mentions = {i: m for i, m in detected if m}
    terms = text.request_terms(
        [spec.title, spec.what, spec.material],
        taxonomy=taxonomy,
        detected=[i for i, _m in detected],
        vocabulary=vocabulary,
    )
    origin, origin_code, industry = _requester(spec.requester_id)
    kind_noun = str(KIND_NOUNS.get(RequestKind(spec.kind), "")) if spec.kind in RequestKind.values else ""
    need = Need(
        kind=spec.kind,
        process_ids=tuple(i for i in ids if not taxonomy.is_material(i)),
        material_ids=tuple(i for i in ids if taxonomy.is_material(i)),
        mentions=mentions,
        terms=terms,
        quantity=spec.quantity,
        required_certifications=spec.required_certifications,
        origin=origin,
        origin_code=origin_code,
        kind_noun=kind_noun,
        requester_industry=industry,
    )
    seeking = spec.seeking or default_seeking(spec.kind, None)
    return Analysis(
        need=need,
        detected=detected,
        kinds=TARGET_KINDS.get(seeking, TARGET_KINDS[Seeking.ANY]),
        include_advisers=seeking == Seeking.ADVISER,
    )


def rank(
    *,
    user: Any,
    spec: RequestSpec,
    weights: Mapping[str, int] | None = None,
    limit: int = DEFAULT_LIMIT,
    viewer: Any = None,
    today: datetime.date | None = None,
) -> Ranking:
    """The ranked candidates of one request, best first, each with reasons and a score breakdown."""
    from monozukuri.directory.visibility import Viewer

    clock = time.perf_counter
    started = clock()
    timings: dict[str, float] = {}
    vocabulary, documents = _index_state()
    taxonomy = load_taxonomy(vocabulary)
    analysis = analyse(spec, taxonomy=taxonomy, vocabulary=vocabulary)
    need = analysis.need
    applied = weights_of(weights)
    timings["analyse"] = clock() - started

    mark = clock()
    needs = [*need.process_ids, *need.material_ids]
    broader = sorted({a for i in needs for a in taxonomy.ancestors(i)[:2]} - set(needs))
    excluded = {spec.requester_id} if spec.requester_id is not None else set()

    def preselected() -> list[int]:
        return preselect.preselect_organizations(
            need_ids=needs,
            broader_ids=broader,
            kinds=analysis.kinds,
            origin_code=need.origin_code,
            exclude_ids=excluded,
            vocabulary=vocabulary,
        )

    def text_hits() -> text.EngineText | None:
        if not (need.terms and analysis.kinds):
            return None
        return text.engine_text_search(
            terms=need.terms, kinds=analysis.kinds, user=user, vocabulary=vocabulary, documents=documents
        )

    # Independent reads: side by side on PostgreSQL outside a transaction (core/concurrency.py).
    ids, engine = side_by_side(preselected, text_hits)
    for org_id in text.engine_hit_ids(engine):
        if org_id not in excluded and org_id not in ids:
            ids.append(org_id)
    ids = ids[: preselect.MAX_PRESELECTED + text.ENGINE_PAGE]
    timings["preselect"] = clock() - mark  # with the text hits, which ran beside it

    mark = clock()
    viewer = viewer or Viewer.of(user)
    names = profiles.municipality_names()

    def loaded() -> list[Candidate]:
        found = profiles.organization_candidates(
            ids, viewer=viewer, taxonomy=taxonomy, vocabulary=vocabulary, names=names
        )
        if analysis.include_advisers:
            found += profiles.adviser_candidates(
                need_ids=needs, taxonomy=taxonomy, vocabulary=vocabulary, names=names
            )
        return found

    def past() -> tuple[profiles.History, dict[tuple[str, int], tuple[int, str]]]:
        return profiles.history_of(org_ids=ids), profiles.existing_introductions(spec.request_id)

    # The preselected firms' past is read beside their profiles (core/concurrency.py).
    candidates, (history, introductions) = side_by_side(loaded, past)
    profiles.add_history(candidates, kind=spec.kind, need_ids=needs, taxonomy=taxonomy, known=history)
    timings["load"] = clock() - mark

    mark = clock()
    matches = text.text_matches(terms=need.terms, candidates=candidates, engine=engine, vocabulary=vocabulary)
    day = today or timezone.localdate()
    scored = [
        score(need, c, taxonomy=taxonomy, weights=applied, text=matches.get(c.key), today=day, explain=False)
        for c in candidates
    ]
    best = sorted(
        (s for s in scored if s.relevant),
        key=lambda s: (-s.score, s.candidate.type != ORGANIZATION, s.candidate.id),
    )
    shown = best[: max(1, min(limit, MAX_LIMIT))]
    results = [
        score(
            need,
            s.candidate,
            taxonomy=taxonomy,
            weights=applied,
            text=matches.get(s.candidate.key),
            today=day,
        )
        for s in shown
    ]
    text.add_snippets(results, vocabulary)
    timings["score"] = clock() - mark
    timings["total"] = clock() - started
    return Ranking(
        results=results,
        need=need,
        weights=applied,
        detected=analysis.detected,
        text_source="engine" if engine is not None else ("local" if need.terms else "none"),
        preselected=len(candidates),
        introductions=introductions,
        timings=timings,
    )


@dataclass
class OfferMatch:
    request: Any
    scored: Scored


def rank_for_offer(
    *,
    user: Any,
    offer: Any,
    weights: Mapping[str, int] | None = None,
    limit: int = DEFAULT_LIMIT,
    today: datetime.date | None = None,
) -> list[OfferMatch]:
    """For an offer (spare capacity, a technology): the published requests the offering firm could serve,
    scored as if the firm were a candidate of each."""
    from monozukuri.directory.visibility import Viewer

    vocabulary = load_vocabulary()
    taxonomy = load_taxonomy(vocabulary)
    offer_spec = RequestSpec.of(offer)
    offer_need = analyse(offer_spec, taxonomy=taxonomy, vocabulary=vocabulary).need
    needs = [*offer_need.process_ids, *offer_need.material_ids]
    names = profiles.municipality_names()
    firm = profiles.organization_candidates(
        [offer.requester_id], viewer=Viewer.of(user), taxonomy=taxonomy, vocabulary=vocabulary, names=names
    )
    if not firm:
        return []
    applied = weights_of(weights)
    day = today or timezone.localdate()
    out = []
    for request in profiles.published_requests_touching(
        needs, exclude_requester=offer.requester_id, taxonomy=taxonomy
    ):
        analysis = analyse(RequestSpec.of(request), taxonomy=taxonomy, vocabulary=vocabulary)
        if firm[0].kind not in analysis.kinds:
            continue
        candidate = firm[0]
        profiles.add_history([candidate], kind=request.kind, need_ids=needs, taxonomy=taxonomy)
        match = text.text_matches(
            terms=analysis.need.terms, candidates=[candidate], engine=None, vocabulary=vocabulary
        ).get(candidate.key)
        result = score(analysis.need, candidate, taxonomy=taxonomy, weights=applied, text=match, today=day)
        candidate.similar_contracts = candidate.other_contracts = 0
        if result.relevant:
            out.append(OfferMatch(request, result))
    out.sort(key=lambda m: (-m.scored.score, -m.request.pk))
    return out[: max(1, min(limit, MAX_LIMIT))]
