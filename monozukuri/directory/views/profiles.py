"""Directory pages: the public list and profile pages, and the routes of the profile editors and members.

What a visitor reads of an organisation is decided by `visibility.Viewer`, once per request.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import URLPattern, path

from monozukuri.core.forms import add_service_errors
from monozukuri.core.japanese_calendar import format_date
from monozukuri.directory import permissions, selectors
from monozukuri.directory.forms import OrganizationFilterForm
from monozukuri.directory.views import memberships, profile_edit
from monozukuri.directory.visibility import FIELD_GROUPS, Viewer, group_visibility

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("page_size") or DEFAULT_PAGE_SIZE)
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return max(1, min(size, MAX_PAGE_SIZE))


def organization_list(request: HttpRequest) -> HttpResponse:
    """The directory: search by name or reading, filters in the URL, one card per organisation."""
    viewer = Viewer.of(request.user)
    form = OrganizationFilterForm(
        request.GET or None, municipalities=selectors.municipality_choices(),
        divisions=selectors.industry_division_list(), capabilities=selectors.capability_list())
    raw: QueryDict = request.GET.copy()
    try:
        filters = selectors.organization_filters_clean(raw)
    except ValidationError as exc:
        # Show what was wrong and search with the rest, rather than failing the whole page.
        add_service_errors(form, exc)
        for key in getattr(exc, "error_dict", {}):
            raw.pop(key, None)
        filters = selectors.organization_filters_clean(raw)
    organizations = selectors.organization_list(user=request.user, filters=filters, viewer=viewer)
    page = Paginator(organizations, _page_size(request)).get_page(request.GET.get("page"))
    return render(request, "directory/organization_list.html", {
        "form": form,
        "page": page,
        "filtered": any(request.GET.get(k) for k in selectors.FILTER_KEYS),
        "can_create": permissions.can_create_organization(request.user),
    })


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
    path("", organization_list, name="organization-list"),
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
