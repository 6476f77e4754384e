"""Writes on introductions (紹介): propose, express interest, consent, and each step to the outcome.

Both sides consent, in either order, before anything identifying is exchanged: the requester's consent
discloses who asked to the candidate side; both consents open the contacts to both. Every step locks the
row, checks the map (models.INTRODUCTION_TRANSITIONS) and the actor's side, audits on the request's
history and tells the other parties after commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.matching import notifications, permissions
from monozukuri.matching.models import (
    INTRODUCTION_TRANSITIONS,
    Adviser,
    Introduction,
    IntroductionStatus,
    PartnerRequest,
    Side,
)
from monozukuri.matching.presenters import present_request
from monozukuri.matching.services.common import locked_introduction, locked_request, require
from monozukuri.matching.services.kpis import sync_later

FIELDS = (
    "status",
    "requester_consented_at",
    "candidate_consented_at",
    "consented_at",
    "meeting_on",
    "agreement_amount",
    "agreed_on",
    "contract_amount",
    "contracted_on",
    "declined_reason",
    "outcome_rating",
)
SERVICE = {
    (source, to): name for source, targets in INTRODUCTION_TRANSITIONS.items() for to, name in targets.items()
}


def _parties(intro: Introduction) -> tuple[list[Any], list[Any]]:
    """(requester side, candidate side) people to tell."""
    request = intro.request
    requester = notifications.organization_users([request.requester_id])
    if request.created_by is not None and request.created_by not in requester:
        requester.append(request.created_by)
    if intro.candidate_org_id is not None:
        candidate = notifications.organization_users([intro.candidate_org_id])
    else:
        adviser = intro.candidate_adviser
        candidate = [adviser.user] if adviser is not None and adviser.user is not None else []
    return requester, candidate


def _tell(
    intro: Introduction,
    template: str,
    *,
    requester: bool = True,
    candidate: bool = True,
    office: bool = False,
) -> None:
    requester_people, candidate_people = _parties(intro)
    people = [*(requester_people if requester else []), *(candidate_people if candidate else [])]
    if office:
        people += notifications.office_users(intro.municipality_id)
    with scopes_disabled():
        fresh = Introduction.objects.select_related(
            "request__requester__municipality",
            "request__municipality",
            "request__measure",
            "candidate_org",
            "candidate_adviser",
        ).get(pk=intro.pk)
        request = (
            PartnerRequest.objects.select_related("requester__municipality", "municipality", "measure")
            .prefetch_related("capability_links__capability", "attachments")
            .get(pk=fresh.request_id)
        )

    def context_for(user: Any) -> dict[str, Any]:
        with scopes_disabled():
            card = present_request(request, user)
        return {
            "card": card,
            "intro": fresh,
            "candidate_name": candidate_name(fresh),
            "contacts": permissions.can_see_candidate_contact(user, fresh),
            "url": notifications.absolute(fresh.get_absolute_url()),
        }

    notifications.notify(people, template, context_for)


def candidate_name(intro: Introduction) -> str:
    if intro.candidate_org_id is not None and intro.candidate_org is not None:
        return intro.candidate_org.name
    return intro.candidate_adviser.name if intro.candidate_adviser is not None else ""


def _step(
    *,
    actor: Any,
    intro: Introduction,
    to: str,
    allowed: bool,
    action: str,
    extra: Mapping[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> Introduction:
    if not allowed or SERVICE.get((intro.status, to)) != action.split(".", 1)[1]:
        raise PermissionDenied
    before = audit.snapshot(intro, FIELDS)
    intro.status = to
    for key, value in (extra or {}).items():
        setattr(intro, key, value)
    with scopes_disabled():
        intro.save()
    recorded = audit.changes_between(before, audit.snapshot(intro, FIELDS))
    audit.record(
        actor=actor, action=action, target=intro, root=intro.request, changes={**recorded, **(changes or {})}
    )
    return intro


def _check_candidate(request: PartnerRequest, organization: Any, adviser: Adviser | None) -> None:
    if (organization is None) == (adviser is None):
        raise ValueError("exactly one of organization and adviser")
    if organization is not None:
        if organization.pk == request.requester_id:
            raise ValidationError(_("依頼者自身を紹介先にはできません。"))
        if organization.merged_into_id is not None or organization.status != "active":
            raise ValidationError(_("閉鎖または統合された企業・団体は紹介できません。"))
    if adviser is not None and not adviser.active:
        raise ValidationError(_("このアドバイザーは現在登録が無効です。"))


def _create(
    *,
    actor: Any,
    request: PartnerRequest,
    organization: Any,
    adviser: Adviser | None,
    side: str,
    message: str,
    score: float | None,
    reasons: Sequence[str],
    consent: str | None,
) -> Introduction:
    _check_candidate(request, organization, adviser)
    now = timezone.now()
    intro = Introduction(
        municipality_id=request.municipality_id,
        request=request,
        candidate_org=organization,
        candidate_adviser=adviser,
        proposed_by=actor,
        proposed_by_side=side,
        message=message.strip()[:2000],
        score=score,
        reasons=list(reasons)[:10],
    )
    if consent == Side.REQUESTER:
        intro.requester_consented_at, intro.requester_consented_by = now, actor
    elif consent == Side.CANDIDATE:
        intro.candidate_consented_at, intro.candidate_consented_by = now, actor
    try:
        with transaction.atomic(), scopes_disabled():
            intro.save()
    except IntegrityError:
        raise ValidationError(_("この候補にはすでに紹介を提案しています。")) from None
    audit.record(
        actor=actor,
        action="matching.introduction_propose",
        target=intro,
        root=request,
        changes={
            "candidate": [None, candidate_name(intro)],
            "side": [None, side],
            **({"consent": [None, consent]} if consent else {}),
        },
    )
    sync_later(request)
    return intro


@transaction.atomic
def introduction_propose(
    *,
    actor: Any,
    request: PartnerRequest,
    organization: Any = None,
    adviser: Adviser | None = None,
    message: str = "",
    score: float | None = None,
    reasons: Sequence[str] = (),
    consent: bool = False,
) -> Introduction:
    """Propose an introduction to a candidate (the requester's side or the office). With ``consent`` the
    requester also agrees now to disclose who they are to this candidate."""
    request = locked_request(request)
    require(permissions.can_propose_introduction(actor, request))
    requester_side = permissions.is_requester_side(actor, request)
    intro = _create(
        actor=actor,
        request=request,
        organization=organization,
        adviser=adviser,
        side=Side.REQUESTER if requester_side else Side.OFFICE,
        message=message,
        score=score,
        reasons=reasons,
        consent=Side.REQUESTER if consent else None,
    )
    _tell(intro, "introduction_proposed", requester=not requester_side, candidate=True)
    return intro


@transaction.atomic
def introduction_express_interest(
    *, actor: Any, request: PartnerRequest, organization: Any = None, message: str = ""
) -> Introduction:
    """A firm (or, without ``organization``, the actor as adviser) raises its hand for a published request;
    its consent is given with it, and the requester decides whether to disclose itself."""
    request = locked_request(request)
    require(permissions.can_express_interest(actor, request))
    adviser = None
    if organization is None:
        adviser_id = permissions.adviser_id_of(actor)
        if adviser_id is None:
            raise ValidationError(_("関心を示す企業・団体を選んでください。"))
        adviser = Adviser.objects.get(pk=adviser_id)
    elif organization.pk not in permissions.member_organization_ids(actor):
        raise PermissionDenied
    intro = _create(
        actor=actor,
        request=request,
        organization=organization,
        adviser=adviser,
        side=Side.CANDIDATE,
        message=message,
        score=None,
        reasons=(),
        consent=Side.CANDIDATE,
    )
    _tell(intro, "introduction_interest", requester=True, candidate=False, office=True)
    return intro


@transaction.atomic
def introduction_consent(*, actor: Any, intro: Introduction, side: str) -> Introduction:
    """One side agrees to be introduced (and, for the requester, to be named); with both, the
    introduction is consented and contacts are exchanged."""
    intro = locked_introduction(intro)
    if side not in (Side.REQUESTER, Side.CANDIDATE) or not permissions.can_consent(actor, intro, side):
        raise PermissionDenied
    now = timezone.now()
    if side == Side.REQUESTER:
        intro.requester_consented_at, intro.requester_consented_by = now, actor
    else:
        intro.candidate_consented_at, intro.candidate_consented_by = now, actor
    if intro.both_consented:
        intro = _step(
            actor=actor,
            intro=intro,
            to=IntroductionStatus.CONSENTED,
            allowed=True,
            action="matching.introduction_consent",
            extra={"consented_at": now},
            changes={"side": [None, side]},
        )
        _tell(intro, "introduction_consented")
        sync_later(intro.request)
        return intro
    before = audit.snapshot(intro, FIELDS)
    with scopes_disabled():
        intro.save()
    audit.record(
        actor=actor,
        action="matching.introduction_consent",
        target=intro,
        root=intro.request,
        changes={**audit.changes_between(before, audit.snapshot(intro, FIELDS)), "side": [None, side]},
    )
    _tell(
        intro, "introduction_consent_one", requester=side == Side.CANDIDATE, candidate=side == Side.REQUESTER
    )
    return intro


def _date(value: datetime.date | None, field: str, label: str) -> datetime.date:
    if value is None:
        raise ValidationError({field: [_("%(label)sを入力してください。") % {"label": label}]})
    if value > timezone.localdate():
        raise ValidationError({field: [_("%(label)sに未来の日付は指定できません。") % {"label": label}]})
    return value


@transaction.atomic
def introduction_record_meeting(
    *, actor: Any, intro: Introduction, meeting_on: datetime.date | None, note: str = ""
) -> Introduction:
    """Record that the two sides met (面談)."""
    intro = locked_introduction(intro)
    allowed = permissions.can_record_progress(actor, intro, IntroductionStatus.MEETING_HELD)
    day = _date(meeting_on, "meeting_on", _("面談日")) if allowed else None
    intro = _step(
        actor=actor,
        intro=intro,
        to=IntroductionStatus.MEETING_HELD,
        allowed=allowed,
        action="matching.introduction_record_meeting",
        extra={"meeting_on": day, "meeting_note": note.strip()},
    )
    _tell(intro, "introduction_progress")
    return intro


@transaction.atomic
def introduction_record_agreement(
    *,
    actor: Any,
    intro: Introduction,
    agreed_on: datetime.date | None,
    amount: int | None = None,
    note: str = "",
) -> Introduction:
    """Record a quote or an agreement in principle (見積・合意)."""
    intro = locked_introduction(intro)
    allowed = permissions.can_record_progress(actor, intro, IntroductionStatus.AGREED)
    day = _date(agreed_on, "agreed_on", _("見積・合意日")) if allowed else None
    if amount is not None and amount < 0:
        raise ValidationError({"amount": [_("金額は0円以上で入力してください。")]})
    intro = _step(
        actor=actor,
        intro=intro,
        to=IntroductionStatus.AGREED,
        allowed=allowed,
        action="matching.introduction_record_agreement",
        extra={"agreed_on": day, "agreement_amount": amount, "agreement_note": note.strip()},
    )
    _tell(intro, "introduction_progress")
    return intro


@transaction.atomic
def introduction_contract(
    *, actor: Any, intro: Introduction, amount: int | None, contracted_on: datetime.date | None
) -> Introduction:
    """Record the contract (成約) with its amount and date; the measure's KPIs follow."""
    intro = locked_introduction(intro)
    allowed = permissions.can_record_progress(actor, intro, IntroductionStatus.CONTRACTED)
    if allowed:
        day = _date(contracted_on, "contracted_on", _("成約日"))
        if amount is None or amount < 0:
            raise ValidationError({"amount": [_("成約金額（円）を0以上の整数で入力してください。")]})
        if intro.consented_at is not None and day < timezone.localtime(intro.consented_at).date():
            raise ValidationError({"contracted_on": [_("成約日は双方同意の日より後にしてください。")]})
    else:
        day = None
    intro = _step(
        actor=actor,
        intro=intro,
        to=IntroductionStatus.CONTRACTED,
        allowed=allowed,
        action="matching.introduction_contract",
        extra={"contract_amount": amount, "contracted_on": day},
    )
    _tell(intro, "introduction_progress", office=True)
    sync_later(intro.request, on=day)
    return intro


@transaction.atomic
def introduction_decline(*, actor: Any, intro: Introduction, reason: str) -> Introduction:
    """End an introduction without a deal (either side, or the office), with the reason."""
    intro = locked_introduction(intro)
    allowed = permissions.can_decline(actor, intro)
    if allowed and not reason.strip():
        raise ValidationError({"reason": [_("理由を入力してください（相手と自治体に伝わります）。")]})
    side = (
        Side.REQUESTER
        if permissions.is_requester_side(actor, intro.request)
        else (Side.CANDIDATE if permissions.is_candidate_side(actor, intro) else Side.OFFICE)
    )
    intro = _step(
        actor=actor,
        intro=intro,
        to=IntroductionStatus.DECLINED,
        allowed=allowed,
        action="matching.introduction_decline",
        extra={"declined_reason": reason.strip(), "declined_by_side": side, "declined_at": timezone.now()},
    )
    _tell(intro, "introduction_declined", office=True)
    return intro


@transaction.atomic
def introduction_report_outcome(
    *, actor: Any, intro: Introduction, note: str, rating: int | None = None
) -> Introduction:
    """Report how it ended (成果報告): what came of the contract, or what was learnt from a decline."""
    intro = locked_introduction(intro)
    allowed = permissions.can_report_outcome(actor, intro)
    if allowed and not note.strip():
        raise ValidationError({"note": [_("成果の内容を入力してください。")]})
    if rating is not None and not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("満足度は1〜5で選んでください。")]})
    intro = _step(
        actor=actor,
        intro=intro,
        to=IntroductionStatus.REPORTED,
        allowed=allowed,
        action="matching.introduction_report_outcome",
        extra={"outcome_note": note.strip(), "outcome_rating": rating, "outcome_reported_at": timezone.now()},
    )
    _tell(intro, "introduction_progress", office=True)
    return intro
