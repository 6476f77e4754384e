"""Organisations in the search index: what is indexed, with which weights, facets and sort keys; the
reindex entry point for the directory's write services; and the directory search itself.

Only public text is indexed — the identity group (name, reading, English name, summary, products,
capabilities, industry, town), which every organisation shows to everyone — so a hit, its snippet and
its facet values never reveal anything a viewer may not read. Facets and filters on groups an
organisation may narrow (size, certifications, the exact address) use that group only while it is
public; staff see the same search as everyone (their own views of a firm are on its page).

Weights: name, reading and English name (A) > capabilities and industry (B) > summary, products and
town (D). The static rank is the last confirmation date plus up to a year for a complete profile.
"""

from __future__ import annotations

import datetime
import math
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from monozukuri.search import services as search_services
from monozukuri.search.analysis import (
    SEGMENT_BREAK,
    Vocabulary,
    normalize,
    reading_text,
    reading_tokens,
    tokens,
)
from monozukuri.search.backends import get_backend
from monozukuri.search.backends.base import Where
from monozukuri.search.documents import (
    IndexDocument,
    confirmed_key,
    facet_text_token,
    facet_text_value,
    facet_token,
    gojuon_key,
    rank_of,
)
from monozukuri.search.engine import COUNT_CAP, SORTS, SearchRequest
from monozukuri.search.engine import search as engine_search
from monozukuri.search.geo import Point, municipality_centroid, postcode_point
from monozukuri.search.snippets import snippet

__all__ = [
    "EMPLOYEE_BANDS",
    "FACETS",
    "SEARCH_KEYS",
    "OrganizationIndexSource",
    "OrganizationSource",
    "SearchHit",
    "SearchParams",
    "SearchResult",
    "organization_document",
    "organization_search",
    "organization_search_json",
    "organization_search_params",
    "organization_sources",
    "organizations_reindex",
]

# Facet → token prefix (see search.documents.facet_token).
FACET_PREFIXES = {
    "municipality": "m", "kind": "k", "jsic": "j", "jsic_major": "l", "capability": "c",
    "certification": "x", "employees": "e", "sme_class": "s", "status": "t",
}
# Employee bands (従業員数): (token value, lowest, highest or None).
EMPLOYEE_BANDS: tuple[tuple[int, int, int | None], ...] = (
    (1, 0, 4), (2, 5, 9), (3, 10, 19), (4, 20, 49), (5, 50, 99), (6, 100, 299), (7, 300, None),
)
_BREAK = f" {SEGMENT_BREAK} "


def employees_band(employees: int | None) -> int | None:
    if employees is None:
        return None
    for band, low, high in EMPLOYEE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return band
    return None


@dataclass(frozen=True)
class CapabilityInfo:
    """What the index needs of one taxonomy node."""

    id: int
    kind: str
    parent_id: int | None
    text: str  # label, reading, English label, synonyms, designations: one analysed field each


@dataclass(frozen=True)
class OrganizationSource:
    """The public values of one organisation that the index reads (plain values, picklable)."""

    id: int
    name: str
    kana: str
    name_en: str
    kind: str
    kind_label: str
    status: str
    municipality_code: str | None
    city: str
    town: str
    industry_code: str | None
    industry_major: str | None
    industry_name: str
    summary: str
    products: str
    website: str
    employees: int | None
    sme_class: str
    latitude: float | None
    longitude: float | None
    visibility: dict[str, Any]
    last_confirmed_on: datetime.date | None
    capability_ids: tuple[int, ...]
    certifications: tuple[tuple[str, datetime.date | None], ...]


def _public(visibility: dict[str, Any], group_key: str) -> bool:
    from monozukuri.directory.visibility import GROUPS_BY_KEY, PUBLIC, group_visibility

    return group_visibility(SimpleNamespace(visibility=visibility), GROUPS_BY_KEY[group_key]) == PUBLIC


def _join(parts: Iterable[list[str]]) -> str:
    return _BREAK.join(" ".join(p) for p in parts if p)


