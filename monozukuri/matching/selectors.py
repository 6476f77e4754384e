"""Reads of matching, already limited to what the caller may see ("not yours" is 404, as "not there").

Requests and introductions belong to the reviewing municipality and their managers refuse to run
unscoped; these selectors run with scopes disabled and apply the visibility rule themselves
(permissions.py). A request is shown through presenters.present_request, which hides an anonymous
requester from everyone who may not know it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django_scopes import scopes_disabled

from monozukuri.core.tenancy import staff_municipality_ids
from monozukuri.matching import permissions
from monozukuri.matching.models import (
    Adviser,
    Introduction,
    KpiMetricLink,
    PartnerRequest,
    RankingProfile,
    RequestCapability,
    RequestKind,
    RequestStatus,
)
from monozukuri.matching.ranking import Ranking, RequestSpec, rank, rank_for_offer
from monozukuri.matching.ranking.rank import OfferMatch
from monozukuri.matching.ranking.weights import weights_of

SCOPES = ("published", "mine", "office")


def _pk(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number < 2**62:
        raise Http404
    return number


def _with_parts(qs: QuerySet[PartnerRequest]) -> QuerySet[PartnerRequest]:
    return qs.select_related(
        "requester__municipality", "municipality", "measure", "created_by"
    ).prefetch_related(
        Prefetch(
            "capability_links",
            queryset=RequestCapability.objects.select_related("capability").order_by("source", "id"),
        ),
        "attachments",
    )


def office_municipality_ids(user: Any) -> list[int] | None:
    """Municipalities whose requests the user reviews: None for all (platform admin), [] for none.
    TMG officers oversee plans, not firms' requests: they get none here."""
    if permissions.is_admin(user):
        return None
    if permissions.is_staff(user):
        return [i for i in (staff_municipality_ids(user) or []) if i]
    return []


def request_list(
    *, user: Any, scope: str = "published", q: str = "", kind: str = "", status: str = ""
) -> list[PartnerRequest]:
    """Requests of one list: ``published`` (open to signed-in partners), ``mine`` (the user's
    organisations'), ``office`` (the user's municipality's, any stage). ``q`` searches the words of the
    request — and the requester's name only where the user may know it."""
    if scope not in SCOPES:
        scope = "published"
    members = list(permissions.member_organization_ids(user))
    offices = office_municipality_ids(user)
    with scopes_disabled():
        qs = PartnerRequest.objects.all()
        if scope == "published":
            if not permissions.is_partner(user):
                return []
            qs = qs.filter(status=RequestStatus.PUBLISHED)
        elif scope == "mine":
            qs = qs.filter(requester_id__in=members)
        elif offices is not None:
            qs = qs.filter(municipality_id__in=offices)
        if kind in RequestKind.values:
            qs = qs.filter(kind=kind)
        if status in RequestStatus.values and scope != "published":
            qs = qs.filter(status=status)
        for word in q.split()[:5]:
            text = (
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(what__icontains=word)
                | Q(material__icontains=word)
            )
            knows = Q(anonymous=False) | Q(requester_id__in=members)
            if offices is None:
                knows = Q()
            elif offices:
                knows |= Q(municipality_id__in=offices)
            qs = qs.filter(text | (knows & Q(requester__name__icontains=word)))
        order = ("-published_at", "-id") if scope == "published" else ("-updated_at", "-id")
        return list(_with_parts(qs.order_by(*order))[:200])


def request_get(*, user: Any, pk: Any) -> PartnerRequest:
    """One request the user may see (404 otherwise), with its capabilities and attachments."""
    with scopes_disabled():
        request = _with_parts(PartnerRequest.objects.filter(pk=_pk(pk))).first()
        if request is None or not permissions.can_view_request(user, request):
            raise Http404
        return request


def request_board(*, user: Any) -> dict[str, list[PartnerRequest]]:
    """The office's requests by stage (staff board)."""
    offices = office_municipality_ids(user)
    if offices == []:
        raise Http404
    with scopes_disabled():
        qs = (
            PartnerRequest.objects.all()
            if offices is None
            else PartnerRequest.objects.filter(municipality_id__in=offices)
        )
        rows = list(
            _with_parts(qs.annotate(introduction_count=Count("introductions"))).order_by(
                "-updated_at", "-id"
            )[:500]
        )
    board: dict[str, list[PartnerRequest]] = {status: [] for status in RequestStatus.values}
    for request in rows:
        board[request.status].append(request)
    return board


def candidate_list(
    *, user: Any, request: PartnerRequest, limit: int = 20, weights: Mapping[str, int] | None = None
) -> Ranking:
    """The ranked candidates of a request (its requester's side and its office only; 404 otherwise)."""
    if not permissions.can_view_candidates(user, request):
        raise Http404
    applied = weights if weights is not None else ranking_weights(municipality_id=request.municipality_id)
    return rank(user=user, spec=RequestSpec.of(request), weights=applied, limit=limit)


