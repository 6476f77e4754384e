"""Preselection: a bounded set of organisations worth scoring, found through the search index.

Scoring a request against every organisation would cost a pass over a million rows; the index answers
"who holds these capabilities" from its facet tokens instead (a capability token covers its descendants,
see directory.indexing), best-first by its static rank (confirmation date and completeness). Tiers,
each capped, in this order:

1. every needed capability at once (firms that cover the whole request);
2. any needed capability, within the requester's municipality and its neighbours;
3. any needed capability, anywhere in Tokyo (1 and 2 count only when this one fills its tier);
4. a broader capability (the parents of the needs), when the tiers above found few;
plus the text hits of the request's words (text.py). At most ``MAX_PRESELECTED`` organisations go on
to scoring. Without a usable engine, the directory's own list (``organization_list``) stands in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from monozukuri.core.concurrency import side_by_side, side_reads_possible
from monozukuri.search.geo import haversine_km, municipality_centroids

logger = logging.getLogger(__name__)

MAX_PRESELECTED = 300
TIER_ALL, TIER_NEAR, TIER_ANY, TIER_BROADER = 100, 80, 100, 60
FEW = 60
NEAR_KM = 12.0
_PREFIXES = {"capability": "c", "kind": "k", "status": "t", "municipality": "m"}


def _prefixes() -> dict[str, str]:
    try:
        from monozukuri.directory.indexing import FACET_PREFIXES
    except ImportError:
        return dict(_PREFIXES)
    return {key: FACET_PREFIXES.get(key, default) for key, default in _PREFIXES.items()}


def near_municipality_codes(code: str | None, km: float = NEAR_KM) -> list[str]:
    """The municipality and those whose office lies within ``km`` of its office."""
    centroids = municipality_centroids()
    origin = centroids.get(code or "")
    if origin is None:
        return [code] if code else []
    return [c.code for c in centroids.values() if haversine_km(origin.point, c.point) <= km]


def preselect_organizations(
    *,
    need_ids: Sequence[int],
    broader_ids: Sequence[int],
    kinds: Sequence[str],
    origin_code: str | None,
    exclude_ids: Iterable[int] = (),
    limit: int = MAX_PRESELECTED,
    vocabulary: Any = None,
) -> list[int]:
    """Organisation ids to score, best tiers first (see the module docstring)."""
    if not need_ids or not kinds:
        return []
    excluded = set(exclude_ids)
    try:
        found = _engine_tiers(need_ids, broader_ids, kinds, origin_code, excluded, limit, vocabulary)
    except (ImportError, TypeError, AttributeError) as exc:
        logger.warning("matching: search index unusable for preselection (%s); using the directory list", exc)
        found = _directory_fallback(need_ids, kinds, excluded, limit)
    return found[:limit]


def _engine_tiers(
    need_ids: Sequence[int],
    broader_ids: Sequence[int],
    kinds: Sequence[str],
    origin_code: str | None,
    excluded: set[int],
    limit: int,
    vocabulary: Any,
) -> list[int]:
    from monozukuri.search.documents import facet_token

    p = _prefixes()
    base = [tuple(facet_token(p["kind"], k) for k in kinds), (facet_token(p["status"], "active"),)]
    any_need = tuple(facet_token(p["capability"], i) for i in need_ids)
    best_first = _best_first(vocabulary)

    def tier(groups: list[tuple[str, ...]], size: int) -> list[int]:
        return [int(i) for i in best_first(tuple(groups), size + len(excluded)) if i not in excluded]

    narrower: list[tuple[list[tuple[str, ...]], int]] = []  # every need; any need near the requester
    if len(need_ids) > 1:
        narrower.append(([*base, *((t,) for t in any_need)], TIER_ALL))
    near = near_municipality_codes(origin_code)
    if near:
        municipalities = tuple(facet_token(p["municipality"], c) for c in near)
        narrower.append(([*base, any_need, municipalities], TIER_NEAR))
    # The narrower tiers add something only when "any need" alone fills its tier. On side connections
    # all three run at once (the narrower ones' answers dropped when they add nothing); otherwise "any
    # need" runs first and the others only when they count.
    if side_reads_possible():
        anywhere, *narrow = side_by_side(
            lambda: tier([*base, any_need], TIER_ANY),
            *(lambda groups=groups, size=size: tier(groups, size) for groups, size in narrower),
        )
    else:
        anywhere = tier([*base, any_need], TIER_ANY)
        narrow = [tier(groups, size) for groups, size in narrower] if len(anywhere) >= TIER_ANY else []
    found: list[int] = [i for part in narrow for i in part] if len(anywhere) >= TIER_ANY else []
    found += anywhere
    if len(set(found)) < FEW and broader_ids:
        found += tier([*base, tuple(facet_token(p["capability"], i) for i in broader_ids)], TIER_BROADER)
    return list(dict.fromkeys(found))[:limit]


def _best_first(vocabulary: Any) -> Any:
    """``(groups, limit) → object ids`` best-first by the index's static rank, with no count: the index
    backend's ``best_first`` (FTS5 walks its lists backwards and stops at the limit; PostgreSQL walks
    the rank index in growing windows, or reads a narrow group's few matches through GIN, whichever
    its share of matches makes cheaper). If the backend lacks it, the engine's own search (count,
    then page) stands in.
    """
    from monozukuri.search.engine import SearchRequest
    from monozukuri.search.engine import search as engine_search

    def searched(groups: tuple[tuple[str, ...], ...], size: int) -> list[int]:
        outcome = engine_search(
            SearchRequest(groups=groups, sort="relevance", limit=size, facets=False), vocabulary=vocabulary
        )
        return list(outcome.object_ids)

    try:
        from monozukuri.search.backends import get_backend
        from monozukuri.search.backends.base import Match, Where
        from monozukuri.search.documents import object_id_of

        backend = get_backend()
        walk = backend.best_first
    except (ImportError, AttributeError):
        return searched

    def best(groups: tuple[tuple[str, ...], ...], size: int) -> list[int]:
        return [object_id_of(k) for k in walk(Match(groups=groups), Where(), limit=size)]

    return best


def _directory_fallback(
    need_ids: Sequence[int], kinds: Sequence[str], excluded: set[int], limit: int
) -> list[int]:
    from monozukuri.directory.selectors import organization_list

    out: dict[int, None] = {}
    per = max(10, limit // max(1, len(need_ids) * len(kinds)))
    for need_id in need_ids:
        for kind in kinds:
            qs: Any = organization_list(
                user=None, filters={"capability": str(need_id), "kind": kind, "status": "active"}
            )
            for org_id in qs.order_by("-last_confirmed_on", "id").values_list("id", flat=True)[:per]:
                if org_id not in excluded:
                    out.setdefault(int(org_id))
    return list(out)