@lru_cache(maxsize=8)
def _without_synonyms(vocabulary: Vocabulary) -> Vocabulary:
    return Vocabulary(variants=vocabulary.variants)


def organization_document(org: OrganizationSource, *, capabilities: dict[int, CapabilityInfo],
                          vocabulary: Vocabulary, today: datetime.date,
                          shared: dict[str, list[str]] | None = None) -> IndexDocument:
    """The index document of one organisation (pure: no database access).

    ``shared`` memoises the tokens of texts many organisations have in common (capabilities, industry,
    kind, town) across the calls of one batch.
    """
    memo = shared if shared is not None else {}
    plain = _without_synonyms(vocabulary)

    def common(text: str) -> list[str]:
        # Taxonomy texts carry their own curated synonyms and designations; expanding those again
        # (SUS304 → ステンレス next to the label ステンレス) would only repeat them.
        found = memo.get(text)
        if found is None:
            found = memo[text] = tokens(text, plain)
        return found

    name = _join([tokens(org.name, vocabulary, for_name=True), reading_tokens(org.kana, vocabulary),
                  tokens(org.name_en, vocabulary, for_name=True)])
    held: set[int] = set()
    for cap_id in org.capability_ids:  # a capability also counts for its ancestors (旋盤加工 → 切削加工)
        current: int | None = cap_id
        while current is not None and current in capabilities and current not in held:
            held.add(current)
            current = capabilities[current].parent_id
    own = [capabilities[c].text for c in org.capability_ids if c in capabilities]
    tags = _join([common(text) for text in (*own, org.industry_name, org.kind_label)])
    body = _join([tokens(org.summary, vocabulary), tokens(org.products, vocabulary), common(f"{org.city} {org.town}")])
    facets = [facet_token("k", org.kind)]
    extra = [facet_token("t", org.status)]  # filters without a facet panel: matched, not counted
    if org.municipality_code:
        facets.append(facet_token("m", org.municipality_code))
    if org.industry_code:
        facets.append(facet_token("j", org.industry_code))
    if org.industry_major:
        extra.append(facet_token("l", org.industry_major.lower()))
    facets.extend(facet_token("c", c) for c in sorted(held))
    employees = None
    if _public(org.visibility, "size"):
        employees = org.employees
        band = employees_band(org.employees)
        if band is not None:
            facets.append(facet_token("e", band))
        if org.sme_class and org.sme_class != "unknown":
            facets.append(facet_token("s", org.sme_class))
    if _public(org.visibility, "certifications"):
        names = {facet_text_token("x", n) for n, expires in org.certifications
                 if n.strip() and (expires is None or expires >= today)}
        facets.extend(sorted(names))
    point = None
    if org.latitude is not None and org.longitude is not None and _public(org.visibility, "address"):
        point = Point(org.latitude, org.longitude)
    else:
        point = municipality_centroid(org.municipality_code)
    filled = [len(org.summary) >= 50, bool(org.products), bool(org.capability_ids), bool(org.website),
              bool(org.kana), bool(org.name_en)]
    return IndexDocument(
        object_id=org.id, name=name, tags=tags, body=body, facets=tuple(facets),
        rank=rank_of(confirmed=org.last_confirmed_on, completeness=sum(filled) / len(filled)),
        sort_name=gojuon_key(org.kana, org.name), confirmed_key=confirmed_key(org.last_confirmed_on),
        employees=employees, point=point, extra=tuple(extra),
    )


def capability_infos() -> dict[int, CapabilityInfo]:
    """The taxonomy as the index reads it, by id."""
    from monozukuri.directory.models import Capability

    out = {}
    for cap in Capability.objects.all():
        words = [cap.label, cap.reading, cap.label_en, *(cap.synonyms or []), *(cap.designations or [])]
        # Spellings that analyse alike (鈑金加工 / 板金加工) are indexed once; U+3000 between the words
        # makes each its own run, so no bigram or phrase spans two of them.
        unique: dict[str, str] = {}
        for word in words:
            if word and normalize(str(word)):
                unique.setdefault(normalize(str(word)), str(word))
        out[cap.pk] = CapabilityInfo(cap.pk, cap.kind, cap.parent_id, "\u3000".join(unique.values()))
    return out


