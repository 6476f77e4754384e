"""GET /api/v1/municipalities/: the municipalities reference list."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers, viewsets

from monozukuri.core.models import Municipality
from monozukuri.core.selectors import municipality_list


class MunicipalitySerializer(serializers.ModelSerializer[Municipality]):
    class Meta:
        model = Municipality
        fields = ["code", "name", "kana", "name_en", "kind"]


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet[Municipality]):
    """Tokyo's 62 municipalities and TMG (130001), with validated codes."""

    serializer_class = MunicipalitySerializer
    lookup_field = "code"
    filterset_fields = ["kind"]

    def get_queryset(self) -> QuerySet[Municipality]:
        return municipality_list()
