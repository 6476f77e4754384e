"""Running a search: the plan for each query, the same on both engines (docs/decisions/0006).

1. **Count** the matches, stopping at ``COUNT_CAP`` + 1: the count is exact up to the cap and
   "1,000+" past it (``count_capped``), with an estimate of the total. Every per-match cost — phrase
   positions, PostgreSQL's recheck, facet rows — grows with the matches read, so the cap bounds them.
2. **Page**:
   * relevance with at most ``RANK_LIMIT`` matches — rank them all (BM25 on SQLite, ``ts_rank`` on
     PostgreSQL; field weights name > capabilities > body; up to 20% more for a fresh record);
   * relevance with more — best-first by the static rank (freshness and completeness), which the
     index yields in row-id order with no sort (``doc_key``);
   * name (gojūon) or last confirmed — sort the matches when they are at most the cap, otherwise walk
     that column's index and test each row against the match, stopping at the page;
   * distance — the matches within growing radii (grid-cell terms plus an exact distance check) until
     the page is filled, sorted here by (distance, rank, id); when the smallest radius already holds
     more than the cap (a ward's firms placed at its office), its best by static rank.
   A page ends at the cap: deeper pages of a broad query are not served (narrow the query instead).
3. **Facets**: counted from the facet tokens of every match when the count is exact; past the cap
   from a uniform sample (``z<k>`` tokens: 1/2^k of all documents, by a hash of the id) whose size
   times the query's terms is about ``SAMPLE_BUDGET`` (each sampled document costs one index seek per
   term), scaled by 2^k and flagged as estimates. The same sample gives the estimated total.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import chain

from django.utils import timezone

from monozukuri.search.analysis import Vocabulary
from monozukuri.search.backends import get_backend
from monozukuri.search.backends.base import Backend, Match, Row, Where
from monozukuri.search.documents import (
    ALL_TOKEN,
    SAMPLE_LEVELS,
    confirmed_key,
    object_id_of,
    rank_from_key,
)
from monozukuri.search.geo import Point, cells_covering, haversine_km
from monozukuri.search.query import ParsedQuery, parse_query

__all__ = [
    "COUNT_CAP",
    "RANK_LIMIT",
    "SAMPLE_BUDGET",
    "SORTS",
    "SearchOutcome",
    "SearchRequest",
    "search",
]

COUNT_CAP = 1_000
RANK_LIMIT = 1_000
SAMPLE_BUDGET = 3_000
"""About how many sample documents × query terms a facet estimate may look at (each is an index seek)."""
SORTS = ("relevance", "distance", "name", "confirmed")
# Radii (km) tried in turn for a distance-sorted broad query.
_RADII = (0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200, 400, 800, 1500, 3000, 20000)


@dataclass(frozen=True)
class SearchRequest:
    """What to search: the typed text, facet filters (token groups: OR within, AND between), column
    conditions, the order and the window."""

    text: str = ""
    groups: tuple[tuple[str, ...], ...] = ()
    where: Where = field(default_factory=Where)
    sort: str = "relevance"
    center: Point | None = None  # the reference point of the distance sort (and of a radius filter)
    offset: int = 0
    limit: int = 20
    facets: bool = True
    exact_count: bool = False  # count every match (no cap): for checks and exports, not for pages


@dataclass
class SearchOutcome:
    object_ids: list[int]
    count: int
    count_capped: bool
    count_estimate: int | None = None
    scores: dict[int, float] = field(default_factory=dict)
    distances: dict[int, float] = field(default_factory=dict)
    facet_counts: dict[str, int] = field(default_factory=dict)
    facets_estimated: bool = False
    parsed: ParsedQuery = field(default_factory=ParsedQuery)
    sort: str = "relevance"
    plan: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def has_more(self) -> bool:
        return self.count_capped


def _match(parsed: ParsedQuery, groups: Iterable[tuple[str, ...]]) -> Match:
    return Match(parsed.required, tuple(tuple(g) for g in groups if g), parsed.excluded)


def _with_radius(match: Match, where: Where, center: Point, radius_km: float) -> tuple[Match, Where]:
    cells = cells_covering(center, radius_km)
    if where.radius_km is not None and where.center is not None and where.radius_km <= radius_km:
        return match, where  # the request's own radius is already tighter
    narrowed = replace(where, center=center, radius_km=radius_km)
    return (match.with_group(cells) if cells else match), narrowed


def _distance_order(rows: list[Row], center: Point) -> list[tuple[float, int, int]]:
    ordered = []
    for key, _facets, latitude, longitude in rows:
        if latitude is None or longitude is None:
            distance = math.inf
        else:
            distance = haversine_km(center, Point(latitude, longitude))
        ordered.append((distance, -rank_from_key(key), object_id_of(key)))
    ordered.sort()
    return ordered


def search(
    request: SearchRequest,
    *,
    vocabulary: Vocabulary | None = None,
    backend: Backend | None = None,
    documents: int = 1_000_000,
) -> SearchOutcome:
    """Run one search; never raises on the text (the parser accepts anything).

    ``documents`` is about how many documents the index holds (it sizes the facet sample).
    """
    be = backend or get_backend()
    clock = time.perf_counter
    started = clock()
    parsed = parse_query(request.text, vocabulary)
    match = _match(parsed, request.groups)
    where = request.where
    if where.radius_km is not None and where.center is not None:
        cells = cells_covering(where.center, where.radius_km)
        if cells:
            match = match.with_group(cells)
    timings: dict[str, float] = {}

    cap = None if request.exact_count else COUNT_CAP
    count = be.count(match, where, cap=cap)
    capped = cap is not None and count > cap
    if capped:
        count = COUNT_CAP
    timings["count"] = clock() - started

    sort = request.sort if request.sort in SORTS else "relevance"
    if sort == "distance" and request.center is None:
        sort = "relevance"
    window_end = min(request.offset + request.limit, COUNT_CAP if not request.exact_count else math.inf)
    limit = max(0, int(window_end) - request.offset) if window_end != math.inf else request.limit
    outcome = SearchOutcome(object_ids=[], count=count, count_capped=capped, parsed=parsed, sort=sort)
    mark = clock()
    if limit > 0 and count > 0:
        _page(be, outcome, request, match, where, sort, limit)
    timings["page"] = clock() - mark

    if request.facets and count > 0:
        mark = clock()
        _facets(be, outcome, match, where, documents)
        timings["facets"] = clock() - mark
    timings["total"] = clock() - started
    outcome.timings = timings
    return outcome


def _page(
    be: Backend,
    outcome: SearchOutcome,
    request: SearchRequest,
    match: Match,
    where: Where,
    sort: str,
    limit: int,
) -> None:
    offset, count, capped = request.offset, outcome.count, outcome.count_capped
    if sort == "relevance":
        if match.has_text and not capped and count <= RANK_LIMIT:
            today = confirmed_key(timezone.localdate())
            ranked = be.ranked(match, where, offset=offset, limit=limit, today_key=today)
            outcome.object_ids = [object_id_of(k) for k, _ in ranked]
            outcome.scores = {object_id_of(k): s for k, s in ranked}
            outcome.plan = "ranked"
        else:
            keys = be.ordered(match, where, order="rank", offset=offset, limit=limit, scan=capped)
            outcome.object_ids = [object_id_of(k) for k in keys]
            outcome.plan = "static-rank"
    elif sort in ("name", "confirmed"):
        keys = be.ordered(match, where, order=sort, offset=offset, limit=limit, scan=capped)
        outcome.object_ids = [object_id_of(k) for k in keys]
        outcome.plan = f"{sort}-{'scan' if capped else 'sort'}"
    else:
        assert request.center is not None
        center = request.center
        if not capped:
            rows = be.rows(match, where, limit=COUNT_CAP + 1, points=True)
            outcome.plan = "distance-sort"
        else:
            rows = _nearest_rows(be, outcome, match, where, center, need=offset + limit)
        ordered = _distance_order(rows, center)[offset : offset + limit]
        outcome.object_ids = [object_id for _, _, object_id in ordered]
        outcome.distances = {object_id: d for d, _, object_id in ordered if d != math.inf}


def _nearest_rows(be: Backend, outcome: SearchOutcome, match: Match, where: Where, center: Point, *,
                  need: int) -> list[Row]:
    """Rows of the matches nearest to ``center``: those within the smallest radius that holds ``need``.

    When even the smallest radius holds more than the cap (a ward's firms share its office's point),
    they are all at about the same distance: the best ``need`` of them by static rank are taken.
    """
    previous = 0
    for radius in _RADII:
        ring_match, ring_where = _with_radius(match, where, center, float(radius))
        found = be.count(ring_match, ring_where, cap=COUNT_CAP)
        if found > COUNT_CAP and previous == 0:
            keys = be.ordered(ring_match, ring_where, order="rank", offset=0, limit=need, scan=True)
            outcome.plan = f"distance-ring-{radius:g}km-by-rank"
            points = be.points([object_id_of(k) for k in keys])
            return [(k, "", *points.get(object_id_of(k), (None, None))) for k in keys]
        if found >= need or radius == _RADII[-1]:
            outcome.plan = f"distance-ring-{radius:g}km"
            return be.rows(ring_match, ring_where, limit=10 * COUNT_CAP, points=True)
        previous = found
    return []


def _facets(be: Backend, outcome: SearchOutcome, match: Match, where: Where, documents: int) -> None:
    if not outcome.count_capped:
        rows = be.rows(match, where, limit=outcome.count + 1)
        outcome.facet_counts = _count_tokens(rows)
        return
    # A uniform sample: the level whose documents × the query's terms fit the budget (each sample
    # document costs one seek per term); its matches are counted and scaled.
    terms = max(1, sum(len(c.tokens) for c in match.required) + len(match.groups) + len(match.excluded))
    level = max(1, min(SAMPLE_LEVELS, math.ceil(math.log2(max(2, documents) * terms / SAMPLE_BUDGET))))
    rows = be.rows(match.with_group((f"z{level}",)), where, limit=4 * SAMPLE_BUDGET)
    scale = 1 << level
    outcome.facet_counts = {token: n * scale for token, n in _count_tokens(rows).items()}
    outcome.facets_estimated = True
    outcome.count_estimate = max(COUNT_CAP + 1, len(rows) * scale)


def _count_tokens(rows: list[Row]) -> dict[str, int]:
    return dict(Counter(chain.from_iterable(map(str.split, [row[1] for row in rows]))))


def everything_match() -> Match:
    return Match(groups=((ALL_TOKEN,),))
