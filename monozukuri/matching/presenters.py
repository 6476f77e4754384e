"""What a viewer sees of a request: the one function every page, API answer, mail and export goes through.

``present_request`` replaces the requester's name, organisation, contact person and attachments by an alias
(「墨田区のスタートアップ（匿名）」) for everyone who may not know who asked (permissions.can_see_requester).
Nothing else reads those fields for display, so a new page cannot leak them by forgetting a check.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from monozukuri.matching import permissions
from monozukuri.matching.models import Introduction, PartnerRequest


@dataclass
class RequestCard:
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    seeking: str
    seeking_label: str
    title: str
    description: str
    what: str
    material: str
    quantity: int | None
    tolerances: str
    deadline: datetime.date | None
    budget_band: str
    budget_label: str
    required_certifications: list[str]
    anonymous: bool
    identity_visible: bool
    requester_label: str
    requester_id: int | None
    requester_url: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    office_name: str
    capabilities: list[str]
    attachment_count: int
    attachments: list[dict[str, Any]] = field(default_factory=list)
    published_at: datetime.datetime | None = None
    expires_on: datetime.date | None = None
    created_at: datetime.datetime | None = None
    return_reason: str = ""
    measure_label: str = ""
    url: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The API form (dates as ISO strings)."""
        out = dict(self.__dict__)
        for key in ("deadline", "published_at", "expires_on", "created_at"):
            value = out[key]
            out[key] = value.isoformat() if value is not None else None
        out["requester"] = (
            {"id": self.requester_id, "name": self.requester_label, "url": self.requester_url}
            if self.identity_visible
            else {"id": None, "name": self.requester_label, "url": None}
        )
        for key in ("requester_id", "requester_url", "requester_label", "url"):
            out.pop(key)
        return out


def alias_of(request: PartnerRequest) -> str:
    """How an anonymous requester is named: its municipality and kind, nothing that identifies it."""
    org = request.requester
    place = org.municipality.name if org.municipality_id and org.municipality else ""
    kind = org.get_kind_display()
    if place:
        return _("%(place)sの%(kind)s（匿名）") % {"place": place, "kind": kind}
    return _("匿名の依頼者（%(kind)s）") % {"kind": kind}


def consented_request_ids(user: Any, request_ids: Iterable[int]) -> set[int]:
    """Requests whose requester consented to an introduction with the user's side (one query)."""
    ids = list(request_ids)
    members = permissions.member_organization_ids(user)
    adviser = permissions.adviser_id_of(user)
    if not ids or (not members and adviser is None):
        return set()
    who = Q(candidate_org_id__in=list(members))
    if adviser is not None:
        who |= Q(candidate_adviser_id=adviser)
    with scopes_disabled():
        return set(
            Introduction.objects.filter(
                who, request_id__in=ids, requester_consented_at__isnull=False
            ).values_list("request_id", flat=True)
        )


def present_request(
    request: PartnerRequest,
    user: Any,
    *,
    consented: bool | None = None,
    with_office_fields: bool | None = None,
) -> RequestCard:
    """The request as ``user`` may see it (see the module docstring)."""
    visible = permissions.can_see_requester(user, request, consented=consented)
    office = (
        permissions.is_office(user, request.municipality_id)
        if with_office_fields is None
        else with_office_fields
    )
    org = request.requester
    links = list(request.capability_links.all())
    attachments = list(request.attachments.all()) if visible else []
    return RequestCard(
        id=request.pk,
        kind=request.kind,
        kind_label=request.get_kind_display(),
        status=request.status,
        status_label=request.get_status_display(),
        seeking=request.seeking,
        seeking_label=request.get_seeking_display(),
        title=request.title,
        description=request.description,
        what=request.what,
        material=request.material,
        quantity=request.quantity,
        tolerances=request.tolerances,
        deadline=request.deadline,
        budget_band=request.budget_band,
        budget_label=request.get_budget_band_display(),
        required_certifications=list(request.required_certifications or []),
        anonymous=request.anonymous,
        identity_visible=visible,
        requester_label=org.name if visible else alias_of(request),
        requester_id=org.pk if visible else None,
        requester_url=reverse("directory:organization-detail", args=[org.pk]) if visible else None,
        contact_name=request.contact_name if visible else None,
        contact_email=request.contact_email if visible else None,
        contact_phone=request.contact_phone if visible else None,
        office_name=request.municipality.name,
        capabilities=[link.capability.label for link in links],
        attachment_count=len(attachments) if visible else _attachment_count(request),
        attachments=[
            {
                "id": a.pk,
                "name": a.original_name,
                "size": a.size,
                "url": reverse("matching:attachment-download", args=[request.pk, a.pk]),
            }
            for a in attachments
        ],
        published_at=request.published_at,
        expires_on=request.expires_on,
        created_at=request.created_at,
        return_reason=request.return_reason
        if (visible and (office or permissions.is_requester_side(user, request)))
        else "",
        measure_label=(request.measure.title if office and request.measure_id and request.measure else ""),
        url=request.get_absolute_url(),
    )


def _attachment_count(request: PartnerRequest) -> int:
    cache = getattr(request, "_prefetched_objects_cache", {})
    if "attachments" in cache:
        return len(cache["attachments"])
    with scopes_disabled():
        return request.attachments.count()