def offer_matches(*, user: Any, request: PartnerRequest, limit: int = 20) -> list[OfferMatch]:
    """For an offer: the published requests the offering firm could serve."""
    if not permissions.can_view_candidates(user, request) or request.kind != RequestKind.OFFER:
        raise Http404
    return rank_for_offer(
        user=user,
        offer=request,
        weights=ranking_weights(municipality_id=request.municipality_id),
        limit=limit,
    )


def ranking_weights(*, municipality_id: int | None) -> dict[str, int]:
    """A municipality's ranking weights (the defaults where it has not tuned them)."""
    if municipality_id is None:
        return weights_of(None)
    with scopes_disabled():
        stored = (
            RankingProfile.objects.filter(municipality_id=municipality_id)
            .values_list("weights", flat=True)
            .first()
        )
    return weights_of(stored)


def ranking_profile_get(*, user: Any, municipality_id: int) -> RankingProfile | None:
    if not permissions.can_tune_weights(user, municipality_id):
        raise Http404
    with scopes_disabled():
        return (
            RankingProfile.objects.filter(municipality_id=municipality_id)
            .prefetch_related("preview_requests")
            .first()
        )


def preview_request_choices(*, user: Any, municipality_id: int) -> list[PartnerRequest]:
    """The office's requests that a weights preview may run on (newest first)."""
    if not permissions.can_tune_weights(user, municipality_id):
        raise Http404
    with scopes_disabled():
        return list(
            PartnerRequest.objects.filter(municipality_id=municipality_id)
            .exclude(status=RequestStatus.DRAFT)
            .order_by("-updated_at")[:100]
        )


def _introductions() -> QuerySet[Introduction]:
    return Introduction.objects.select_related(
        "request__requester__municipality",
        "request__municipality",
        "candidate_org__municipality",
        "candidate_adviser",
    )


def introduction_list(*, user: Any, request: PartnerRequest | None = None) -> list[Introduction]:
    """Introductions the user takes part in (either side), and their office's; of one request if given."""
    members = list(permissions.member_organization_ids(user))
    adviser = permissions.adviser_id_of(user)
    offices = office_municipality_ids(user)
    who = Q(request__requester_id__in=members) | Q(candidate_org_id__in=members)
    if adviser is not None:
        who |= Q(candidate_adviser_id=adviser)
    if offices is None:
        who = Q()
    elif offices:
        who |= Q(municipality_id__in=offices)
    with scopes_disabled():
        qs = _introductions().filter(who)
        if request is not None:
            qs = qs.filter(request_id=request.pk)
        return list(qs.order_by("-updated_at", "-id")[:300])


def introduction_get(*, user: Any, pk: Any) -> Introduction:
    with scopes_disabled():
        intro = _introductions().filter(pk=_pk(pk)).first()
        if intro is None or not permissions.can_view_introduction(user, intro):
            raise Http404
        return intro


def introduction_history(*, user: Any, intro: Introduction) -> list[Any]:
    """The audit events of an introduction, for its office only: an event names its actor, and the
    requester's people must stay unnamed to the candidate side until they consent."""
    from monozukuri.core.audit import history_for

    if not permissions.is_office(user, intro.municipality_id):
        return []
    from django.contrib.contenttypes.models import ContentType

    events = history_for(intro.request).filter(
        target_type=ContentType.objects.get_for_model(Introduction), target_id=str(intro.pk)
    )
    return list(events[:100])


def request_history(*, user: Any, request: PartnerRequest) -> list[Any]:
    from monozukuri.core.audit import history_for

    if not permissions.can_view_history(user, request):
        return []
    return list(history_for(request)[:200])


def adviser_list(*, user: Any, q: str = "") -> list[Adviser]:
    if not permissions.is_partner(user):
        return []
    qs = Adviser.objects.filter(active=True).select_related("municipality").prefetch_related("capabilities")
    for word in q.split()[:5]:
        qs = qs.filter(Q(name__icontains=word) | Q(headline__icontains=word) | Q(bio__icontains=word))
    return list(qs.order_by("kana", "name", "id")[:200])


def adviser_get(*, user: Any, pk: Any) -> Adviser:
    adviser = (
        Adviser.objects.select_related("municipality", "office")
        .prefetch_related("capabilities", "industries")
        .filter(pk=_pk(pk))
        .first()
    )
    if adviser is None or not (
        permissions.is_partner(user) and (adviser.active or permissions.is_staff(user))
    ):
        raise Http404
    return adviser


@dataclass
class MeasureOutcome:
    fiscal_year: int
    figures: dict[str, Decimal]


def measure_outcomes(*, measure: Any) -> list[MeasureOutcome]:
    """The matching figures of a measure for each fiscal year of its plan."""
    from monozukuri.matching.metrics import outcome_figures

    plan = measure.pillar.plan
    return [MeasureOutcome(year, outcome_figures(measure.pk, year)) for year in plan.fiscal_years]


def kpi_links(*, measure: Any) -> dict[int, str]:
    """KPI id → linked metric key, for the KPIs of a measure."""
    with scopes_disabled():
        return dict(KpiMetricLink.objects.filter(kpi__measure_id=measure.pk).values_list("kpi_id", "metric"))
