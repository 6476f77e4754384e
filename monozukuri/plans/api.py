"""GET /api/v1/plans/ and /api/v1/plans/{id}/, and one POST per plan transition."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from monozukuri.core.identifiers import validate_municipality_code
from monozukuri.plans import selectors, services
from monozukuri.plans.models import Plan, PlanStatus
from monozukuri.plans.serializers import PlanSerializer


class ReturnSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField()


@extend_schema(parameters=[
    OpenApiParameter("municipality", str, description="団体コード (6 digits), e.g. 131075"),
    OpenApiParameter("status", str, enum=PlanStatus.values),
])
class PlanViewSet(viewsets.ReadOnlyModelViewSet[Plan]):
    """Plans the caller may see: published ones for everyone, drafts for their office and TMG."""

    serializer_class = PlanSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Plan]:
        status = self.request.query_params.get("status") or None
        if status is not None and status not in PlanStatus.values:
            raise serializers.ValidationError({"status": _(
                "状態「%(value)s」はありません。次のいずれかを指定してください: %(choices)s"
            ) % {"value": status, "choices": ", ".join(PlanStatus.values)}})
        code = self.request.query_params.get("municipality") or None
        if code is not None:
            try:
                code = validate_municipality_code(code)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"municipality": exc.messages}) from exc
        with scopes_disabled():
            return selectors.plan_queryset_with_parts(selectors.plan_list(
                user=self.request.user, municipality_code=code, status=status,
            ))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with scopes_disabled():  # the queryset is already limited to what the caller may see
            return super().list(request, *args, **kwargs)

    def get_object(self) -> Plan:
        return selectors.plan_get(user=self.request.user, pk=self.kwargs["pk"], with_parts=True)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        with scopes_disabled():
            return Response(self.get_serializer(plan).data)

    def _respond(self, plan: Plan) -> Response:
        return self.retrieve(self.request, pk=plan.pk)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def submit(self, request: Request, pk: str) -> Response:
        return self._respond(services.plan_submit(actor=request.user, plan=self.get_object()))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def approve(self, request: Request, pk: str) -> Response:
        return self._respond(services.plan_approve(actor=request.user, plan=self.get_object()))

    @extend_schema(request=ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return", permission_classes=[IsAuthenticated])
    def return_(self, request: Request, pk: str) -> Response:
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._respond(services.plan_return(actor=request.user, plan=self.get_object(),
                                                  reason=data.validated_data["reason"]))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def close(self, request: Request, pk: str) -> Response:
        return self._respond(services.plan_close(actor=request.user, plan=self.get_object()))