_SOURCE_FIELDS = (
    "id", "name", "kana", "name_en", "kind", "status", "municipality__code", "city", "town", "industry__code",
    "industry__major_code", "industry__name", "summary", "products", "website", "employees", "sme_class",
    "latitude", "longitude", "visibility", "last_confirmed_on",
)


def organization_sources(ids: Sequence[int] | None = None, *, after_id: int = 0, limit: int | None = None,
                         id_range: tuple[int, int] | None = None, municipality_code: str | None = None
                         ) -> list[OrganizationSource]:
    """Live organisations' indexable values: by ids, in an id range, or the next ``limit`` after ``after_id``.

    Three queries per call whatever the number (organisations, capability links, certifications).
    """
    from monozukuri.directory.models import (
        Certification,
        Organization,
        OrganizationCapability,
        OrganizationKind,
    )

    qs = Organization.objects.filter(merged_into__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    elif id_range is not None:
        qs = qs.filter(pk__gte=id_range[0], pk__lte=id_range[1])
    else:
        qs = qs.filter(pk__gt=after_id)
    if municipality_code:
        qs = qs.filter(municipality__code=municipality_code)
    qs = qs.order_by("id")
    if limit is not None:
        qs = qs[:limit]
    rows = list(qs.values_list(*_SOURCE_FIELDS))
    if not rows:
        return []
    found = [r[0] for r in rows]
    caps: dict[int, list[int]] = {}
    for org_id, cap_id in (OrganizationCapability.objects.filter(organization_id__in=found)
                           .order_by("organization_id", "id").values_list("organization_id", "capability_id")):
        caps.setdefault(org_id, []).append(cap_id)
    certs: dict[int, list[tuple[str, datetime.date | None]]] = {}
    for org_id, cert_name, expires in (Certification.objects.filter(organization_id__in=found)
                                       .values_list("organization_id", "name", "expires_on")):
        certs.setdefault(org_id, []).append((cert_name, expires))
    labels = dict(OrganizationKind.choices)
    out = []
    for r in rows:
        (pk, name, kana, name_en, kind, status, muni, city, town, ind_code, ind_major, ind_name, summary,
         products, website, employees, sme_class, lat, lon, visibility, confirmed) = r
        out.append(OrganizationSource(
            id=pk, name=name, kana=kana, name_en=name_en, kind=kind, kind_label=str(labels.get(kind, "")),
            status=status, municipality_code=muni, city=city, town=town, industry_code=ind_code,
            industry_major=ind_major, industry_name=ind_name or "", summary=summary, products=products,
            website=website, employees=employees, sme_class=sme_class, latitude=lat, longitude=lon,
            visibility=visibility or {}, last_confirmed_on=confirmed,
            capability_ids=tuple(caps.get(pk, ())), certifications=tuple(certs.get(pk, ())),
        ))
    return out


def organization_documents(sources: Iterable[OrganizationSource], *, vocabulary: Vocabulary,
                           capabilities: dict[int, CapabilityInfo] | None = None,
                           today: datetime.date | None = None) -> Iterator[IndexDocument]:
    caps = capability_infos() if capabilities is None else capabilities
    day = today or timezone.localdate()
    shared: dict[str, list[str]] = {}
    for source in sources:
        yield organization_document(source, capabilities=caps, vocabulary=vocabulary, today=day, shared=shared)


def organizations_reindex(ids: Iterable[int]) -> None:
    """Bring the index in step with these organisations, in the caller's transaction.

    Live organisations are (re)indexed; ids that no longer exist or were merged into another record are
    removed. The directory's write services call it after each write, inside their atomic block, so a
    search never sees a record the database does not have (and a rolled-back write leaves no trace).
    """
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return
    with transaction.atomic():
        vocabulary = search_services.index_vocabulary()
        capabilities = capability_infos()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            sources = organization_sources(chunk)
            docs = list(organization_documents(sources, vocabulary=vocabulary, capabilities=capabilities))
            search_services.index_upsert(docs)
            present = {s.id for s in sources}
            search_services.index_delete([i for i in chunk if i not in present])


def build_documents(records: Sequence[OrganizationSource], capabilities: dict[int, CapabilityInfo],
                    vocabulary: Vocabulary) -> list[IndexDocument]:
    """Documents of a batch (run in the rebuild's worker processes: no database access)."""
    today = timezone.localdate()
    shared: dict[str, list[str]] = {}
    return [organization_document(r, capabilities=capabilities, vocabulary=vocabulary, today=today, shared=shared)
            for r in records]


class OrganizationIndexSource:
    """The directory's organisations as the search rebuild reads them (search.rebuild.IndexSource)."""

    build_path = "monozukuri.directory.indexing.build_documents"

    def total(self, *, municipality: str | None) -> int:
        from monozukuri.directory.models import Organization

        qs = Organization.objects.filter(merged_into__isnull=True)
        if municipality:
            qs = qs.filter(municipality__code=municipality)
        return qs.count()

    def ranges(self, *, municipality: str | None, size: int) -> list[tuple[int, int]]:
        """Consecutive id ranges of about ``size`` live organisations each."""
        from django.db import connection

        from monozukuri.directory.models import Organization

        table = Organization._meta.db_table
        where = "merged_into_id IS NULL"
        params: list[Any] = []
        if municipality:
            where += " AND municipality_id = (SELECT id FROM core_municipality WHERE code = %s)"
            params.append(municipality)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {table} "
                           f"WHERE {where}) numbered WHERE n %% %s = 1 ORDER BY id", [*params, size])
            starts = [row[0] for row in cursor.fetchall()]
        return [(start, (starts[i + 1] - 1) if i + 1 < len(starts) else 2**62) for i, start in enumerate(starts)]

    def records(self, first: int, last: int, *, municipality: str | None) -> list[OrganizationSource]:
        return organization_sources(id_range=(first, last), municipality_code=municipality)

    def context(self) -> dict[int, CapabilityInfo]:
        return capability_infos()

    def reindex(self, ids: Sequence[int]) -> None:
        organizations_reindex(ids)

    def changed_since(self, when: datetime.datetime) -> list[int]:
        from monozukuri.directory.models import Organization

        return list(Organization.objects.filter(updated_at__gte=when).values_list("id", flat=True))


