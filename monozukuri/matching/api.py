"""The matching API: requests (with candidates and one endpoint per transition) and introductions.

Every answer goes through the same selectors and presenters as the pages: a request another office owns
is 404, an anonymous requester is an alias for whoever may not know it, and a refused step is 403 (the
record is visible but the step is not the caller's) or 400 with a message a person can read.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from monozukuri.core.api.pagination import PageNumberPagination
from monozukuri.matching import permissions, selectors, serializers
from monozukuri.matching.presenters import consented_request_ids, present_request
from monozukuri.matching.services import introductions as intro_services
from monozukuri.matching.services import requests as request_services
from monozukuri.matching.services.introductions import candidate_name


def _card_json(matching_request: Any, user: Any, consented: set[int] | None = None) -> dict[str, Any]:
    flag = None if consented is None else matching_request.pk in consented
    return present_request(matching_request, user, consented=flag).as_dict()


def _organization(user: Any, key: Any) -> Any:
    from monozukuri.directory.selectors import organization_get

    return organization_get(user=user, key=key, with_parts=False)


class PartnerRequestViewSet(viewsets.ViewSet):
    """Matching requests and offers (マッチング依頼)."""

    lookup_value_regex = r"\d+"

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, enum=list(selectors.SCOPES)),
            OpenApiParameter("q", str),
            OpenApiParameter("kind", str),
        ],
        responses=OpenApiTypes.OBJECT,
        operation_id="requests_list",
    )
    def list(self, request: Request) -> Response:
        rows = selectors.request_list(
            user=request.user,
            scope=request.query_params.get("scope", "published"),
            q=request.query_params.get("q", "")[:200],
            kind=request.query_params.get("kind", ""),
        )
        paginator = PageNumberPagination()
        page: list[Any] = paginator.paginate_queryset(rows, request, view=self) or []
        consented = consented_request_ids(request.user, [r.pk for r in page])
        return paginator.get_paginated_response([_card_json(r, request.user, consented) for r in page])

    @extend_schema(request=serializers.RequestCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def create(self, request: Request) -> Response:
        data = serializers.RequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        key = values.pop("requester", None)
        if key is not None:
            requester = _organization(request.user, key)
        else:
            from monozukuri.matching.views.common import organizations_of

            own = organizations_of(request.user)
            if len(own) != 1:
                from rest_framework.exceptions import ValidationError

                message = _("依頼する企業・団体（requester）を指定してください。")
                raise ValidationError({"requester": [message]})
            requester = own[0]
        values["capability_ids"] = values.pop("capabilities", [])
        created = request_services.request_create(actor=request.user, requester=requester, **values)
        return Response(
            _card_json(selectors.request_get(user=request.user, pk=created.pk), request.user),
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(_card_json(selectors.request_get(user=request.user, pk=pk), request.user))

    @extend_schema(parameters=[OpenApiParameter("limit", int)], responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["get"])
    def candidates(self, request: Request, pk: str | None = None) -> Response:
        """Ranked candidates with `score`, `reasons` and `breakdown` (requester's side and office only)."""
        matching_request = selectors.request_get(user=request.user, pk=pk)
        try:
            limit = max(1, min(50, int(request.query_params.get("limit", "20"))))
        except ValueError:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"limit": [_("limit は1〜50の整数で指定してください。")]}) from None
        if matching_request.kind == "offer":
            matches = selectors.offer_matches(user=request.user, request=matching_request, limit=limit)
            consented = consented_request_ids(request.user, [m.request.pk for m in matches])
            return Response(
                {
                    "count": len(matches),
                    "results": [
                        {
                            **serializers.scored_json(m.scored),
                            "type": "request",
                            "request": _card_json(m.request, request.user, consented),
                        }
                        for m in matches
                    ],
                }
            )
        ranking = selectors.candidate_list(user=request.user, request=matching_request, limit=limit)
        return Response(serializers.ranking_json(ranking))

    def _run(
        self, request: Request, pk: str | None, service: Any, payload: type | None = None, **extra: Any
    ) -> Response:
        matching_request = selectors.request_get(user=request.user, pk=pk)
        kwargs: dict[str, Any] = {}
        if payload is not None:
            data = payload(data=request.data)
            data.is_valid(raise_exception=True)
            kwargs = dict(data.validated_data)
        service(actor=request.user, request=matching_request, **kwargs, **extra)
        return Response(_card_json(selectors.request_get(user=request.user, pk=pk), request.user))

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._run(request, pk, request_services.request_submit)

    @extend_schema(request=serializers.RequestReturnSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._run(request, pk, request_services.request_return, serializers.RequestReturnSerializer)

    @extend_schema(request=serializers.PublishSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        matching_request = selectors.request_get(user=request.user, pk=pk)
        data = serializers.PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = None
        if data.validated_data.get("measure"):
            from monozukuri.plans.selectors import measure_get

            measure = measure_get(user=request.user, pk=data.validated_data["measure"])
        request_services.request_publish(
            actor=request.user,
            request=matching_request,
            measure=measure,
            checklist={i: True for i in data.validated_data["checklist"]},
            expires_on=data.validated_data.get("expires_on"),
        )
        return Response(_card_json(selectors.request_get(user=request.user, pk=pk), request.user))

    @extend_schema(request=serializers.ReasonSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        return self._run(request, pk, request_services.request_close, serializers.ReasonSerializer)

    @extend_schema(request=serializers.ReasonSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        return self._run(request, pk, request_services.request_withdraw, serializers.ReasonSerializer)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def renew(self, request: Request, pk: str | None = None) -> Response:
        return self._run(request, pk, request_services.request_renew)

    @extend_schema(request=None, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def expire(self, request: Request, pk: str | None = None) -> Response:
        return self._run(request, pk, request_services.request_expire)

    @extend_schema(request=serializers.ProposeSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def introductions(self, request: Request, pk: str | None = None) -> Response:
        """Propose an introduction to an organisation or an adviser."""
        matching_request = selectors.request_get(user=request.user, pk=pk)
        data = serializers.ProposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = (
            _organization(request.user, values["organization"]) if values.get("organization") else None
        )
        adviser = (
            selectors.adviser_get(user=request.user, pk=values["adviser"]) if values.get("adviser") else None
        )
        intro = intro_services.introduction_propose(
            actor=request.user,
            request=matching_request,
            organization=organization,
            adviser=adviser,
            message=values.get("message", ""),
            consent=bool(values.get("consent"))
            and permissions.is_requester_side(request.user, matching_request),
        )
        return Response(_intro_json(request.user, intro.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.InterestSerializer, responses={201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def interest(self, request: Request, pk: str | None = None) -> Response:
        """A firm (or the caller as adviser) expresses interest in a published request."""
        matching_request = selectors.request_get(user=request.user, pk=pk)
        data = serializers.InterestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = (
            _organization(request.user, data.validated_data["organization"])
            if data.validated_data.get("organization")
            else None
        )
        intro = intro_services.introduction_express_interest(
            actor=request.user,
            request=matching_request,
            organization=organization,
            message=data.validated_data.get("message", ""),
        )
        return Response(_intro_json(request.user, intro.pk), status=status.HTTP_201_CREATED)


def _intro_json(user: Any, pk: int) -> dict[str, Any]:
    intro = selectors.introduction_get(user=user, pk=pk)
    from django.db.models import prefetch_related_objects

    with scopes_disabled():
        prefetch_related_objects([intro.request], "capability_links__capability", "attachments")
        card = present_request(intro.request, user)
    return serializers.introduction_json(
        intro,
        card,
        candidate_name=candidate_name(intro),
        contacts=permissions.can_see_candidate_contact(user, intro),
    )


class IntroductionViewSet(viewsets.ViewSet):
    """Introductions (紹介) and their steps to an outcome."""

    lookup_value_regex = r"\d+"

    permission_classes = [drf_permissions.IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="introductions_list")
    def list(self, request: Request) -> Response:
        rows = selectors.introduction_list(user=request.user)
        paginator = PageNumberPagination()
        page: list[Any] = paginator.paginate_queryset(rows, request, view=self) or []
        return paginator.get_paginated_response([_intro_json(request.user, i.pk) for i in page])

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(_intro_json(request.user, selectors.introduction_get(user=request.user, pk=pk).pk))

    def _step(
        self,
        request: Request,
        pk: str | None,
        service: Any,
        payload: type,
        rename: dict[str, str] | None = None,
    ) -> Response:
        intro = selectors.introduction_get(user=request.user, pk=pk)
        data = payload(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {(rename or {}).get(k, k): v for k, v in data.validated_data.items()}
        service(actor=request.user, intro=intro, **kwargs)
        return Response(_intro_json(request.user, intro.pk))

    @extend_schema(request=serializers.ConsentSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, pk, intro_services.introduction_consent, serializers.ConsentSerializer)

    @extend_schema(request=serializers.MeetingSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def meeting(self, request: Request, pk: str | None = None) -> Response:
        return self._step(
            request, pk, intro_services.introduction_record_meeting, serializers.MeetingSerializer
        )

    @extend_schema(request=serializers.AgreementSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def agreement(self, request: Request, pk: str | None = None) -> Response:
        return self._step(
            request, pk, intro_services.introduction_record_agreement, serializers.AgreementSerializer
        )

    @extend_schema(request=serializers.ContractSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def contract(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, pk, intro_services.introduction_contract, serializers.ContractSerializer)

    @extend_schema(request=serializers.DeclineSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, pk, intro_services.introduction_decline, serializers.DeclineSerializer)

    @extend_schema(request=serializers.OutcomeSerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        return self._step(
            request, pk, intro_services.introduction_report_outcome, serializers.OutcomeSerializer
        )
