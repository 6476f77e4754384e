"""The directory search: run the query, hydrate the page's organisations, snippets, facets, JSON."""



from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import get_language

from monozukuri.directory.indexing.documents import EMPLOYEE_BANDS, employees_band_label
from monozukuri.directory.indexing.params import (
    FACET_VALUES_SHOWN,
    FACETS,
    SearchParams,
    organization_search_params,
)
from monozukuri.search import services as search_services
from monozukuri.search.documents import (
    facet_text_value,
)
from monozukuri.search.engine import COUNT_CAP, SearchRequest
from monozukuri.search.engine import search as engine_search
from monozukuri.search.snippets import snippet


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchHit:
    organization: Any
    score: float | None
    snippet: str
    distance_km: float | None = None
    capabilities: list[CapabilityCard] = field(default_factory=list)


@dataclass
class SearchResult:
    """A page of the directory search: hits with snippets, the count and the facets."""

    count: int
    count_capped: bool
    count_estimate: int | None
    hits: list[SearchHit]
    facets: dict[str, list[FacetValue]]
    facets_estimated: bool
    params: SearchParams
    plan: str = ""
    parsed: Any = None

    @property
    def count_display(self) -> str:
        return f"{self.count:,}+" if self.count_capped else f"{self.count:,}"

    @property
    def pages(self) -> int:
        return max(1, min(-(-self.count // self.params.page_size), -(-COUNT_CAP // self.params.page_size)))


def organization_search(
    *,
    user: Any,
    params: Mapping[str, Any] | SearchParams,
    exact_count: bool = False,
    facets: bool = True,
    load: Callable[[Sequence[int]], Mapping[int, Any]] | None = None,
    cards: bool = True,
) -> SearchResult:
    """Search the directory: text (any string), filters, distance, sort, page; facet counts included.

    ``load(ids) -> {id: organisation}`` reads the page's organisations (default: with municipality and
    industry; the API passes one that also prefetches what its serializer shows, so they are read once);
    ``cards`` adds each hit's capability cards (the page shows them; the API has them prefetched).

    Raises ValidationError for a bad filter (the API answers 400 with the messages); the text never
    raises. Results, snippets and facets come from public fields only, so they are the same for every
    viewer (``user`` is accepted for the API's sake and for future per-viewer fields).
    """
    p = params if isinstance(params, SearchParams) else organization_search_params(params)
    _version, vocabulary, documents = search_services.index_state()
    request = SearchRequest(
        text=p.q,
        groups=p.groups,
        where=p.where,
        sort=p.sort,
        center=p.center,
        offset=(p.page - 1) * p.page_size,
        limit=p.page_size,
        facets=facets,
        exact_count=exact_count,
    )
    outcome = engine_search(
        request, vocabulary=vocabulary, documents=documents or search_services.UNKNOWN_SIZE
    )
    organizations = (load or _organizations)(outcome.object_ids) if outcome.object_ids else {}
    capabilities = _capability_cards(outcome.object_ids) if organizations and cards else {}
    hits = []
    for object_id in outcome.object_ids:
        org = organizations.get(object_id)
        if org is None:  # deleted since it was indexed (the write will reindex it)
            continue
        text = snippet([org.summary, org.products, org.name], outcome.parsed, vocabulary)
        hits.append(
            SearchHit(
                org,
                outcome.scores.get(object_id),
                text,
                outcome.distances.get(object_id),
                capabilities.get(object_id, []),
            )
        )
    return SearchResult(
        count=outcome.count,
        count_capped=outcome.count_capped,
        count_estimate=outcome.count_estimate,
        hits=hits,
        facets=_facet_values(outcome.facet_counts, p) if facets else {},
        facets_estimated=outcome.facets_estimated,
        params=p,
        plan=outcome.plan,
        parsed=outcome.parsed,
    )


def organization_search_ids(
    *, user: Any, params: Mapping[str, Any] | SearchParams
) -> tuple[list[int], int, bool]:
    """Every match of a search (text, filters, distance), best first in its sort, up to the engine's
    count cap (``COUNT_CAP``): for exports, which must hold what the search page shows. Returns the
    ids, the number of matches (capped) and whether there were more than the cap.

    Raises ValidationError for a bad filter, as ``organization_search`` does.
    """
    p = params if isinstance(params, SearchParams) else organization_search_params(params)
    _version, vocabulary, documents = search_services.index_state()
    request = SearchRequest(text=p.q, groups=p.groups, where=p.where, sort=p.sort, center=p.center,
                            offset=0, limit=COUNT_CAP, facets=False)
    outcome = engine_search(
        request, vocabulary=vocabulary, documents=documents or search_services.UNKNOWN_SIZE
    )
    return list(outcome.object_ids), outcome.count, outcome.count_capped


class CapabilityCard(NamedTuple):
    """A capability as a hit shows it (read with the page, without model instances)."""

    id: int
    slug: str
    label: str
    label_en: str
    kind: str

    @property
    def display_label(self) -> str:
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "ja").startswith("en") and self.label_en else self.label


def _organizations(ids: Sequence[int]) -> dict[int, Any]:
    """The hits' organisations with municipality and industry (one query)."""
    from monozukuri.directory.models import Organization

    if not ids:
        return {}
    return {
        org.pk: org
        for org in Organization.objects.filter(pk__in=list(ids)).select_related("municipality", "industry")
    }


def _capability_cards(ids: Sequence[int]) -> dict[int, list[CapabilityCard]]:
    """The hits' capabilities by organisation, in taxonomy order (one query)."""
    from monozukuri.directory.models import OrganizationCapability

    out: dict[int, list[CapabilityCard]] = {}
    rows = (
        OrganizationCapability.objects.filter(organization_id__in=list(ids))
        .order_by("capability__kind", "capability__reading", "capability__label", "id")
        .values_list(
            "organization_id",
            "capability_id",
            "capability__slug",
            "capability__label",
            "capability__label_en",
            "capability__kind",
        )
    )
    for org_id, cap_id, slug, label, label_en, kind in rows:
        out.setdefault(org_id, []).append(CapabilityCard(cap_id, slug, label, label_en, kind))
    return out


def _facet_values(counts: dict[str, int], p: SearchParams) -> dict[str, list[FacetValue]]:
    from monozukuri.directory.models import OrganizationKind, SmeClass

    chosen = {(facet, value) for facet, value in p.selected}
    buckets: dict[str, list[tuple[str, int]]] = {f: [] for f in FACETS}
    for token, count in counts.items():
        if token.startswith("m") and token[1:].isdigit():
            buckets["municipality"].append((token[1:], count))
        elif token.startswith("k0"):
            buckets["kind"].append((token[2:], count))
        elif token.startswith("j") and token[1:].isdigit():
            buckets["jsic"].append((token[1:], count))
        elif token.startswith("c") and token[1:].isdigit():
            buckets["capability"].append((token[1:], count))
        elif token.startswith("x0"):
            buckets["certification"].append((token, count))
        elif token.startswith("e") and token[1:].isdigit():
            buckets["employees"].append((token[1:], count))
        elif token.startswith("s0"):
            buckets["sme_class"].append((token[2:], count))
    capability_rows, municipalities, divisions = _labels(
        {v for v, _ in buckets["capability"]}, {v for v, _ in buckets["municipality"]},
        {v for v, _ in buckets["jsic"]})
    english = (get_language() or "ja").startswith("en")
    kinds, smes = dict(OrganizationKind.choices), dict(SmeClass.choices)
    bands = {str(b): employees_band_label(b) for b, _low, _high in EMPLOYEE_BANDS}
    out: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        source = "capability" if facet == "material" else facet
        values = []
        for value, count in buckets[source]:
            if source == "capability":
                label, label_en, kind = capability_rows.get(value, (value, "", ""))
                if (kind == "material") != (facet == "material"):
                    continue
                label = label_en if english and label_en else label
            elif facet == "municipality":
                name, name_en = municipalities.get(value, (value, ""))
                label = name_en if english and name_en else name
            elif facet == "jsic":
                label = divisions.get(value, value)
            elif facet == "kind":
                label = str(kinds.get(value, value))
            elif facet == "sme_class":
                label = str(smes.get(value, value))
            elif facet == "employees":
                label = bands.get(value, value)
            else:
                value = label = facet_text_value(value, "x")
            values.append(FacetValue(value, label, count, (facet, value) in chosen))
        values.sort(key=lambda v: (not v.selected, -v.count, v.label))
        shown = [v for i, v in enumerate(values) if i < FACET_VALUES_SHOWN or v.selected]
        if shown:
            out[facet] = shown
    return out


_LABELS: dict[str, Any] = {}
LABELS_TTL = 30.0


Labels = tuple[dict[str, tuple[str, str, str]], dict[str, tuple[str, str]], dict[str, str]]


def _labels(capabilities: Collection[str] = (), municipalities: Collection[str] = (),
            divisions: Collection[str] = ()) -> Labels:
    """Labels of facet values — capabilities (label, English label, kind), municipalities (name, English
    name), JSIC 中分類 (name; JSIC has no English names here) — kept for LABELS_TTL seconds: reference data
    that staff rarely edit, read by every search.

    The arguments are the values a search is about to label. One that the kept labels do not know (a
    capability staff have just added, in this process or another) reloads them at once, so it is never
    shown as its id; a value still unknown after a reload (a deleted capability a record still names) is
    remembered, whichever search met it, and does not reload them again until they expire.
    """
    from monozukuri.core.models import Municipality
    from monozukuri.directory.models import Capability, IndustryDivision

    def unknown(kept: Labels) -> set[tuple[int, str]]:
        return {(part, value) for part, values in enumerate((capabilities, municipalities, divisions))
                for value in values if value not in kept[part]}

    now = time.monotonic()
    expired = _LABELS.get("at", -LABELS_TTL) + LABELS_TTL < now
    if not expired and unknown(_LABELS["value"]) <= _LABELS["missed"]:
        return _LABELS["value"]
    _LABELS["value"] = (
        {
            str(pk): (label, label_en, kind)
            for pk, label, label_en, kind in Capability.objects.values_list("pk", "label", "label_en", "kind")
        },
        {code: (name, name_en) for code, name, name_en in Municipality.objects.values_list(
            "code", "name", "name_en")},
        dict(IndustryDivision.objects.values_list("code", "name")),
    )
    if expired:  # a reload for a miss keeps the expiry, and what earlier misses found unknown
        _LABELS["at"], _LABELS["missed"] = now, set()
    _LABELS["missed"] |= unknown(_LABELS["value"])
    return _LABELS["value"]
