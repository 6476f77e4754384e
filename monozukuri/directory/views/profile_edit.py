"""Directory pages: the profile editors (staff of the organisation's municipality, and the firm's own
members through the same forms). Each page parses a form and calls one service; a form that comes back
with errors is shown again as typed. "Not yours" and "does not exist" are the same 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monozukuri.core.forms import add_service_errors
from monozukuri.core.models import Municipality
from monozukuri.directory import normalize, permissions, selectors
from monozukuri.directory.forms import (
    CapabilitiesForm,
    CertificationForm,
    ContactForm,
    EquipmentForm,
    OrganizationForm,
    PhotoRowForm,
    PhotoUploadForm,
    VisibilityForm,
    capability_choices,
    formset_items,
    row_formset,
)
from monozukuri.directory.models import Organization
from monozukuri.directory.services import duplicates, organizations
from monozukuri.directory.visibility import Viewer

ROW_PARTS: dict[str, dict[str, Any]] = {
    "certifications": {"form": CertificationForm, "group": "certifications", "title": gettext_lazy("認証"),
                       "row": gettext_lazy("認証")},
    "equipment": {"form": EquipmentForm, "group": "equipment", "title": gettext_lazy("設備"),
                  "row": gettext_lazy("設備")},
    "contacts": {"form": ContactForm, "group": "contact", "title": gettext_lazy("担当者"),
                 "row": gettext_lazy("担当者")},
}


def _editor(request: HttpRequest, pk: int) -> tuple[Organization, dict[str, Any]]:
    """The organisation the user may edit (else 404), and what the editor pages need to know."""
    org = selectors.organization_get_editable(user=request.user, pk=pk)
    viewer = Viewer.of(request.user)
    office = permissions.can_edit_directly(request.user, org)
    review = not office and selectors.review_public_edits(org)
    return org, {"org": org, "groups": viewer.visible_groups(org), "office": office, "review": review,
                 "can_manage_members": permissions.can_manage_members(request.user, org)}


def _report(request: HttpRequest, result: organizations.ChangeResult) -> None:
    """Tell the editor what became of the edit: saved, waiting for review, or nothing to save."""
    if result.applied:
        messages.success(request, _("保存しました。"))
    if result.pending is not None:
        messages.info(request,
                      _("公開される項目の変更を受け付けました。自治体の職員が確認してから公開されます。"))
    if not result.applied and result.pending is None:
        messages.info(request, _("変更はありませんでした。"))


def _flags_message(flags: list[Any]) -> Any:
    items = format_html_join("", "<li><a href=\"{}\">{}</a>（{}）</li>", (
        (flag.duplicate_of.get_absolute_url(), flag.duplicate_of.name,
         duplicates.REASON_LABELS.get(flag.reason, flag.reason)) for flag in flags))
    intro = _("似た登録があります。重複の候補として職員の確認一覧に記録しました:")
    return format_html("{}<ul>{}</ul>", intro, items)


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    """Staff register an organisation of their municipality; likely duplicates are flagged."""
    if not permissions.can_create_organization(request.user):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, divisions=selectors.industry_division_list())
    if request.method == "POST" and form.is_valid():
        try:
            created = organizations.organization_create(actor=request.user, values=form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("登録しました。技術・認証・設備・写真はこの画面から追加できます。"))
            if created.duplicates:
                messages.warning(request, _flags_message(created.duplicates))
            return redirect("directory:organization-edit", pk=created.organization.pk)
    return render(request, "directory/organization_form.html", {"form": form, "org": None})


@login_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile form: staff apply at once; a member's edits of public fields may wait for review."""
    org, context = _editor(request, pk)
    values = organizations.organization_values(org)
    form = OrganizationForm(request.POST or None, initial=OrganizationForm.initial_from(values),
                            divisions=selectors.industry_division_list(), groups=context["groups"],
                            office=context["office"])
    if request.method == "POST" and form.is_valid():
        try:
            result = organizations.organization_change(actor=request.user, org=org, changes=form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _report(request, result)
            if not permissions.can_edit_organization(request.user, result.organization):
                # Moved to another municipality: no longer this office's to edit.
                return redirect(result.organization)
            return redirect("directory:organization-edit", pk=org.pk)
    return render(request, "directory/organization_form.html", {**context, "form": form})


@login_required
def my_organization(request: HttpRequest) -> HttpResponse:
    """A firm member's own profile editor (the chooser, when they belong to several)."""
    orgs = list(selectors.organization_list_for_member(user=request.user))
    if len(orgs) == 1:
        return redirect("directory:organization-edit", pk=orgs[0].pk)
    return render(request, "directory/organization_my.html", {"organizations": orgs})


@login_required
def organization_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may read each field group, within the group's bounds."""
    org, context = _editor(request, pk)
    current = organizations.organization_values(org)["visibility"]
    form = VisibilityForm(request.POST or None, initial=current, groups=context["groups"])
    if request.method == "POST" and form.is_valid():
        try:
            result = organizations.organization_change(actor=request.user, org=org,
                                                       changes={"visibility": form.cleaned_data})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _report(request, result)
            return redirect("directory:organization-visibility", pk=org.pk)
    return render(request, "directory/organization_visibility.html", {**context, "form": form})


@login_required
def organization_capabilities(request: HttpRequest, pk: int) -> HttpResponse:
    """What the organisation can do, chosen from the capability taxonomy."""
    org, context = _editor(request, pk)
    capabilities = list(selectors.capability_list())
    current = {item["slug"]: item["note"] for item in organizations.organization_values(org)["capabilities"]}
    form = CapabilitiesForm(request.POST or None, initial={"capabilities": list(current)},
                            capabilities=capabilities)
    if request.method == "POST" and form.is_valid():
        items = [{"slug": slug, "note": current.get(slug, "")} for slug in form.cleaned_data["capabilities"]]
        try:
            result = organizations.organization_change(actor=request.user, org=org,
                                                       changes={"capabilities": items})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _report(request, result)
            return redirect("directory:organization-capabilities", pk=org.pk)
    chosen = set(form["capabilities"].value() or [])
    groups = [(label, [(slug, text, slug in chosen) for slug, text in choices])
              for label, choices in capability_choices(capabilities)]
    return render(request, "directory/organization_capabilities.html",
                  {**context, "form": form, "capability_groups": groups})


@login_required
def organization_rows(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """Certifications, equipment or contacts: a list of rows edited together."""
    spec = ROW_PARTS[part]
    org, context = _editor(request, pk)
    if spec["group"] not in context["groups"]:
        raise Http404  # a group hidden from this editor (need-to-know) is not theirs to see or change
    formset_class = row_formset(spec["form"])
    initial = organizations.organization_values(org)[part]
    formset = formset_class(request.POST or None, initial=initial, prefix=part)
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            result = organizations.organization_change(actor=request.user, org=org,
                                                       changes={part: formset_items(formset)})
        except ValidationError as exc:
            errors = list(exc.messages)
        else:
            _report(request, result)
            return redirect(f"directory:organization-{part}", pk=org.pk)
    return render(request, "directory/organization_rows.html", {
        **context, "formset": formset, "part": part, "title": spec["title"], "row_label": spec["row"],
        "service_errors": errors})


@login_required
def organization_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload photos (resized, metadata removed), change their descriptions, remove them."""
    org, context = _editor(request, pk)
    photos = list(org.photos.all())
    formset_class = row_formset(PhotoRowForm, extra=0)
    initial = [{"id": p.pk, "alt_text": p.alt_text} for p in photos]
    action = request.POST.get("action") if request.method == "POST" else None
    upload = PhotoUploadForm(request.POST if action == "upload" else None,
                             request.FILES if action == "upload" else None)
    formset = formset_class(request.POST if action == "update" else None, initial=initial, prefix="photos")
    errors: list[str] = []
    try:
        if action == "upload" and upload.is_valid():
            result = organizations.organization_photo_add(
                actor=request.user, org=org, image=upload.cleaned_data["image"],
                alt_text=upload.cleaned_data["alt_text"])
            _report(request, result)
            return redirect("directory:organization-photos", pk=org.pk)
        if action == "update" and formset.is_valid():
            result = organizations.organization_change(actor=request.user, org=org,
                                                       changes={"photos": formset_items(formset)})
            _report(request, result)
            return redirect("directory:organization-photos", pk=org.pk)
    except ValidationError as exc:
        if action == "upload":
            add_service_errors(upload, exc)
        else:
            errors = list(exc.messages)
    rows = list(zip(formset.forms, photos, strict=False))
    return render(request, "directory/organization_photos.html", {
        **context, "upload": upload, "formset": formset, "rows": rows, "service_errors": errors})


def postcode_preview(request: HttpRequest) -> HttpResponse:
    """The address and municipality a postcode stands for (an htmx fragment next to the field)."""
    digits = normalize.nfkc(request.GET.get("postcode", "")).replace("-", "").replace("〒", "").strip()
    postal = normalize.address_from_postcode(digits) if len(digits) == 7 else None
    municipality = Municipality.objects.filter(code=postal.municipality_code).first() if postal else None
    return render(request, "directory/partials/postcode_preview.html",
                  {"postal": postal, "municipality": municipality, "postcode": digits})
