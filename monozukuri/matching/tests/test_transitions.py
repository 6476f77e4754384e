"""Every (from, to) pair of both workflows: allowed exactly when the transition map says so."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.matching.models import (
    INTRODUCTION_TRANSITIONS,
    REQUEST_TRANSITIONS,
    IntroductionStatus,
    RequestStatus,
    ReviewItem,
    Side,
)
from monozukuri.matching.services import introductions as intro_services
from monozukuri.matching.services import requests as services
from monozukuri.matching.tests.conftest import capability
from monozukuri.matching.tests.factories import (
    IntroductionFactory,
    PartnerRequestFactory,
    RequestCapabilityFactory,
)

TODAY = datetime.date(2026, 6, 1)

# service → (target status, how to call it)
REQUEST_SERVICES = {
    "request_submit": (
        RequestStatus.UNDER_REVIEW,
        lambda actor, r, w: services.request_submit(actor=actor, request=r),
    ),
    "request_return": (
        RequestStatus.DRAFT,
        lambda actor, r, w: services.request_return(actor=actor, request=r, reason="理由"),
    ),
    "request_publish": (
        RequestStatus.PUBLISHED,
        lambda actor, r, w: services.request_publish(
            actor=actor, request=r, checklist={i: True for i in ReviewItem.values}, measure=w.measure
        ),
    ),
    "request_close": (
        RequestStatus.CLOSED,
        lambda actor, r, w: services.request_close(actor=actor, request=r),
    ),
    "request_withdraw": (
        RequestStatus.WITHDRAWN,
        lambda actor, r, w: services.request_withdraw(actor=actor, request=r),
    ),
    "request_renew": (
        RequestStatus.PUBLISHED,
        lambda actor, r, w: services.request_renew(actor=actor, request=r),
    ),
    "request_expire": (
        RequestStatus.EXPIRED,
        lambda actor, r, w: services.request_expire(actor=actor, request=r),
    ),
}
REQUEST_CASES = [(service, source) for service in REQUEST_SERVICES for source in RequestStatus.values]


def _allowed(transitions, source, target, service):
    return transitions.get(source, {}).get(target) == service


@pytest.mark.parametrize(("service", "source"), REQUEST_CASES)
def test_request_transition_table(service, source, world, sumida_staff):
    target, call = REQUEST_SERVICES[service]
    with scopes_disabled():
        request = PartnerRequestFactory(
            requester=world.startup,
            status=source,
            measure=world.measure,
            published_at=timezone.now(),
            expires_on=timezone.localdate() + datetime.timedelta(days=10),
        )
        RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
    if _allowed(REQUEST_TRANSITIONS, source, target, service):
        result = call(sumida_staff, request, world)
        assert result.status == target
    else:
        with pytest.raises(PermissionDenied):
            call(sumida_staff, request, world)
        with scopes_disabled():
            request.refresh_from_db()
        assert request.status == source


INTRODUCTION_SERVICES = {
    "introduction_consent": (
        IntroductionStatus.CONSENTED,
        lambda a, i: intro_services.introduction_consent(actor=a, intro=i, side=Side.REQUESTER),
    ),
    "introduction_record_meeting": (
        IntroductionStatus.MEETING_HELD,
        lambda a, i: intro_services.introduction_record_meeting(
            actor=a, intro=i, meeting_on=timezone.localdate()
        ),
    ),
    "introduction_record_agreement": (
        IntroductionStatus.AGREED,
        lambda a, i: intro_services.introduction_record_agreement(
            actor=a, intro=i, agreed_on=timezone.localdate()
        ),
    ),
    "introduction_contract": (
        IntroductionStatus.CONTRACTED,
        lambda a, i: intro_services.introduction_contract(
            actor=a, intro=i, amount=100_000, contracted_on=timezone.localdate()
        ),
    ),
    "introduction_decline": (
        IntroductionStatus.DECLINED,
        lambda a, i: intro_services.introduction_decline(actor=a, intro=i, reason="日程が合わない"),
    ),
    "introduction_report_outcome": (
        IntroductionStatus.REPORTED,
        lambda a, i: intro_services.introduction_report_outcome(actor=a, intro=i, note="納品済み"),
    ),
}
INTRODUCTION_CASES = [(s, source) for s in INTRODUCTION_SERVICES for source in IntroductionStatus.values]


@pytest.mark.parametrize(("service", "source"), INTRODUCTION_CASES)
def test_introduction_transition_table(service, source, world, sumida_staff):
    target, call = INTRODUCTION_SERVICES[service]
    now = timezone.now() - datetime.timedelta(days=1)
    with scopes_disabled():
        request = PartnerRequestFactory(
            requester=world.startup,
            status=RequestStatus.PUBLISHED,
            published_at=now,
            expires_on=timezone.localdate() + datetime.timedelta(days=9),
        )
        consented = source != IntroductionStatus.PROPOSED
        intro = IntroductionFactory(
            request=request,
            candidate_org=world.five_axis,
            status=source,
            candidate_consented_at=now,
            requester_consented_at=now if consented else None,
            consented_at=now if consented else None,
            contract_amount=1
            if source in (IntroductionStatus.CONTRACTED, IntroductionStatus.REPORTED)
            else None,
            contracted_on=now.date()
            if source in (IntroductionStatus.CONTRACTED, IntroductionStatus.REPORTED)
            else None,
        )
    if _allowed(INTRODUCTION_TRANSITIONS, source, target, service):
        result = call(sumida_staff, intro)
        assert result.status == target
    else:
        with pytest.raises(PermissionDenied):
            call(sumida_staff, intro)
        with scopes_disabled():
            intro.refresh_from_db()
        assert intro.status == source


@pytest.mark.parametrize("side", [Side.REQUESTER, Side.CANDIDATE])
def test_consent_in_either_order_reaches_consented_only_with_both(side, world):
    other = Side.CANDIDATE if side == Side.REQUESTER else Side.REQUESTER
    actors = {Side.REQUESTER: world.startup_member, Side.CANDIDATE: world.five_axis_member}
    with scopes_disabled():
        intro = IntroductionFactory(request__requester=world.startup, candidate_org=world.five_axis)
    intro = intro_services.introduction_consent(actor=actors[side], intro=intro, side=side)
    assert intro.status == IntroductionStatus.PROPOSED
    with pytest.raises(PermissionDenied):  # the same side cannot consent twice
        intro_services.introduction_consent(actor=actors[side], intro=intro, side=side)
    with pytest.raises(PermissionDenied):  # nor for the other side
        intro_services.introduction_consent(actor=actors[side], intro=intro, side=other)
    intro = intro_services.introduction_consent(actor=actors[other], intro=intro, side=other)
    assert intro.status == IntroductionStatus.CONSENTED
    assert intro.consented_at is not None


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [("startup_member", True), ("five_axis_member", False), ("sumida_staff", True), ("arakawa_staff", False)],
)
def test_who_may_submit_a_draft(actor, allowed, world, sumida_staff, arakawa_staff):
    people = {
        "startup_member": world.startup_member,
        "five_axis_member": world.five_axis_member,
        "sumida_staff": sumida_staff,
        "arakawa_staff": arakawa_staff,
    }
    with scopes_disabled():
        request = PartnerRequestFactory(requester=world.startup)
        RequestCapabilityFactory(request=request, capability=capability("five-axis-machining"))
    if allowed:
        assert (
            services.request_submit(actor=people[actor], request=request).status == RequestStatus.UNDER_REVIEW
        )
    else:
        with pytest.raises(PermissionDenied):
            services.request_submit(actor=people[actor], request=request)


@pytest.mark.parametrize("actor", ["startup_member", "five_axis_member", "arakawa_staff", "tmg_officer"])
def test_only_the_reviewing_office_publishes(actor, world, arakawa_staff, tmg_officer):
    people = {
        "startup_member": world.startup_member,
        "five_axis_member": world.five_axis_member,
        "arakawa_staff": arakawa_staff,
        "tmg_officer": tmg_officer,
    }
    with scopes_disabled():
        request = PartnerRequestFactory(requester=world.startup, status=RequestStatus.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        services.request_publish(
            actor=people[actor],
            request=request,
            checklist={i: True for i in ReviewItem.values},
            measure=world.measure,
        )
