"""API input shapes and output forms for matching (requests, candidates, introductions)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from monozukuri.matching.models import BudgetBand, IntroductionStatus, RequestKind, ReviewItem, Seeking, Side
from monozukuri.matching.ranking import Ranking
from monozukuri.matching.ranking.scoring import Scored


class RequestCreateSerializer(serializers.Serializer):
    requester = serializers.CharField(
        required=False,
        help_text="organisation id or 13-digit 法人番号; optional for a member of exactly one organisation",
    )
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    seeking = serializers.ChoiceField(choices=Seeking.choices, required=False, allow_blank=True)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    what = serializers.CharField(max_length=200, required=False, allow_blank=True)
    material = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quantity = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    tolerances = serializers.CharField(max_length=200, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False, allow_null=True)
    budget_band = serializers.ChoiceField(
        choices=BudgetBand.choices, required=False, default=BudgetBand.UNDECIDED
    )
    required_certifications = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, max_length=10
    )
    capabilities = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=30,
        help_text="capability ids of the taxonomy",
    )
    anonymous = serializers.BooleanField(required=False, default=False)
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RequestReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    failed_items = serializers.ListField(
        child=serializers.ChoiceField(choices=ReviewItem.choices), required=False
    )


class PublishSerializer(serializers.Serializer):
    checklist = serializers.ListField(
        child=serializers.ChoiceField(choices=ReviewItem.choices), help_text="the review items checked"
    )
    measure = serializers.IntegerField(required=False, allow_null=True, help_text="plan measure id")
    expires_on = serializers.DateField(required=False, allow_null=True)


class ProposeSerializer(serializers.Serializer):
    organization = serializers.IntegerField(required=False, min_value=1)
    adviser = serializers.IntegerField(required=False, min_value=1)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="the requester also consents now to be named to this candidate",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("organization")) == bool(attrs.get("adviser")):
            raise serializers.ValidationError(_("organization か adviser のどちらか一方を指定してください。"))
        return attrs


class InterestSerializer(serializers.Serializer):
    organization = serializers.IntegerField(required=False, min_value=1)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ConsentSerializer(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=[(Side.REQUESTER, Side.REQUESTER.label), (Side.CANDIDATE, Side.CANDIDATE.label)]
    )


class MeetingSerializer(serializers.Serializer):
    meeting_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True)


class AgreementSerializer(serializers.Serializer):
    agreed_on = serializers.DateField()
    amount = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True)


class ContractSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=0)
    contracted_on = serializers.DateField()


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField()


class OutcomeSerializer(serializers.Serializer):
    note = serializers.CharField()
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)


def scored_json(
    scored: Scored, introductions: dict[tuple[str, int], tuple[int, str]] | None = None
) -> dict[str, Any]:
    """One candidate as the API answers it: who, score, reasons and the breakdown by component."""
    c = scored.candidate
    intro = (introductions or {}).get(c.key)
    return {
        "type": c.type,
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "kind_label": c.kind_label,
        "municipality": {"code": c.municipality_code, "name": c.municipality_name}
        if c.municipality_code
        else None,
        "url": c.url,
        "summary": c.summary[:300],
        "score": round(scored.score, 4),
        "reasons": list(scored.reasons),
        "breakdown": {key: component.as_dict() for key, component in scored.breakdown.items()},
        "snippet": scored.snippet,
        "introduction": {"id": intro[0], "status": intro[1]} if intro else None,
    }


def ranking_json(ranking: Ranking) -> dict[str, Any]:
    return {
        "count": len(ranking.results),
        "weights": ranking.weights,
        "terms": list(ranking.need.terms),
        "text_relevance": ranking.text_source,
        "results": [scored_json(s, ranking.introductions) for s in ranking.results],
    }


def introduction_json(intro: Any, card: Any, *, candidate_name: str, contacts: bool) -> dict[str, Any]:
    return {
        "id": intro.pk,
        "status": intro.status,
        "status_label": IntroductionStatus(intro.status).label,
        "request": {
            "id": card.id,
            "title": card.title,
            "requester": card.requester_label,
            "requester_disclosed": card.identity_visible,
        },
        "candidate": {
            "type": "organization" if intro.candidate_org_id else "adviser",
            "id": intro.candidate_org_id or intro.candidate_adviser_id,
            "name": candidate_name,
        },
        "requester_consented": intro.requester_consented_at is not None,
        "candidate_consented": intro.candidate_consented_at is not None,
        "consented_at": intro.consented_at.isoformat() if intro.consented_at else None,
        "meeting_on": intro.meeting_on.isoformat() if intro.meeting_on else None,
        "agreed_on": intro.agreed_on.isoformat() if intro.agreed_on else None,
        "agreement_amount": intro.agreement_amount,
        "contract_amount": intro.contract_amount,
        "contracted_on": intro.contracted_on.isoformat() if intro.contracted_on else None,
        "declined_reason": intro.declined_reason or None,
        "outcome_note": intro.outcome_note or None,
        "contacts_disclosed": contacts,
        "contact": (
            {"name": card.contact_name, "email": card.contact_email}
            if contacts and card.identity_visible
            else None
        ),
    }