# ---- the directory search ------------------------------------------------------------------------------

SEARCH_KEYS = ("q", "municipality", "kind", "jsic", "capability", "material", "certification", "employees",
               "employees_min", "employees_max", "sme_class", "status", "near", "postcode", "near_org", "km",
               "sort", "page", "page_size")
FACETS = ("municipality", "kind", "jsic", "capability", "material", "certification", "employees", "sme_class")
MAX_PAGE_SIZE = 100
MAX_RADIUS_KM = 1000.0
FACET_VALUES_SHOWN = 12


@dataclass(frozen=True)
class SearchParams:
    """A validated directory search (see ``organization_search_params``)."""

    q: str = ""
    groups: tuple[tuple[str, ...], ...] = ()
    selected: tuple[tuple[str, str], ...] = ()  # (facet, value) pairs as given, for chips and links
    where: Where = Where()
    sort: str = "relevance"
    center: Point | None = None
    page: int = 1
    page_size: int = 20


def _values(raw: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(raw, "getlist", None)
    value = raw.get(key)
    items: Iterable[Any] = getlist(key) if getlist is not None else (
        value if isinstance(value, (list, tuple)) else [value])
    out: list[str] = []
    for item in items:
        if item is None:
            continue
        out.extend(p.strip() for p in unicodedata.normalize("NFKC", str(item)).split(",") if p.strip())
    return out


def _number(text: str, key: str, errors: dict[str, list[str]], *, low: float, high: float,
            integer: bool = False) -> float | None:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        errors.setdefault(key, []).append(
            _("「%(value)s」は%(low)s〜%(high)sの数で指定してください。") % {"value": text[:40], "low": f"{low:g}",
                                                                       "high": f"{high:g}"})
        return None
    return value


def organization_search_params(raw: Mapping[str, Any]) -> SearchParams:
    """Read a directory search from query parameters; ``ValidationError`` names every bad filter.

    ``q`` is never an error (the search box accepts anything). Filters: municipality (団体コード; several
    separated by commas match any), kind, jsic (大分類 letter or 中分類 code), capability / material
    (id or slug; several: all must match; a node matches its descendants), certification (name),
    employees (band 1–7), employees_min / employees_max, sme_class, status; distance: near=lat,lon or
    postcode=NNNNNNN or near_org=id, with km=N to keep those within N km; sort: relevance, distance,
    name, confirmed; page, page_size (at most 100).
    """
    from monozukuri.core.identifiers import validate_municipality_code
    from monozukuri.core.models import Municipality
    from monozukuri.directory.models import (
        Capability,
        CapabilityKind,
        IndustryDivision,
        OrganizationKind,
        OrganizationStatus,
        SmeClass,
    )

    errors: dict[str, list[str]] = {}
    groups: list[tuple[str, ...]] = []
    selected: list[tuple[str, str]] = []
    codes = []
    for value in _values(raw, "municipality"):
        try:
            codes.append(validate_municipality_code(value))
        except ValidationError as exc:
            errors.setdefault("municipality", []).extend(exc.messages)
    if codes:
        known = set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True))
        for code in codes:
            if code not in known:
                errors.setdefault("municipality", []).append(
                    _("団体コード「%(value)s」の自治体は登録されていません。") % {"value": code})
        groups.append(tuple(facet_token("m", c) for c in codes))
        selected += [("municipality", c) for c in codes]
    kinds = _values(raw, "kind")
    for kind in kinds:
        if kind not in OrganizationKind.values:
            errors.setdefault("kind", []).append(
                _("種別「%(value)s」はありません。次のいずれかです: %(choices)s")
                % {"value": kind[:40], "choices": ", ".join(OrganizationKind.values)})
    if kinds:
        groups.append(tuple(facet_token("k", k) for k in kinds))
        selected += [("kind", k) for k in kinds]
    jsic_tokens = []
    for value in _values(raw, "jsic"):
        text = value.upper()
        division = re.fullmatch(r"[A-T]?(\d{2})", text)
        if re.fullmatch(r"[A-T]", text):
            jsic_tokens.append(facet_token("l", text.lower()))
            selected.append(("jsic", text))
        elif division and IndustryDivision.objects.filter(code=division.group(1)).exists():
            jsic_tokens.append(facet_token("j", division.group(1)))
            selected.append(("jsic", division.group(1)))
        else:
            errors.setdefault("jsic", []).append(
                _("産業分類「%(value)s」は読み取れません。大分類の英字1文字（例: E）または中分類の数字2桁（例: 09）で指定してください。")
                % {"value": value[:40]})
    if jsic_tokens:
        groups.append(tuple(jsic_tokens))
    for key in ("capability", "material"):
        values = _values(raw, key)
        if not values:
            continue
        ids = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 12]
        slugs = [v for v in values if not (v.isascii() and v.isdigit())]
        found = {c.pk: c for c in Capability.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs))}
        by_text = {**{str(c.pk): c for c in found.values()}, **{c.slug: c for c in found.values()}}
        for value in values:
            cap = by_text.get(value)
            if cap is None:
                errors.setdefault(key, []).append(_("技術・材料分類「%(value)s」は登録されていません。") % {"value": value[:60]})
            elif key == "material" and cap.kind != CapabilityKind.MATERIAL:
                errors.setdefault(key, []).append(_("「%(value)s」は材料ではありません。") % {"value": cap.label})
            else:
                groups.append((facet_token("c", cap.pk),))
                selected.append((key, str(cap.pk)))
    certifications = _values(raw, "certification")
    for name in certifications:
        if len(name) > 100:
            errors.setdefault("certification", []).append(_("認証名は100文字以内で指定してください。"))
        else:
            groups.append((facet_text_token("x", name),))
            selected.append(("certification", name))
    bands = []
    for value in _values(raw, "employees"):
        if value.isascii() and value.isdigit() and 1 <= int(value) <= len(EMPLOYEE_BANDS):
            bands.append(facet_token("e", int(value)))
            selected.append(("employees", value))
        else:
            errors.setdefault("employees", []).append(
                _("従業員規模は1〜%(n)sの区分で指定してください。") % {"n": len(EMPLOYEE_BANDS)})
    if bands:
        groups.append(tuple(bands))
    employees_range = {}
    for key in ("employees_min", "employees_max"):
        text = ",".join(_values(raw, key)).replace(",", "")
        if text:
            number = _number(text, key, errors, low=0, high=10**7, integer=True)
            employees_range[key] = int(number) if number is not None else None
    low, high = employees_range.get("employees_min"), employees_range.get("employees_max")
    if low is not None and high is not None and low > high:
        errors.setdefault("employees_max", []).append(_("従業員数の上限は下限以上にしてください。"))
    for key, prefix, choices in (("sme_class", "s", SmeClass.values), ("status", "t", OrganizationStatus.values)):
        values = _values(raw, key)
        for value in values:
            if value not in choices:
                errors.setdefault(key, []).append(_("「%(value)s」はありません。次のいずれかです: %(choices)s")
                                                  % {"value": value[:40], "choices": ", ".join(choices)})
        if values:
            groups.append(tuple(facet_token(prefix, v) for v in values))
            selected += [(key, v) for v in values]
    center = _center(raw, errors)
    radius = None
    km_text = ",".join(_values(raw, "km"))
    if km_text:
        radius = _number(km_text, "km", errors, low=0.1, high=MAX_RADIUS_KM)
        if center is None and not any(_values(raw, k) for k in ("near", "postcode", "near_org")):
            errors.setdefault("km", []).append(_("距離で絞り込むには基準（near、postcode、near_org のいずれか）を指定してください。"))
    sort = (_values(raw, "sort") or ["relevance"])[0]
    if sort not in SORTS:
        errors.setdefault("sort", []).append(_("並べ順は %(choices)s のいずれかです。") % {"choices": ", ".join(SORTS)})
    elif sort == "distance" and center is None and "near" not in errors and "postcode" not in errors:
        errors.setdefault("sort", []).append(_("距離順には基準（near、postcode、near_org のいずれか）が必要です。"))
    page_text = (_values(raw, "page") or ["1"])[0]
    page = _number(page_text, "page", errors, low=1, high=10**6, integer=True)
    size_text = (_values(raw, "page_size") or ["20"])[0]
    size = _number(size_text, "page_size", errors, low=1, high=MAX_PAGE_SIZE, integer=True)
    if errors:
        raise ValidationError(errors)
    q = " ".join(str(v) for v in (raw.getlist("q") if hasattr(raw, "getlist") else [raw.get("q") or ""]))
    return SearchParams(
        q=q[:2000], groups=tuple(groups), selected=tuple(selected),
        where=Where(employees_min=low, employees_max=high, center=center if radius else None, radius_km=radius),
        sort=sort, center=center, page=int(page or 1), page_size=int(size or 20))


