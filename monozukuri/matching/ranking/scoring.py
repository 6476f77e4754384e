"""Scoring one candidate against one request: components, the weighted score and reasons in plain Japanese.

Pure functions over plain values (no database), so a ranking is cheap to compute for a few hundred
candidates and easy to test. What a candidate *shows* was already cut to what the viewer may read
(profiles.py): a field the viewer may not read is unknown here, so it can neither raise a score nor
appear in a reason.
"""

from __future__ import annotations

import datetime
import functools
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from monozukuri.matching.ranking.taxonomy import BROADER, RELATED, Coverage, Taxonomy, fold_document
from monozukuri.matching.ranking.weights import LABELS
from monozukuri.search.analysis import Vocabulary
from monozukuri.search.geo import Point, haversine_km

ORGANIZATION, ADVISER = "organization", "adviser"
# Certifications that say a firm runs a quality system (a small plus when the request names none).
QUALITY_CERTIFICATIONS = ("ISO9001", "ISO13485", "JISQ9100", "IATF16949", "ISO14001")
FRESH_DAYS, STALE_DAYS = 365, 3 * 365
DISTANCE_HALF_KM = 10.0  # the distance at which the distance component is worth one half
NEAR_REASON_KM = 15.0
MAX_REASONS = 6
# Reasons read best in this order: what they can do, what they have done, then where and how big they are.
REASON_ORDER = (
    "capability",
    "material",
    "outcomes",
    "certification",
    "distance",
    "capacity",
    "text",
    "freshness",
)


@dataclass(frozen=True)
class Need:
    """What a request asks for, as the ranking reads it."""

    kind: str
    process_ids: tuple[int, ...] = ()
    material_ids: tuple[int, ...] = ()
    mentions: Mapping[int, str] = field(default_factory=dict)  # capability → designation written (A5052)
    terms: tuple[str, ...] = ()
    quantity: int | None = None
    required_certifications: tuple[str, ...] = ()
    origin: Point | None = None
    origin_code: str | None = None
    kind_noun: str = ""
    requester_industry: str | None = None


@dataclass
class Candidate:
    """A candidate as the viewer may see it (unreadable fields are None)."""

    type: str
    id: int
    name: str
    kind: str = ""
    kind_label: str = ""
    municipality_code: str | None = None
    municipality_name: str = ""
    capability_ids: frozenset[int] = frozenset()
    certifications: tuple[str, ...] | None = None  # None: not readable by the viewer
    employees: int | None = None
    point: Point | None = None
    point_exact: bool = False
    last_confirmed_on: datetime.date | None = None
    text_parts: tuple[str, ...] = ()
    url: str = ""
    summary: str = ""
    products: str = ""
    industry_codes: frozenset[str] = frozenset()
    # advisers
    headline: str = ""
    availability: str = ""
    slots_left: int | None = None
    years_experience: int | None = None
    # filled from matching's own records
    similar_contracts: int = 0
    other_contracts: int = 0
    open_offer: bool = False

    _folded: str | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.type, self.id)

    def folded_text(self, vocabulary: Vocabulary | None) -> str:
        """The candidate's own words, folded for term look-up (computed once, when first needed)."""
        if self._folded is None:
            self._folded = fold_document(self.text_parts, vocabulary)
        return self._folded


@dataclass
class Component:
    key: str
    label: str
    value: float
    weight: float = 0.0
    points: float = 0.0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": round(self.value, 4),
            "weight": round(self.weight, 4),
            "points": round(self.points, 4),
            "note": self.note,
        }


@dataclass
class Scored:
    candidate: Candidate
    score: float
    reasons: list[str]
    breakdown: dict[str, Component]
    snippet: str = ""
    relevant: bool = True
    text_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextMatch:
    value: float
    terms: tuple[str, ...] = ()
    snippet: str = ""


def cert_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).upper().split())


def applicable(need: Need) -> set[str]:
    """The components that apply to a request (the same for every candidate of it)."""
    keys = {"capacity", "certification", "freshness", "outcomes"}
    if need.terms:
        keys.add("text")
    if need.process_ids:
        keys.add("capability")
    if need.material_ids:
        keys.add("material")
    if need.origin is not None:
        keys.add("distance")
    return keys


# Reasons and notes are kept as (message id, parameters) and translated only for the candidates shown:
# a ranking scores a few hundred candidates and explains twenty.
Text = tuple[str, dict[str, Any]]
Part = tuple[float, list[Text], Text | None]


def _t(message: str, **params: Any) -> Text:
    return (message, params)


def render(text: Text | None) -> str:
    if text is None:
        return ""
    message, params = text
    return _(message) % params if params else _(message)


