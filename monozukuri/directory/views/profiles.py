"""Directory pages: the public list and profile pages, and the routes of the profile editors and members.

The list is the directory search (search.views.organization_search_page: text, facets, distance, map).
What a visitor reads of an organisation is decided by `visibility.Viewer`, once per request.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from monozukuri.core.japanese_calendar import format_date
from monozukuri.directory import permissions, selectors
from monozukuri.directory.views import memberships, profile_edit
from monozukuri.directory.visibility import FIELD_GROUPS, Viewer, group_visibility
from monozukuri.search.views import organization_search_page


def _date_labels(value: Any) -> str:
    if not value:
        return ""
    western, wareki = format_date(value, "western"), format_date(value, "wareki")
    return western if western == wareki else f"{western}（{wareki}）"


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A profile: every field group the visitor may read, and nothing else."""
    org = selectors.organization_get(user=request.user, key=pk)
    if org.pk != pk:
        return redirect(org, permanent=True)  # merged into another record
    viewer = Viewer.of(request.user)
    groups = viewer.visible_groups(org)
    office = viewer.is_office_for(org)
    can_edit = viewer.is_member_of(org) or permissions.can_edit_directly(request.user, org)
    return render(request, "directory/organization_detail.html", {
        "org": org,
        "groups": groups,
        "office": office,
        "can_edit": can_edit,
        "can_manage_members": can_edit and permissions.can_manage_members(request.user, org),
        "founded_on_label": _date_labels(org.founded_on),
        "closed_on_label": _date_labels(org.closed_on),
        "visibility": [(g, group_visibility(org, g)) for g in FIELD_GROUPS if g.key in groups],
        "history": selectors.organization_history(viewer=viewer, org=org) if office else None,
        "pending_changes": selectors.profile_changes_pending(org=org) if can_edit else [],
    })


def organization_by_number(request: HttpRequest, number: str) -> HttpResponse:
    """/directory/n/<法人番号>/ leads to the profile of the organisation with that corporate number."""
    return redirect(selectors.organization_get(user=request.user, key=number, with_parts=False))


urlpatterns: list[URLPattern] = [
    path("", organization_search_page, name="organization-list"),
    path("new/", profile_edit.organization_create, name="organization-create"),
    path("postcode/", profile_edit.postcode_preview, name="organization-postcode"),
    path("my/", profile_edit.my_organization, name="my-organization"),
    path("n/<str:number>/", organization_by_number, name="organization-by-number"),
    path("<int:pk>/", organization_detail, name="organization-detail"),
    path("<int:pk>/edit/", profile_edit.organization_edit, name="organization-edit"),
    path("<int:pk>/visibility/", profile_edit.organization_visibility, name="organization-visibility"),
    path("<int:pk>/capabilities/", profile_edit.organization_capabilities,
         name="organization-capabilities"),
    path("<int:pk>/certifications/", profile_edit.organization_rows, {"part": "certifications"},
         name="organization-certifications"),
    path("<int:pk>/equipment/", profile_edit.organization_rows, {"part": "equipment"},
         name="organization-equipment"),
    path("<int:pk>/contacts/", profile_edit.organization_rows, {"part": "contacts"},
         name="organization-contacts"),
    path("<int:pk>/photos/", profile_edit.organization_photos, name="organization-photos"),
    *memberships.urlpatterns,
]