def _center(raw: Mapping[str, Any], errors: dict[str, list[str]]) -> Point | None:
    near = ",".join(_values(raw, "near"))
    if near:
        parts = near.split(",")
        if len(parts) != 2:
            errors.setdefault("near", []).append(_("基準地点は「緯度,経度」で指定してください（例: 35.71,139.80）。"))
            return None
        lat = _number(parts[0], "near", errors, low=-90, high=90)
        lon = _number(parts[1], "near", errors, low=-180, high=180)
        return Point(lat, lon) if lat is not None and lon is not None else None
    postcode = "".join(_values(raw, "postcode"))
    if postcode:
        located = postcode_point(postcode)
        if located is None:
            errors.setdefault("postcode", []).append(
                _("郵便番号「%(value)s」の場所がわかりません（東京都内の7桁の郵便番号で指定してください）。")
                % {"value": postcode[:20]})
            return None
        return located[0]
    org = "".join(_values(raw, "near_org"))
    if org:
        if not (org.isascii() and org.isdigit() and len(org) < 12):
            errors.setdefault("near_org", []).append(_("基準の企業は番号で指定してください。"))
            return None
        lat, lon = get_backend().points([int(org)]).get(int(org), (None, None))
        if lat is None or lon is None:
            errors.setdefault("near_org", []).append(_("基準の企業（%(value)s）の所在地がわかりません。") % {"value": org})
            return None
        return Point(lat, lon)
    return None


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


