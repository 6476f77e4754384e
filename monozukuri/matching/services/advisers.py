"""Writes on advisers (people without a firm who mentor), ranking weights and people's mail preferences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.core import audit
from monozukuri.matching import permissions
from monozukuri.matching.models import (
    Adviser,
    Availability,
    MailMode,
    MatchingPreference,
    PartnerRequest,
    RankingProfile,
)
from monozukuri.matching.ranking.weights import weights_clean, weights_of
from monozukuri.matching.services.common import require

ADVISER_FIELDS = (
    "name",
    "kana",
    "headline",
    "bio",
    "email",
    "phone",
    "years_experience",
    "availability",
    "max_mentees",
    "active",
)


def _clean_adviser(fields: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
    errors: dict[str, list[str]] = {}
    if "name" in out and not out["name"]:
        errors["name"] = [_("氏名を入力してください。")]
    if "headline" in out and not out["headline"]:
        errors["headline"] = [_("肩書・経歴の要約を入力してください（例: 元電機メーカー設計部長）。")]
    if "availability" in out and out["availability"] not in Availability.values:
        errors["availability"] = [_("受入状況を選んでください。")]
    if "max_mentees" in out and not (isinstance(out["max_mentees"], int) and 0 <= out["max_mentees"] <= 50):
        errors["max_mentees"] = [_("同時に受け持てる人数は0〜50で入力してください。")]
    if "years_experience" in out and not (
        isinstance(out["years_experience"], int) and 0 <= out["years_experience"] <= 80
    ):
        errors["years_experience"] = [_("実務経験年数は0〜80で入力してください。")]
    if errors:
        raise ValidationError(errors)
    return out


def _set_relations(
    adviser: Adviser, capabilities: Sequence[Any] | None, industries: Sequence[Any] | None
) -> None:
    if capabilities is not None:
        adviser.capabilities.set(capabilities)
    if industries is not None:
        adviser.industries.set(industries)


@transaction.atomic
def adviser_create(
    *,
    actor: Any,
    capabilities: Sequence[Any] = (),
    industries: Sequence[Any] = (),
    user: Any = None,
    municipality: Any = None,
    **fields: Any,
) -> Adviser:
    """Register an adviser, kept by the actor's office."""
    require(permissions.can_create_adviser(actor))
    unknown = set(fields) - set(ADVISER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = _clean_adviser(
        {"name": fields.get("name", ""), "headline": fields.get("headline", ""), **fields}
    )
    office = actor.municipality or municipality
    if office is None:
        raise ValidationError(_("登録する自治体が決まりません。"))
    adviser = Adviser.objects.create(
        office=office,
        municipality=municipality or office,
        user=user,
        registered_by=actor,
        last_confirmed_on=timezone.localdate(),
        **values,
    )
    _set_relations(adviser, capabilities, industries)
    audit.record(
        actor=actor,
        action="matching.adviser_create",
        target=adviser,
        changes={k: [None, v] for k, v in audit.snapshot(adviser, ("name", "headline")).items()},
    )
    return adviser


@transaction.atomic
def adviser_update(
    *,
    actor: Any,
    adviser: Adviser,
    capabilities: Sequence[Any] | None = None,
    industries: Sequence[Any] | None = None,
    municipality: Any = None,
    **fields: Any,
) -> Adviser:
    """Change an adviser's profile (their office, or the adviser themselves); confirms it as current."""
    adviser = Adviser.objects.select_for_update().get(pk=adviser.pk)
    require(permissions.can_edit_adviser(actor, adviser))
    unknown = set(fields) - set(ADVISER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    values = _clean_adviser(fields)
    before = audit.snapshot(adviser, (*ADVISER_FIELDS, "municipality_id"))
    for name, value in values.items():
        setattr(adviser, name, value)
    if municipality is not None:
        adviser.municipality = municipality
    adviser.last_confirmed_on = timezone.localdate()
    adviser.save()
    _set_relations(adviser, capabilities, industries)
    changes = audit.changes_between(before, audit.snapshot(adviser, (*ADVISER_FIELDS, "municipality_id")))
    audit.record(actor=actor, action="matching.adviser_update", target=adviser, changes=changes)
    return adviser


@transaction.atomic
def ranking_profile_save(
    *,
    actor: Any,
    municipality: Any,
    weights: Mapping[str, Any],
    preview_request_ids: Sequence[int] | None = None,
) -> RankingProfile:
    """Save a municipality's ranking weights (and the requests staff preview them on)."""
    require(permissions.can_tune_weights(actor, municipality.pk))
    cleaned = weights_clean(weights)
    with scopes_disabled():
        profile, _created = RankingProfile.objects.select_for_update().get_or_create(
            municipality=municipality
        )
        before = weights_of(profile.weights)
        profile.weights = cleaned
        profile.updated_by = actor
        profile.save()
        if preview_request_ids is not None:
            ids = list(
                PartnerRequest.objects.filter(
                    pk__in=list(preview_request_ids), municipality=municipality
                ).values_list("pk", flat=True)
            )
            if len(ids) != len(set(preview_request_ids)):
                raise ValidationError({"preview_requests": [_("この自治体の依頼だけを選べます。")]})
            profile.preview_requests.set(ids)
    changes = {k: [before[k], cleaned[k]] for k in cleaned if before.get(k) != cleaned[k]}
    audit.record(
        actor=actor,
        action="matching.ranking_profile_save",
        target=profile,
        municipality_id=municipality.pk,
        changes=changes,
    )
    return profile


@transaction.atomic
def preference_set(*, actor: Any, mail_mode: str, request_digest: bool) -> MatchingPreference:
    """A person's choice: mail at once or a daily digest; and the digest of new requests for their firm."""
    require(permissions.active(actor))
    if mail_mode not in MailMode.values:
        raise ValidationError({"mail_mode": [_("受け取り方を選んでください。")]})
    preference, _created = MatchingPreference.objects.update_or_create(
        user=actor, defaults={"mail_mode": mail_mode, "request_digest": bool(request_digest)}
    )
    audit.record(
        actor=actor,
        action="matching.preference_set",
        target=preference,
        changes={"mail_mode": [None, mail_mode], "request_digest": [None, bool(request_digest)]},
    )
    return preference
