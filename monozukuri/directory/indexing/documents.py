"""Organisations as index documents: which fields, weights, facets and sort keys; reindexing; the
rebuild's source of records."""



from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from monozukuri.core.queries import ids_in
from monozukuri.search import services as search_services
from monozukuri.search.analysis import (
    SEGMENT_BREAK,
    Vocabulary,
    normalize,
    reading_text,
    reading_tokens,
    tokens,
)
from monozukuri.search.documents import (
    IndexDocument,
    char_tokens,
    confirmed_key,
    facet_text_token,
    gojuon_key,
    indexed_facet_token,
    rank_of,
)
from monozukuri.search.geo import Point, municipality_centroid

# Facet → token prefix (see search.documents.facet_token).
FACET_PREFIXES = {
    "municipality": "m",
    "kind": "k",
    "jsic": "j",
    "jsic_major": "l",
    "capability": "c",
    "certification": "x",
    "employees": "e",
    "sme_class": "s",
    "status": "t",
}
# Employee bands (従業員数): (token value, lowest, highest or None).
EMPLOYEE_BANDS: tuple[tuple[int, int, int | None], ...] = (
    (1, 0, 4),
    (2, 5, 9),
    (3, 10, 19),
    (4, 20, 49),
    (5, 50, 99),
    (6, 100, 299),
    (7, 300, None),
)
_BREAK = f" {SEGMENT_BREAK} "


def employees_band_label(band: int) -> str:
    """A band as a person reads it, in the active language: 「5〜9人」, 「300人以上」."""
    for value, low, high in EMPLOYEE_BANDS:
        if value == band:
            if high is None:
                return gettext("%(low)s人以上") % {"low": low}
            return gettext("%(low)s〜%(high)s人") % {"low": low, "high": high}
    return str(band)


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


def organization_document(
    org: OrganizationSource,
    *,
    capabilities: dict[int, CapabilityInfo],
    vocabulary: Vocabulary,
    today: datetime.date,
    shared: dict[str, list[str]] | None = None,
) -> IndexDocument:
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

    name = _join(
        [
            tokens(org.name, vocabulary, for_name=True),
            reading_tokens(org.kana, vocabulary),
            tokens(org.name_en, vocabulary, for_name=True),
        ]
    )
    held: set[int] = set()
    for cap_id in org.capability_ids:  # a capability also counts for its ancestors (旋盤加工 → 切削加工)
        current: int | None = cap_id
        while current is not None and current in capabilities and current not in held:
            held.add(current)
            current = capabilities[current].parent_id
    own = [capabilities[c].text for c in org.capability_ids if c in capabilities]
    tags = _join([common(text) for text in (*own, org.industry_name, org.kind_label)])
    body = _join(
        [tokens(org.summary, vocabulary), tokens(org.products, vocabulary), common(f"{org.city} {org.town}")]
    )
    facets = [indexed_facet_token("k", org.kind)]
    extra = [indexed_facet_token("t", org.status)]  # filters without a facet panel: matched, not counted
    if org.municipality_code:
        facets.append(indexed_facet_token("m", org.municipality_code))
    if org.industry_code:
        facets.append(indexed_facet_token("j", org.industry_code))
    if org.industry_major:
        extra.append(indexed_facet_token("l", org.industry_major.lower()))
    facets.extend(indexed_facet_token("c", c) for c in sorted(held))
    employees = None
    if _public(org.visibility, "size"):
        employees = org.employees
        band = employees_band(org.employees)
        if band is not None:
            facets.append(indexed_facet_token("e", band))
        if org.sme_class and org.sme_class != "unknown":
            facets.append(indexed_facet_token("s", org.sme_class))
    if _public(org.visibility, "certifications"):
        names = {
            facet_text_token("x", n)
            for n, expires in org.certifications
            if n.strip() and (expires is None or expires >= today)
        }
        facets.extend(sorted(names))
    point = None
    if org.latitude is not None and org.longitude is not None and _public(org.visibility, "address"):
        point = Point(org.latitude, org.longitude)
    else:
        point = municipality_centroid(org.municipality_code)
    filled = [
        len(org.summary) >= 50,
        bool(org.products),
        bool(org.capability_ids),
        bool(org.website),
        bool(org.kana),
        bool(org.name_en),
    ]
    return IndexDocument(
        object_id=org.id,
        name=name,
        tags=tags,
        body=body,
        facets=tuple(facets),
        rank=rank_of(confirmed=org.last_confirmed_on, completeness=sum(filled) / len(filled)),
        sort_name=gojuon_key(org.kana, org.name),
        confirmed_key=confirmed_key(org.last_confirmed_on),
        employees=employees,
        point=point,
        extra=tuple(extra),
        chars=char_tokens(name, tags, body),
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
    "id",
    "name",
    "kana",
    "name_en",
    "kind",
    "status",
    "municipality__code",
    "city",
    "town",
    "industry__code",
    "industry__major_code",
    "industry__name",
    "summary",
    "products",
    "website",
    "employees",
    "sme_class",
    "latitude",
    "longitude",
    "visibility",
    "last_confirmed_on",
)