def organization_search(*, user: Any, params: Mapping[str, Any] | SearchParams, exact_count: bool = False,
                        facets: bool = True) -> SearchResult:
    """Search the directory: text (any string), filters, distance, sort, page; facet counts included.

    Raises ValidationError for a bad filter (the API answers 400 with the messages); the text never
    raises. Results, snippets and facets come from public fields only, so they are the same for every
    viewer (``user`` is accepted for the API's sake and for future per-viewer fields).
    """
    p = params if isinstance(params, SearchParams) else organization_search_params(params)
    vocabulary = search_services.index_vocabulary()
    request = SearchRequest(
        text=p.q, groups=p.groups, where=p.where, sort=p.sort, center=p.center,
        offset=(p.page - 1) * p.page_size, limit=p.page_size, facets=facets, exact_count=exact_count)
    outcome = engine_search(request, vocabulary=vocabulary)
    organizations = _organizations(outcome.object_ids)
    capabilities = _capability_cards(outcome.object_ids) if organizations else {}
    hits = []
    for object_id in outcome.object_ids:
        org = organizations.get(object_id)
        if org is None:  # deleted since it was indexed (the write will reindex it)
            continue
        text = snippet([org.summary, org.products, org.name], outcome.parsed, vocabulary)
        hits.append(SearchHit(org, outcome.scores.get(object_id), text, outcome.distances.get(object_id),
                              capabilities.get(object_id, [])))
    return SearchResult(
        count=outcome.count, count_capped=outcome.count_capped, count_estimate=outcome.count_estimate,
        hits=hits, facets=_facet_values(outcome.facet_counts, p) if facets else {},
        facets_estimated=outcome.facets_estimated, params=p, plan=outcome.plan, parsed=outcome.parsed)


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
    return {org.pk: org for org in Organization.objects.filter(pk__in=list(ids)).select_related("municipality",
                                                                                                 "industry")}


