"""GET /api/v1/organizations/ (paginated, filtered, searched) and /api/v1/organizations/{id or 法人番号}/.

Each organisation holds only the fields the caller may read (visibility.Viewer, once per request).
A bad parameter is answered 400 with a message naming it; the text of ``q`` is never an error.

The list has two modes. Without search parameters it is the directory in reading order, filtered on
the fields the caller may read (exact counts). With ``q`` — even empty — or a parameter only the search
knows (sort, distance, material, employees band), the Japanese search answers: ranked hits with a
score and a snippet, counts capped past the engine's limit, and facet counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from monozukuri.directory import selectors
from monozukuri.directory.indexing import (
    SEARCH_KEYS,
    SearchResult,
    organization_search,
    organization_search_params,
)
from monozukuri.directory.indexing.params import MAX_PAGE_SIZE, SEARCH_ONLY_KEYS
from monozukuri.directory.models import Organization, OrganizationKind, OrganizationStatus, SmeClass
from monozukuri.directory.serializers import (
    OrganizationHitSerializer,
    OrganizationSearchPageSerializer,
    OrganizationSerializer,
)
from monozukuri.directory.visibility import Viewer
from monozukuri.search.engine import SORTS

PAGINATION_KEYS = ("page", "page_size", "format")
ALLOWED_KEYS = tuple(dict.fromkeys((*selectors.FILTER_KEYS, *SEARCH_KEYS, *PAGINATION_KEYS)))

FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description=(
        "検索語 (search text): words ANDed (any space, U+3000 too), \"quoted phrase\", -excluded. "
        "Widths, kana, variants (鈑金/板金) and synonyms (SUS304/ステンレス) are folded. Present, even "
        "empty, it turns the list into a search (score, snippet, facets).")),
    OpenApiParameter("municipality", str, description="団体コード (6 digits), e.g. 131075; with q, several "
                                                      "separated by commas match any"),
    OpenApiParameter("kind", str, enum=OrganizationKind.values),
    OpenApiParameter("jsic", str, description="JSIC 大分類 letter (E) or 中分類 (09, E09)"),
    OpenApiParameter("capability", str, description="Capability slug or id; several separated by commas "
                                                    "(all must match; narrower capabilities count)"),
    OpenApiParameter("material", str, description="Search: a material (capability of kind material), "
                                                  "slug or id"),
    OpenApiParameter("employees", int, description="Search: employees band 1–7 (see the facet)"),
    OpenApiParameter("employees_min", int), OpenApiParameter("employees_max", int),
    OpenApiParameter("sme_class", str, enum=SmeClass.values),
    OpenApiParameter("certification", str, description="Certification held and not lapsed: part of its "
                                                       "name; with q, the whole name (ISO 9001)"),
    OpenApiParameter("status", str, enum=OrganizationStatus.values),
    OpenApiParameter("sort", str, enum=list(SORTS), description="Search: relevance (default), distance "
                                                              "(needs a reference point), name (gojūon), "
                                                              "confirmed (newest first)"),
    OpenApiParameter("near", str, description="Search: reference point 'lat,lon', e.g. 35.71,139.80"),
    OpenApiParameter("postcode", str, description="Search: reference point, a Tokyo postcode (7 digits)"),
    OpenApiParameter("near_org", int, description="Search: reference point, another organisation's id"),
    OpenApiParameter("km", float, description="Search: keep those within this many km of the reference "
                                              "point (0.1–1000)"),
]


def _search_mode(params: Mapping[str, Any]) -> bool:
    """Any search-only parameter, even empty (``?q=``), turns the API's list into a search."""
    return any(key in params for key in SEARCH_ONLY_KEYS)


def _query_params(raw: QueryDict) -> QueryDict:
    """The query without NUL characters (PostgreSQL refuses them in any string; no value means one), and
    with a page_size past the maximum lowered to it (as the plain list does) rather than refused."""
    params = QueryDict(mutable=True)
    for key, values in raw.lists():
        params.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
    size = params.get("page_size", "")
    if size.isascii() and size.isdigit() and int(size) > MAX_PAGE_SIZE:
        params["page_size"] = str(MAX_PAGE_SIZE)
    return params


@extend_schema_view(
    list=extend_schema(parameters=FILTER_PARAMETERS, responses=OrganizationSearchPageSerializer),
    retrieve=extend_schema(parameters=[OpenApiParameter(
        "id", str, OpenApiParameter.PATH, description="Record id, or the 13-digit 法人番号")]),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[Organization]):
    """Organisations across Tokyo; fields the caller may not read are left out of each object."""

    serializer_class = OrganizationSerializer
    filter_backends: list[Any] = []
    lookup_value_regex = r"[0-9]+"

    @cached_property
    def viewer(self) -> Viewer:
        return Viewer.of(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": self.viewer}

    @cached_property
    def params(self) -> QueryDict:
        return _query_params(self.request.query_params)

    def _refuse_unknown(self) -> None:
        unknown = sorted(set(self.params) - set(ALLOWED_KEYS))
        if unknown:
            raise serializers.ValidationError({key[:40]: [_("この検索条件はありません。使える条件: %(keys)s")
                                                          % {"keys": ", ".join(ALLOWED_KEYS)}]
                                               for key in unknown})

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organization_list(user=self.request.user, filters=self.params,
                                           viewer=self.viewer, with_parts=True)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self._refuse_unknown()
        if not _search_mode(self.params):
            return super().list(request, *args, **kwargs)
        params = organization_search_params(self.params)
        viewer = self.viewer
        result = organization_search(  # the page's organisations read once, with what the viewer sees
            user=request.user, params=params, cards=False,
            load=lambda ids: selectors.organization_parts_for(ids, viewer))
        return Response(self._search_page(request, result))

    def _search_page(self, request: Request, result: SearchResult) -> dict[str, Any]:
        hits = {hit.organization.pk: hit for hit in result.hits}
        context = {**self.get_serializer_context(), "hits": hits,
                   "with_distance": result.params.center is not None}
        ordered = [hit.organization for hit in result.hits]
        url = request.build_absolute_uri()
        page = result.params.page
        return {
            "count": result.count,
            "count_capped": result.count_capped,
            "count_estimate": result.count_estimate,
            "next": replace_query_param(url, "page", page + 1) if page < result.pages else None,
            "previous": (None if page <= 1 else remove_query_param(url, "page") if page == 2
                         else replace_query_param(url, "page", page - 1)),
            "results": OrganizationHitSerializer(ordered, many=True, context=context).data,
            "facets": {facet: [{"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}
                               for v in values] for facet, values in result.facets.items()},
            "facets_estimated": result.facets_estimated,
        }

    def get_object(self) -> Organization:
        return selectors.organization_get(user=self.request.user, key=self.kwargs["pk"])