def _coverage_component(
    need_ids: tuple[int, ...],
    candidate: Candidate,
    taxonomy: Taxonomy,
    mentions: Mapping[int, str],
    explain: bool = True,
) -> tuple[float, list[Text]]:
    if not need_ids:
        return 0.0, []
    covers: list[Coverage] = []
    for need_id in need_ids:
        cover = taxonomy.coverage(need_id, candidate.capability_ids)
        if cover is not None:
            covers.append(cover)
    value = sum(c.value for c in covers) / len(need_ids)
    reasons: list[Text] = []
    if not explain:  # the scoring pass reads the value only
        return value, reasons
    for cover in sorted(covers, key=lambda c: -c.value):
        held = taxonomy.label(cover.held_id)
        mention = mentions.get(cover.need_id, "")
        if cover.relation == BROADER:
            reasons.append(
                _t(
                    gettext_noop("%(held)sに対応（%(need)sは未登録）"),
                    held=held,
                    need=mention or taxonomy.label(cover.need_id),
                )
            )
        elif cover.relation == RELATED:
            reasons.append(_t(gettext_noop("関連する技術: %(held)s"), held=held))
        elif mention:
            reasons.append(_t(gettext_noop("%(mention)s（%(held)s）に対応"), mention=mention, held=held))
        else:
            reasons.append(_t(gettext_noop("%(held)sに対応"), held=held))
    return value, reasons


def _distance_component(need: Need, candidate: Candidate) -> Part:
    if candidate.point is None or need.origin is None:
        return 0.3, [], _t(gettext_noop("所在地不明"))
    km = haversine_km(need.origin, candidate.point)
    value = 1.0 / (1.0 + km / DISTANCE_HALF_KM)
    same = bool(need.origin_code and candidate.municipality_code == need.origin_code)
    name = candidate.municipality_name
    reasons = []
    if same and candidate.point_exact:
        reasons.append(_t(gettext_noop("%(name)s内・%(km).1fkm"), name=name, km=km))
    elif same:
        reasons.append(_t(gettext_noop("%(name)s内"), name=name))
    elif km <= NEAR_REASON_KM and name:
        if candidate.point_exact:
            reasons.append(_t(gettext_noop("%(name)s・%(km).1fkm"), name=name, km=km))
        else:
            reasons.append(_t(gettext_noop("%(name)s（約%(km).0fkm）"), name=name, km=km))
    return value, reasons, _t(gettext_noop("%(km).1f km"), km=km)


def _capacity_component(need: Need, candidate: Candidate) -> Part:
    if candidate.type == ADVISER:
        if candidate.availability == "unavailable" or candidate.slots_left == 0:
            return 0.0, [], _t(gettext_noop("受入余力なし"))
        value = 1.0 if candidate.availability == "available" else 0.5
        reasons = (
            [_t(gettext_noop("受入余力あり（あと %(n)s 名）"), n=candidate.slots_left)]
            if candidate.slots_left
            else []
        )
        return value, reasons, None
    reasons = [_t(gettext_noop("空き能力のオファーを公開中"))] if candidate.open_offer else []
    if candidate.employees is None:
        return (1.0 if candidate.open_offer else 0.5), reasons, _t(gettext_noop("規模不明"))
    employees, quantity = candidate.employees, need.quantity
    if quantity is None:
        value = 0.6
    elif quantity <= 100:  # a prototype or a small lot: a small shop answers quickest
        value = 1.0 if employees <= 50 else 0.6
        if employees <= 50:
            reasons.append(_t(gettext_noop("少量に向く規模（従業員 %(n)s 名）"), n=employees))
    elif quantity <= 10_000:
        value = 1.0 if 5 <= employees <= 300 else 0.5
    else:  # mass production needs hands and lines
        value = 1.0 if employees >= 20 else 0.3
        if employees >= 20:
            reasons.append(_t(gettext_noop("量産に対応できる規模（従業員 %(n)s 名）"), n=employees))
    return (1.0 if candidate.open_offer else value), reasons, None


def _certification_component(need: Need, candidate: Candidate) -> Part:
    if candidate.certifications is None:
        return 0.0, [], _t(gettext_noop("非公開"))
    held = {cert_key(c): c for c in candidate.certifications}
    if need.required_certifications:
        found = [name for name in need.required_certifications if cert_key(name) in held]
        missing = [name for name in need.required_certifications if cert_key(name) not in held]
        value = len(found) / len(need.required_certifications)
        note = _t(gettext_noop("未確認: %(names)s"), names="、".join(missing)) if missing else None
        return value, [_t(gettext_noop("%(name)s 認証"), name=held[cert_key(n)]) for n in found], note
    quality = [held[k] for k in QUALITY_CERTIFICATIONS if k in held]
    if quality:
        return 1.0, [_t(gettext_noop("%(name)s 認証"), name=quality[0])], None
    return (0.5 if held else 0.0), [], None


