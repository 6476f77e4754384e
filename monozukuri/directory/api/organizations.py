"""GET /api/v1/organizations/ (paginated, filtered) and /api/v1/organizations/{id or 法人番号}/.

Each organisation holds only the fields the caller may read (visibility.Viewer, once per request).
A bad filter value is answered 400 with a message naming it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from monozukuri.directory import selectors
from monozukuri.directory.models import Organization, OrganizationKind, OrganizationStatus, SmeClass
from monozukuri.directory.serializers import OrganizationSerializer
from monozukuri.directory.visibility import Viewer

PAGINATION_KEYS = ("page", "page_size", "format")

FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="名称・よみがな・英語名に含まれる語 (words in the name)"),
    OpenApiParameter("municipality", str, description="団体コード (6 digits), e.g. 131075"),
    OpenApiParameter("kind", str, enum=OrganizationKind.values),
    OpenApiParameter("jsic", str, description="JSIC 大分類 letter (E) or 中分類 (09, E09)"),
    OpenApiParameter("capability", str, description="Capability slug or id; several separated by commas "
                                                    "(all must match; narrower capabilities count)"),
    OpenApiParameter("employees_min", int), OpenApiParameter("employees_max", int),
    OpenApiParameter("sme_class", str, enum=SmeClass.values),
    OpenApiParameter("certification", str, description="Name of a certification held and not lapsed"),
    OpenApiParameter("status", str, enum=OrganizationStatus.values),
]


@extend_schema_view(
    list=extend_schema(parameters=FILTER_PARAMETERS),
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

    def get_queryset(self) -> QuerySet[Organization]:
        params = self.request.query_params
        unknown = sorted(set(params) - set(selectors.FILTER_KEYS) - set(PAGINATION_KEYS))
        if unknown:
            raise serializers.ValidationError({key: [_("この検索条件はありません。使える条件: %(keys)s")
                                                     % {"keys": ", ".join(selectors.FILTER_KEYS)}]
                                               for key in unknown})
        return selectors.organization_list(user=self.request.user, filters=params, viewer=self.viewer,
                                           with_parts=True)

    def get_object(self) -> Organization:
        return selectors.organization_get(user=self.request.user, key=self.kwargs["pk"])
