"""Who may do what in matching: one predicate per verb.

Sides of a request: the *requester side* (members of the requesting organisation), the *office* (staff of
the reviewing municipality, and platform admins) and, once an introduction exists, the *candidate side*
(members of the candidate organisation, or the adviser). TMG officers and staff of other municipalities
read published requests like any signed-in partner, never more: a draft or an introduction of another
office is "not found".

Who asked (an anonymous request's requester) is readable by the requester side, the office and platform
admins — and by the candidate side of an introduction once the requester has consented to it. Nobody else,
whatever their role (see ``can_see_requester``).
"""

from __future__ import annotations

from typing import Any

from monozukuri.core.roles import Role
from monozukuri.matching.models import (
    ACTIVE_INTRODUCTION_STATUSES,
    Introduction,
    IntroductionStatus,
    PartnerRequest,
    RequestStatus,
    Side,
)


def active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_admin(user: Any) -> bool:
    return active(user) and user.role == Role.PLATFORM_ADMIN


def is_staff(user: Any) -> bool:
    """Municipal staff of any municipality, or a platform admin: may use the office pages."""
    return active(user) and user.role in (Role.MUNICIPAL_STAFF, Role.PLATFORM_ADMIN)


def is_office(user: Any, municipality_id: int | None) -> bool:
    """Staff of this municipality, or a platform admin."""
    if is_admin(user):
        return True
    return bool(
        active(user)
        and user.role == Role.MUNICIPAL_STAFF
        and municipality_id is not None
        and user.municipality_id == municipality_id
    )


def member_organization_ids(user: Any) -> frozenset[int]:
    """The organisations whose account the user belongs to (read once per user object)."""
    if not active(user):
        return frozenset()
    cached = getattr(user, "_matching_member_ids", None)
    if cached is None:
        cached = frozenset(user.organization_memberships.values_list("organization_id", flat=True))
        user._matching_member_ids = cached
    return cached


def adviser_id_of(user: Any) -> int | None:
    """The adviser profile of the user, if they are an adviser (read once per user object)."""
    if not active(user):
        return None
    if not hasattr(user, "_matching_adviser_id"):
        from monozukuri.matching.models import Adviser

        user._matching_adviser_id = (
            Adviser.objects.filter(user_id=user.pk, active=True).values_list("pk", flat=True).first()
        )
    value: int | None = user._matching_adviser_id
    return value


def remember(user: Any, *, member_ids: frozenset[int], adviser_id: int | None) -> None:
    """Tell the predicates what a batch job already read about a user (memberships, adviser profile)."""
    user._matching_member_ids = member_ids
    user._matching_adviser_id = adviser_id


def is_partner(user: Any) -> bool:
    """A signed-in partner: any signed-in account except a plain member of the public without a firm."""
    return active(user) and (user.role != Role.PUBLIC or bool(member_organization_ids(user)))


def is_requester_side(user: Any, request: PartnerRequest) -> bool:
    return request.requester_id in member_organization_ids(user)


def is_candidate_side(user: Any, intro: Introduction) -> bool:
    if intro.candidate_org_id is not None:
        return intro.candidate_org_id in member_organization_ids(user)
    return intro.candidate_adviser_id is not None and intro.candidate_adviser_id == adviser_id_of(user)


def _candidate_party_of(user: Any, request: PartnerRequest, *, consented_only: bool) -> bool:
    members = member_organization_ids(user)
    adviser = adviser_id_of(user)
    if not members and adviser is None:
        return False
    from django.db.models import Q
    from django_scopes import scopes_disabled

    who = Q(candidate_org_id__in=list(members))
    if adviser is not None:
        who |= Q(candidate_adviser_id=adviser)
    with scopes_disabled():
        qs = Introduction.objects.filter(who, request_id=request.pk)
        if consented_only:
            qs = qs.filter(requester_consented_at__isnull=False)
        return qs.exists()


def can_view_request(user: Any, request: PartnerRequest) -> bool:
    if request.status == RequestStatus.PUBLISHED and is_partner(user):
        return True
    if is_office(user, request.municipality_id) or is_requester_side(user, request):
        return True
    return request.status != RequestStatus.DRAFT and _candidate_party_of(user, request, consented_only=False)


def can_see_requester(user: Any, request: PartnerRequest, *, consented: bool | None = None) -> bool:
    """Whether the user may know who asked. ``consented``: precomputed "the requester consented to an
    introduction with the user's side" (list pages pass it to save a query per row)."""
    if is_office(user, request.municipality_id) or is_requester_side(user, request):
        return True
    if not request.anonymous:
        return can_view_request(user, request)
    if consented is None:
        consented = _candidate_party_of(user, request, consented_only=True)
    return consented


def can_create_request_for(user: Any, organization: Any) -> bool:
    """Members post for their own organisation; municipal staff on behalf of any organisation."""
    return is_staff(user) or organization.pk in member_organization_ids(user)


def _owner_or_office(user: Any, request: PartnerRequest) -> bool:
    return is_requester_side(user, request) or is_office(user, request.municipality_id)