def organization_sources(
    ids: Sequence[int] | None = None,
    *,
    after_id: int = 0,
    limit: int | None = None,
    id_range: tuple[int, int] | None = None,
    municipality_code: str | None = None,
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
        qs = qs.filter(ids_in("pk", ids))
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
    for org_id, cap_id in (
        OrganizationCapability.objects.filter(ids_in("organization_id", found))
        .order_by("organization_id", "id")
        .values_list("organization_id", "capability_id")
    ):
        caps.setdefault(org_id, []).append(cap_id)
    certs: dict[int, list[tuple[str, datetime.date | None]]] = {}
    held = Certification.objects.filter(ids_in("organization_id", found))
    for org_id, cert_name, expires in held.values_list("organization_id", "name", "expires_on"):
        certs.setdefault(org_id, []).append((cert_name, expires))
    labels = {value: str(label) for value, label in OrganizationKind.choices}  # translated once
    out = []
    for r in rows:
        (
            pk,
            name,
            kana,
            name_en,
            kind,
            status,
            muni,
            city,
            town,
            ind_code,
            ind_major,
            ind_name,
            summary,
            products,
            website,
            employees,
            sme_class,
            lat,
            lon,
            visibility,
            confirmed,
        ) = r
        out.append(
            OrganizationSource(
                id=pk,
                name=name,
                kana=kana,
                name_en=name_en,
                kind=kind,
                kind_label=labels.get(kind, ""),
                status=status,
                municipality_code=muni,
                city=city,
                town=town,
                industry_code=ind_code,
                industry_major=ind_major,
                industry_name=ind_name or "",
                summary=summary,
                products=products,
                website=website,
                employees=employees,
                sme_class=sme_class,
                latitude=lat,
                longitude=lon,
                visibility=visibility or {},
                last_confirmed_on=confirmed,
                capability_ids=tuple(caps.get(pk, ())),
                certifications=tuple(certs.get(pk, ())),
            )
        )
    return out


def organization_documents(
    sources: Iterable[OrganizationSource],
    *,
    vocabulary: Vocabulary,
    capabilities: dict[int, CapabilityInfo] | None = None,
    today: datetime.date | None = None,
) -> Iterator[IndexDocument]:
    caps = capability_infos() if capabilities is None else capabilities
    day = today or timezone.localdate()
    shared: dict[str, list[str]] = {}
    for source in sources:
        yield organization_document(
            source, capabilities=caps, vocabulary=vocabulary, today=day, shared=shared
        )


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
            chunk = wanted[start : start + 500]
            sources = organization_sources(chunk)
            docs = list(organization_documents(sources, vocabulary=vocabulary, capabilities=capabilities))
            search_services.index_upsert(docs)
            present = {s.id for s in sources}
            search_services.index_delete([i for i in chunk if i not in present])


def build_documents(
    records: Sequence[OrganizationSource], capabilities: dict[int, CapabilityInfo], vocabulary: Vocabulary
) -> list[IndexDocument]:
    """Documents of a batch (run in the rebuild's worker processes: no database access)."""
    today = timezone.localdate()
    shared: dict[str, list[str]] = {}
    return [
        organization_document(r, capabilities=capabilities, vocabulary=vocabulary, today=today, shared=shared)
        for r in records
    ]


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
            cursor.execute(
                f"SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {table} "
                f"WHERE {where}) numbered WHERE n %% %s = 1 ORDER BY id",
                [*params, size],
            )
            starts = [row[0] for row in cursor.fetchall()]
        return [
            (start, (starts[i + 1] - 1) if i + 1 < len(starts) else 2**62) for i, start in enumerate(starts)
        ]

    def records(self, first: int, last: int, *, municipality: str | None) -> list[OrganizationSource]:
        return organization_sources(id_range=(first, last), municipality_code=municipality)

    def context(self) -> dict[int, CapabilityInfo]:
        return capability_infos()

    def reindex(self, ids: Sequence[int]) -> None:
        organizations_reindex(ids)

    def changed_since(self, when: datetime.datetime) -> list[int]:
        from monozukuri.directory.models import Organization

        return list(Organization.objects.filter(updated_at__gte=when).values_list("id", flat=True))


def substring_count_corpus() -> SubstringCorpus:
    """Every live organisation's indexed text, normalised, for checking counts by substring (bench/)."""
    vocabulary = search_services.index_vocabulary()
    capabilities = capability_infos()
    texts = []
    source = OrganizationIndexSource()
    for first, last in source.ranges(municipality=None, size=5000):
        for org in source.records(first, last, municipality=None):
            # As organization_document analyses them: synonyms are expanded in the name, summary and
            # products; the reading, taxonomy, industry, kind and place texts are matched as written
            # (variants only).
            expanded = [
                normalize(org.name, for_name=True),
                normalize(org.name_en, for_name=True),
                normalize(org.summary),
                normalize(org.products),
            ]
            plain = [
                reading_text(org.kana, vocabulary),
                *(normalize(capabilities[c].text) for c in org.capability_ids if c in capabilities),
                normalize(org.industry_name),
                normalize(org.kind_label),
                normalize(f"{org.city} {org.town}"),
            ]
            prepared = [vocabulary.apply_variants(f) for f in expanded]
            expansions = [s for f in prepared for s in vocabulary.expansion_snippets(f)]
            texts.append("\n".join(prepared + [vocabulary.apply_variants(f) for f in plain] + expansions))
    return SubstringCorpus(texts)


@dataclass
class SubstringCorpus:
    texts: list[str]

    def count(self, term: str) -> int:
        return sum(1 for text in self.texts if term in text)
