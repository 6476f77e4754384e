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

from monozukuri.directory.indexing.documents import (
    EMPLOYEE_BANDS,
    FACET_PREFIXES,
    CapabilityInfo,
    OrganizationIndexSource,
    OrganizationSource,
    SubstringCorpus,
    build_documents,
    capability_infos,
    employees_band,
    organization_document,
    organization_documents,
    organization_sources,
    organizations_reindex,
    substring_count_corpus,
)
from monozukuri.directory.indexing.params import SEARCH_KEYS, SearchParams, organization_search_params
from monozukuri.directory.indexing.search import (
    FACETS,
    CapabilityCard,
    FacetValue,
    SearchHit,
    SearchResult,
    organization_search,
    organization_search_ids,
)

__all__ = [
    "EMPLOYEE_BANDS",
    "FACETS",
    "FACET_PREFIXES",
    "SEARCH_KEYS",
    "CapabilityCard",
    "CapabilityInfo",
    "FacetValue",
    "OrganizationIndexSource",
    "OrganizationSource",
    "SearchHit",
    "SearchParams",
    "SearchResult",
    "SubstringCorpus",
    "build_documents",
    "capability_infos",
    "employees_band",
    "organization_document",
    "organization_documents",
    "organization_search",
    "organization_search_ids",
    "organization_search_params",
    "organization_sources",
    "organizations_reindex",
    "substring_count_corpus",
]