def _capability_cards(ids: Sequence[int]) -> dict[int, list[CapabilityCard]]:
    """The hits' capabilities by organisation, in taxonomy order (one query)."""
    from monozukuri.directory.models import OrganizationCapability

    out: dict[int, list[CapabilityCard]] = {}
    rows = (OrganizationCapability.objects.filter(organization_id__in=list(ids))
            .order_by("capability__kind", "capability__reading", "capability__label", "id")
            .values_list("organization_id", "capability_id", "capability__slug", "capability__label",
                         "capability__label_en", "capability__kind"))
    for org_id, *card in rows:
        out.setdefault(org_id, []).append(CapabilityCard(*card))
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
    capability_rows, municipalities, divisions = _labels()
    kinds, smes = dict(OrganizationKind.choices), dict(SmeClass.choices)
    bands = {str(b): (f"{low}〜{high}人" if high is not None else f"{low}人以上") for b, low, high in EMPLOYEE_BANDS}
    out: dict[str, list[FacetValue]] = {}
    for facet in FACETS:
        source = "capability" if facet == "material" else facet
        values = []
        for value, count in buckets[source]:
            if source == "capability":
                label, kind = capability_rows.get(value, (value, ""))
                if (kind == "material") != (facet == "material"):
                    continue
            elif facet == "municipality":
                label = municipalities.get(value, value)
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