def can_edit_request(user: Any, request: PartnerRequest) -> bool:
    return request.status == RequestStatus.DRAFT and _owner_or_office(user, request)


def can_submit_request(user: Any, request: PartnerRequest) -> bool:
    return request.can_transition_to(RequestStatus.UNDER_REVIEW) and _owner_or_office(user, request)


def can_review_request(user: Any, request: PartnerRequest) -> bool:
    """Publish or return: the reviewing office only."""
    return request.status == RequestStatus.UNDER_REVIEW and is_office(user, request.municipality_id)


def can_withdraw_request(user: Any, request: PartnerRequest) -> bool:
    return request.can_transition_to(RequestStatus.WITHDRAWN) and _owner_or_office(user, request)


def can_close_request(user: Any, request: PartnerRequest) -> bool:
    return request.can_transition_to(RequestStatus.CLOSED) and _owner_or_office(user, request)


def can_renew_request(user: Any, request: PartnerRequest) -> bool:
    return (
        request.can_transition_to(RequestStatus.PUBLISHED)
        and request.status != RequestStatus.UNDER_REVIEW
        and _owner_or_office(user, request)
    )


def can_expire_request(user: Any, request: PartnerRequest) -> bool:
    """The daily job expires requests (actor None); the office may expire one early."""
    return request.can_transition_to(RequestStatus.EXPIRED) and (
        user is None or is_office(user, request.municipality_id)
    )


def can_view_candidates(user: Any, request: PartnerRequest) -> bool:
    return _owner_or_office(user, request)


def can_view_history(user: Any, request: PartnerRequest) -> bool:
    return is_office(user, request.municipality_id)


def can_propose_introduction(user: Any, request: PartnerRequest) -> bool:
    return request.status == RequestStatus.PUBLISHED and _owner_or_office(user, request)


def can_express_interest(user: Any, request: PartnerRequest) -> bool:
    """A firm (not the requester) or an adviser raises its hand for a published request."""
    if request.status != RequestStatus.PUBLISHED or not is_partner(user) or is_requester_side(user, request):
        return False
    return bool(member_organization_ids(user) - {request.requester_id}) or adviser_id_of(user) is not None


def can_view_attachments(user: Any, request: PartnerRequest) -> bool:
    """Drawings may show who drew them: whoever may know the requester, and nobody else."""
    return can_see_requester(user, request)


# ---- introductions ----------------------------------------------------------------------------------


def can_view_introduction(user: Any, intro: Introduction) -> bool:
    return (
        is_office(user, intro.municipality_id)
        or is_requester_side(user, intro.request)
        or is_candidate_side(user, intro)
    )


def sides_of(user: Any, intro: Introduction) -> set[str]:
    """The sides the user may act for on this introduction (the office may act for either)."""
    sides: set[str] = set()
    if is_requester_side(user, intro.request):
        sides.add(Side.REQUESTER)
    if is_candidate_side(user, intro):
        sides.add(Side.CANDIDATE)
    if is_office(user, intro.municipality_id):
        sides.update({Side.REQUESTER, Side.CANDIDATE, Side.OFFICE})
    return sides


def can_consent(user: Any, intro: Introduction, side: str) -> bool:
    if intro.status != IntroductionStatus.PROPOSED or side not in sides_of(user, intro):
        return False
    if side == Side.REQUESTER:
        return intro.requester_consented_at is None
    if side == Side.CANDIDATE:
        return intro.candidate_consented_at is None
    return False


def can_record_progress(user: Any, intro: Introduction, to: str) -> bool:
    """Meeting, agreement, contract: either side or the office, along the transition map."""
    return intro.can_transition_to(to) and bool(sides_of(user, intro))


def can_decline(user: Any, intro: Introduction) -> bool:
    return intro.status in ACTIVE_INTRODUCTION_STATUSES and bool(sides_of(user, intro))


def can_report_outcome(user: Any, intro: Introduction) -> bool:
    return intro.can_transition_to(IntroductionStatus.REPORTED) and bool(sides_of(user, intro))


def can_see_candidate_contact(user: Any, intro: Introduction) -> bool:
    """Contacts are exchanged once both sides have consented (the office always sees them)."""
    return is_office(user, intro.municipality_id) or (intro.both_consented and bool(sides_of(user, intro)))


# ---- advisers, weights, outcomes --------------------------------------------------------------------


def can_create_adviser(user: Any) -> bool:
    return (is_staff(user) and getattr(user, "municipality_id", None) is not None) or is_admin(user)


def can_edit_adviser(user: Any, adviser: Any) -> bool:
    return is_office(user, adviser.office_id) or (active(user) and adviser.user_id == user.pk)


def can_view_adviser_contact(user: Any, adviser: Any) -> bool:
    return is_staff(user) or (active(user) and adviser.user_id == user.pk)


def can_tune_weights(user: Any, municipality_id: int | None) -> bool:
    return municipality_id is not None and is_office(user, municipality_id)


def can_link_kpi(user: Any, municipality_id: int) -> bool:
    return is_office(user, municipality_id)
