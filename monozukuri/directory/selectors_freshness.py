"""Reads for freshness, review and duplicates, scoped to the caller (bounded queries on list pages).

Each list is filtered explicitly by the caller's municipalities (inside `scopes_disabled`, as
plans/selectors.py does), so the same selector works in a request, a command or a test.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled

from monozukuri.core.models import AuditEvent, Municipality
from monozukuri.core.roles import ALL_MUNICIPALITY_ROLES, Role
from monozukuri.directory.models import (
    ChangeStatus,
    ConfirmationRequest,
    DirectorySettings,
    DuplicateFlag,
    DuplicateStatus,
    Organization,
    OrganizationStatus,
    ProfileChange,
)
from monozukuri.directory.permissions import can_review_changes, is_admin
from monozukuri.directory.services.duplicates import can_resolve_flag, organization_relations

STALE_AFTER_DAYS = 365  # "not confirmed within 12 months"


def _active(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def freshness_municipality_ids(user: Any) -> list[int] | None:
    """Municipalities whose freshness the user follows: None = all (TMG, admin); [] = none."""
    if not _active(user):
        return []
    if user.role in ALL_MUNICIPALITY_ROLES:
        return None
    if user.role == Role.MUNICIPAL_STAFF and user.municipality_id:
        return [user.municipality_id]
    return []


def office_municipality_ids(user: Any) -> list[int] | None:
    """Municipalities whose office work (review, duplicates) the user does: None = all (admin)."""
    if is_admin(user):
        return None
    if _active(user) and user.role == Role.MUNICIPAL_STAFF and user.municipality_id:
        return [user.municipality_id]
    return []


def stale_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Records last confirmed before this date (or never) are stale."""
    return (today or timezone.localdate()) - datetime.timedelta(days=STALE_AFTER_DAYS)


def _stale(today: datetime.date | None) -> Q:
    return Q(last_confirmed_on__isnull=True) | Q(last_confirmed_on__lt=stale_cutoff(today))


def _live_organizations(ids: list[int] | None) -> QuerySet[Organization]:
    qs = Organization.objects.filter(merged_into__isnull=True, status=OrganizationStatus.ACTIVE)
    return qs if ids is None else qs.filter(municipality_id__in=ids)


def stale_organization_list(*, user: Any, municipality_code: str | None = None,
                            today: datetime.date | None = None) -> QuerySet[Organization]:
    """Live records not confirmed within 12 months, by municipality, oldest confirmation first."""
    qs = _live_organizations(freshness_municipality_ids(user)).filter(_stale(today))
    if municipality_code:
        qs = qs.filter(municipality__code=municipality_code)
    last_request = (ConfirmationRequest._base_manager.filter(organization=OuterRef("pk"))
                    .order_by("-sent_at").values("sent_at")[:1])
    return (qs.select_related("municipality")
            .annotate(last_request_at=Subquery(last_request))
            .order_by(F("municipality__code").asc(nulls_last=True),
                      F("last_confirmed_on").asc(nulls_first=True), "kana", "name", "id"))


def freshness_counts(*, user: Any, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Per municipality: live records and how many are stale (two queries, whatever the size)."""
    rows = list(_live_organizations(freshness_municipality_ids(user)).values("municipality_id")
                .annotate(total=Count("id"), stale=Count("id", filter=_stale(today))).order_by())
    municipalities = Municipality.objects.in_bulk([r["municipality_id"] for r in rows
                                                   if r["municipality_id"]])
    result = [{"municipality": municipalities.get(r["municipality_id"]), "total": r["total"],
               "stale": r["stale"]} for r in rows]
    return sorted(result, key=lambda r: r["municipality"].code if r["municipality"] else "999999")


def organization_history_with_merged(*, org: Organization) -> QuerySet[AuditEvent]:
    """The audit trail of a record and of every record merged into it, newest first."""
    ids = [str(org.pk), *(str(pk) for pk in Organization.objects.filter(merged_into=org)
                           .values_list("pk", flat=True))]
    return AuditEvent.objects.filter(root_type=ContentType.objects.get_for_model(Organization),
                                     root_id__in=ids).select_related("actor", "target_type")


def organization_link_counts(orgs: list[Organization]) -> dict[int, list[tuple[str, int]]]:
    """How many records of each kind point at each organisation (one query per kind of link)."""
    counts: dict[int, list[tuple[str, int]]] = {o.pk: [] for o in orgs}
    with scopes_disabled():
        for model, fk in organization_relations():
            per_org = dict(model._base_manager.filter(**{f"{fk.attname}__in": list(counts)})
                           .values_list(fk.attname).annotate(n=Count("pk")).order_by())
            label = str(model._meta.verbose_name_plural)
            if fk.name != "organization":
                label = f"{label}（{fk.verbose_name}）"
            for pk in counts:
                if per_org.get(pk):
                    counts[pk].append((label, per_org[pk]))
    return counts


# ---- review of firms' edits ---------------------------------------------------------------------------


def profile_change_list(*, user: Any, status: str | None = ChangeStatus.PENDING) -> QuerySet[ProfileChange]:
    """Firms' edits in the user's municipality (oldest first, the review queue)."""
    ids = office_municipality_ids(user)
    with scopes_disabled():
        qs = ProfileChange.objects.select_related("organization", "submitted_by", "municipality")
        if ids is not None:
            qs = qs.filter(municipality_id__in=ids)
        if status:
            qs = qs.filter(status=status)
        return qs.order_by("created_at", "id")


def profile_change_get(*, user: Any, pk: int) -> ProfileChange:
    """One firm's edit the user may review; another municipality's is "not found"."""
    with scopes_disabled():
        change = profile_change_list(user=user, status=None).filter(pk=pk).first()
    if change is None or not can_review_changes(user, change.organization):
        raise Http404
    return change


def profile_change_rows(change: ProfileChange) -> list[dict[str, Any]]:
    """Each changed field with its label, the current value and the proposed one."""
    rows = []
    for name, proposed in change.changes.items():
        try:
            field: Any = Organization._meta.get_field(name)
            label = str(field.verbose_name)
        except Exception:  # a field this version does not know: shown by name, ignored on approval
            label = name
        current = getattr(change.organization, name, "")
        rows.append({"field": name, "label": label, "current": "" if current is None else current,
                     "proposed": "" if proposed is None else proposed})
    return rows


# ---- duplicates -------------------------------------------------------------------------------------


def duplicate_flag_list(*, user: Any, status: str | None = DuplicateStatus.OPEN) -> QuerySet[DuplicateFlag]:
    """Likely duplicate pairs in the user's municipality, newest first."""
    ids = office_municipality_ids(user)
    with scopes_disabled():
        qs = DuplicateFlag.objects.select_related("organization__municipality",
                                                  "duplicate_of__municipality")
        if ids is not None:
            qs = qs.filter(municipality_id__in=ids)
        if status:
            qs = qs.filter(status=status)
        return qs.order_by("-created_at", "-id")


def duplicate_flag_get(*, user: Any, pk: int) -> DuplicateFlag:
    """One flag the user may decide on; another municipality's is "not found"."""
    with scopes_disabled():
        flag = duplicate_flag_list(user=user, status=None).filter(pk=pk).first()
    if flag is None or not can_resolve_flag(user, flag):
        raise Http404
    return flag


# ---- settings ---------------------------------------------------------------------------------------


def directory_settings_for(*, municipality: Municipality) -> DirectorySettings:
    """A municipality's directory settings (the defaults, unsaved, until it changes one)."""
    with scopes_disabled():
        found = DirectorySettings.objects.filter(municipality=municipality).first()
    return found or DirectorySettings(municipality=municipality)