def _labels() -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, str]]:
    """Labels of facet values (capabilities, municipalities, JSIC 中分類), kept for LABELS_TTL seconds:
    reference data that staff rarely edit, read by every search."""
    from monozukuri.core.models import Municipality
    from monozukuri.directory.models import Capability, IndustryDivision

    now = time.monotonic()
    if _LABELS.get("at", -LABELS_TTL) + LABELS_TTL < now:
        _LABELS["value"] = (
            {str(pk): (label, kind) for pk, label, kind in Capability.objects.values_list("pk", "label", "kind")},
            dict(Municipality.objects.values_list("code", "name")),
            dict(IndustryDivision.objects.values_list("code", "name")),
        )
        _LABELS["at"] = now
    return _LABELS["value"]


def organization_search_json(*, user: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The API's answer for ``GET /api/v1/organizations/?q=…``: ``{count, results, facets}``.

    ``count`` is exact up to 10,000; past it ``count_capped`` is true and ``count_estimate`` gives the
    estimated total. Each result has the organisation's public card plus ``score`` (relevance, when the
    page was ranked; null otherwise), ``snippet`` (HTML: escaped text with ``<mark>`` around matches) and
    ``distance_km`` (with a reference point). Facet counts are estimates when ``facets_estimated``.
    """
    result = organization_search(user=user, params=params)
    return {
        "count": result.count,
        "count_capped": result.count_capped,
        "count_estimate": result.count_estimate,
        "page": result.params.page,
        "page_size": result.params.page_size,
        "results": [_card(hit) for hit in result.hits],
        "facets": {facet: [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                           for v in values] for facet, values in result.facets.items()},
        "facets_estimated": result.facets_estimated,
    }


def _card(hit: SearchHit) -> dict[str, Any]:
    org = hit.organization
    return {
        "id": org.pk,
        "corporate_number": org.corporate_number,
        "name": org.name,
        "kana": org.kana,
        "name_en": org.name_en,
        "kind": org.kind,
        "municipality": {"code": org.municipality.code, "name": org.municipality.name} if org.municipality else None,
        "industry": {"code": org.industry.code, "name": org.industry.name} if org.industry else None,
        "capabilities": [{"id": c.id, "slug": c.slug, "label": c.label} for c in hit.capabilities],
        "summary": org.summary,
        "last_confirmed_on": org.last_confirmed_on.isoformat() if org.last_confirmed_on else None,
        "score": round(hit.score, 6) if hit.score is not None else None,
        "snippet": str(hit.snippet),
        "distance_km": round(hit.distance_km, 3) if hit.distance_km is not None else None,
    }


def substring_count_corpus() -> SubstringCorpus:
    """Every live organisation's indexed text, normalised, for checking counts by substring (bench/)."""
    vocabulary = search_services.index_vocabulary()
    capabilities = capability_infos()
    texts = []
    source = OrganizationIndexSource()
    for first, last in source.ranges(municipality=None, size=5000):
        for org in source.records(first, last, municipality=None):
            fields = [normalize(org.name, for_name=True), reading_text(org.kana, vocabulary),
                      normalize(org.name_en, for_name=True),
                      *(normalize(capabilities[c].text) for c in org.capability_ids if c in capabilities),
                      normalize(org.industry_name), normalize(org.kind_label), normalize(org.summary),
                      normalize(org.products), normalize(f"{org.city} {org.town}")]
            prepared = [vocabulary.apply_variants(f) for f in fields]
            expansions = [s for f in prepared for s in vocabulary.expansion_snippets(f)]
            texts.append("\n".join(prepared + expansions))
    return SubstringCorpus(texts)


@dataclass
class SubstringCorpus:
    texts: list[str]

    def count(self, term: str) -> int:
        return sum(1 for text in self.texts if term in text)