def _freshness_component(candidate: Candidate, today: datetime.date) -> Part:
    confirmed = candidate.last_confirmed_on
    if confirmed is None:
        return 0.0, [], _t(gettext_noop("未確認"))
    days = max(0, (today - confirmed).days)
    if days <= FRESH_DAYS:
        return (
            1.0,
            [_t(gettext_noop("%(y)s年%(m)s月に情報を確認済み"), y=confirmed.year, m=confirmed.month)],
            None,
        )
    value = max(0.0, 1.0 - (days - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS))
    return value, [], _t(gettext_noop("%(y)s年%(m)s月に確認"), y=confirmed.year, m=confirmed.month)


def _outcomes_component(need: Need, candidate: Candidate) -> Part:
    similar, other = candidate.similar_contracts, candidate.other_contracts
    value = min(1.0, (similar + 0.5 * other) / 3.0)
    if similar:
        return (
            value,
            [_t(gettext_noop("同種の%(kind)sで成約実績 %(n)s 件"), kind=need.kind_noun, n=similar)],
            None,
        )
    if other:
        return value, [_t(gettext_noop("マッチングでの成約実績 %(n)s 件"), n=other)], None
    return value, [], None


def score(
    need: Need,
    candidate: Candidate,
    *,
    taxonomy: Taxonomy,
    weights: Mapping[str, int],
    text: TextMatch | None,
    today: datetime.date,
    explain: bool = True,
) -> Scored:
    """One candidate's score (0..1) and breakdown; with ``explain``, its reasons (most important first)
    and the components' notes in the active language."""
    keys = applicable(need)
    parts: dict[str, Part] = {}
    match = text or TextMatch(0.0)
    if "text" in keys:
        reasons = (
            [_t(gettext_noop("説明に%(terms)s"), terms="".join(f"「{t}」" for t in match.terms[:2]))]
            if match.terms
            else []
        )
        parts["text"] = (match.value, reasons, None)
    if "capability" in keys:
        value, reasons = _coverage_component(need.process_ids, candidate, taxonomy, need.mentions, explain)
        if candidate.type == ADVISER and candidate.years_experience:
            reasons.append(_t(gettext_noop("実務経験 %(n)s 年"), n=candidate.years_experience))
        if need.requester_industry and need.requester_industry in candidate.industry_codes:
            value = min(1.0, value + 0.2)
            reasons.append(_t(gettext_noop("同じ業種での経験")))
        parts["capability"] = (value, reasons, None)
    if "material" in keys:
        value, reasons = _coverage_component(need.material_ids, candidate, taxonomy, need.mentions, explain)
        parts["material"] = (value, reasons, None)
    if "distance" in keys:
        parts["distance"] = _distance_component(need, candidate)
    parts["capacity"] = _capacity_component(need, candidate)
    parts["certification"] = _certification_component(need, candidate)
    parts["freshness"] = _freshness_component(candidate, today)
    parts["outcomes"] = _outcomes_component(need, candidate)

    total_weight = sum(weights.get(k, 0) for k in parts) or 1
    if not explain:  # the scoring pass: the score and whether the candidate meets the request at all
        total = (
            sum(max(0.0, min(1.0, part[0])) * weights.get(k, 0) for k, part in parts.items()) / total_weight
        )
        gates = [k for k in ("capability", "material", "text") if k in parts]
        relevant = not gates or any(parts[k][0] > 0 for k in gates)
        return Scored(
            candidate=candidate,
            score=round(total, 6),
            reasons=[],
            breakdown={},
            relevant=relevant,
            text_terms=match.terms,
        )
    breakdown: dict[str, Component] = {}
    ranked_reasons: list[tuple[int, int, Text]] = []
    labels = _labels(get_language())
    for key, (value, reasons, note) in parts.items():
        weight = weights.get(key, 0) / total_weight
        clamped = max(0.0, min(1.0, value))
        component = Component(key, labels[key], clamped, weight, clamped * weight, render(note))
        breakdown[key] = component
        if weight:  # a component weighted 0 gives no reason
            ranked_reasons += [(REASON_ORDER.index(key), i, r) for i, r in enumerate(reasons)]
    total = sum(c.points for c in breakdown.values())
    ranked_reasons.sort(key=lambda r: (r[0], r[1]))
    return Scored(
        candidate=candidate,
        score=round(total, 6),
        reasons=[render(r) for *_k, r in ranked_reasons[:MAX_REASONS]],
        breakdown=breakdown,
        relevant=_is_relevant(keys, breakdown),
        text_terms=match.terms,
    )


@functools.lru_cache(maxsize=8)
def _labels(language: str | None) -> dict[str, str]:
    """The components' labels in a language (translated once per language, not per candidate)."""
    with translation.override(language):
        return {key: str(label) for key, label in LABELS.items()}


def _is_relevant(keys: set[str], breakdown: Mapping[str, Component]) -> bool:
    """A candidate must meet the request somewhere (capability, material or text), not only be near."""
    gates = [k for k in ("capability", "material", "text") if k in keys]
    if not gates:
        return True
    return any(breakdown[k].value > 0 for k in gates)


def distance_km(a: Point | None, b: Point | None) -> float:
    if a is None or b is None:
        return math.inf
    return haversine_km(a, b)
