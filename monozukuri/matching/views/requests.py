"""Pages for requests: list, form with live candidate preview, detail, transitions, candidates, files."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from monozukuri.core.forms import add_service_errors
from monozukuri.matching import permissions, selectors
from monozukuri.matching.forms import AttachmentForm, InterestForm, ProposeForm, ReasonForm, RequestForm
from monozukuri.matching.models import RequestKind
from monozukuri.matching.presenters import consented_request_ids
from monozukuri.matching.ranking import RequestSpec, default_seeking, rank
from monozukuri.matching.services import introductions as intro_services
from monozukuri.matching.services import requests as services
from monozukuri.matching.views.common import card, organizations_of, service_error

PREVIEW_LIMIT = 10


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    """Published requests (for signed-in partners), the user's own, or the office's."""
    scope = request.GET.get("scope", "published")
    q = request.GET.get("q", "")[:200]
    kind = request.GET.get("kind", "")
    rows = selectors.request_list(user=request.user, scope=scope, q=q, kind=kind)
    consented = consented_request_ids(request.user, [r.pk for r in rows])
    return render(
        request,
        "matching/request_list.html",
        {
            "cards": [card(r, request.user, consented) for r in rows],
            "scope": scope,
            "q": q,
            "kind": kind,
            "kinds": RequestKind.choices,
            "is_staff": permissions.is_staff(request.user),
            "has_organization": bool(permissions.member_organization_ids(request.user)),
        },
    )


@login_required
def request_export(request: HttpRequest) -> HttpResponse:
    """The same list as CSV (UTF-8 with BOM for Excel), with what the user may see of each request."""
    scope = request.GET.get("scope", "published")
    rows = selectors.request_list(
        user=request.user, scope=scope, q=request.GET.get("q", "")[:200], kind=request.GET.get("kind", "")
    )
    consented = consented_request_ids(request.user, [r.pk for r in rows])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="matching-requests.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("番号"),
            _("種類"),
            _("状態"),
            _("件名"),
            _("依頼者"),
            _("担当者"),
            _("担当者メール"),
            _("審査する自治体"),
            _("技術・材料"),
            _("公開日"),
            _("掲載期限"),
        ]
    )
    for row in rows:
        c = card(row, request.user, consented)
        writer.writerow(
            [
                c.id,
                c.kind_label,
                c.status_label,
                c.title,
                c.requester_label,
                c.contact_name or "",
                c.contact_email or "",
                c.office_name,
                " / ".join(c.capabilities),
                c.published_at.date().isoformat() if c.published_at else "",
                c.expires_on.isoformat() if c.expires_on else "",
            ]
        )
    return response


def _requester_for(http_request: HttpRequest, form: RequestForm, organizations: list[Any]) -> Any:
    """The organisation a new request is for: the member's own, or (staff) the one named in the form."""
    from monozukuri.directory.selectors import organization_get

    user = http_request.user
    if "requester" in form.fields and permissions.is_staff(user):
        try:
            return organization_get(user=user, key=form.cleaned_data["requester"], with_parts=False)
        except Http404:
            form.add_error("requester", _("その番号の企業・団体は見つかりません。"))
            return None
    if "requester" in form.fields:
        chosen = [o for o in organizations if o.pk == form.cleaned_data["requester"]]
        return chosen[0] if chosen else None
    return organizations[0] if organizations else None


@login_required
def request_create(request: HttpRequest) -> HttpResponse:
    """Write a request (or offer) as a draft; candidates are previewed live as the form is filled in."""
    user = request.user
    organizations = organizations_of(user)
    staff = permissions.is_staff(user)
    if not organizations and not staff:
        raise PermissionDenied
    initial = {"kind": request.GET.get("kind", RequestKind.PROTOTYPE)}
    form = RequestForm(request.POST or None, initial=initial, organizations=organizations, staff=staff)
    if request.method == "POST" and form.is_valid():
        requester = _requester_for(request, form, organizations)
        if requester is not None:
            try:
                created = services.request_create(actor=user, requester=requester, **form.service_fields())
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied:
                form.add_error(None, _("この企業・団体の依頼は登録できません。"))
            else:
                messages.success(
                    request, _("下書きを保存しました。内容を確かめて「審査を依頼」してください。")
                )
                return redirect(created)
    return render(request, "matching/request_form.html", {"form": form, "matching_request": None})


@login_required
@require_POST
def request_preview(request: HttpRequest) -> HttpResponse:
    """The live candidate preview of the request form (htmx): ranks what has been typed so far."""
    user = request.user
    organizations = organizations_of(user)
    form = RequestForm(request.POST, organizations=organizations, staff=permissions.is_staff(user))
    form.is_valid()  # the preview works on whatever is valid so far
    data = form.cleaned_data
    requester = None
    if "requester" not in form.fields:
        requester = organizations[0] if organizations else None
    elif "requester" in data:
        requester = _requester_for(request, form, organizations)
    if requester is not None and not permissions.can_create_request_for(user, requester):
        requester = None
    if not any(data.get(k) for k in ("title", "what", "description", "material", "capabilities")):
        return render(request, "matching/partials/candidate_preview.html", {"ranking": None})
    kind = data.get("kind") or RequestKind.PROTOTYPE
    spec = RequestSpec(
        kind=kind,
        seeking=data.get("seeking") or default_seeking(kind, getattr(requester, "kind", None)),
        title=data.get("title", ""),
        description=data.get("description", ""),
        what=data.get("what", ""),
        material=data.get("material", ""),
        quantity=data.get("quantity"),
        required_certifications=tuple(
            c.strip() for c in (data.get("required_certifications") or "").split(",") if c.strip()
        ),
        capability_ids=tuple(c.pk for c in data.get("capabilities", [])),
        requester_id=requester.pk if requester is not None else None,
        municipality_id=getattr(requester, "municipality_id", None),
    )
    weights = selectors.ranking_weights(municipality_id=spec.municipality_id)
    ranking = rank(user=user, spec=spec, weights=weights, limit=PREVIEW_LIMIT)
    return render(request, "matching/partials/candidate_preview.html", {"ranking": ranking, "preview": True})


@login_required
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request as the user may see it, with the actions the user may take."""
    user = request.user
    matching_request = selectors.request_get(user=user, pk=pk)
    introductions = selectors.introduction_list(user=user, request=matching_request)
    interest_orgs = [o for o in organizations_of(user) if o.pk != matching_request.requester_id]
    return render(
        request,
        "matching/request_detail.html",
        {
            "matching_request": matching_request,
            "card": card(matching_request, user),
            "can_edit": permissions.can_edit_request(user, matching_request),
            "can_submit": permissions.can_submit_request(user, matching_request),
            "can_withdraw": permissions.can_withdraw_request(user, matching_request),
            "can_close": permissions.can_close_request(user, matching_request),
            "can_renew": permissions.can_renew_request(user, matching_request),
            "can_expire": permissions.is_office(user, matching_request.municipality_id)
            and permissions.can_expire_request(user, matching_request),
            "can_review": permissions.can_review_request(user, matching_request),
            "can_candidates": permissions.can_view_candidates(user, matching_request),
            "can_interest": permissions.can_express_interest(user, matching_request)
            and not any(permissions.is_candidate_side(user, i) for i in introductions),
            "interest_form": InterestForm(organizations=interest_orgs),
            "attachment_form": AttachmentForm(),
            "reason_form": ReasonForm(),
            "introductions": introductions,
            "history": selectors.request_history(user=user, request=matching_request),
        },
    )


@login_required
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    matching_request = selectors.request_get(user=user, pk=pk)
    if not permissions.can_edit_request(user, matching_request):
        raise PermissionDenied
    chosen = [link.capability for link in matching_request.capability_links.all() if link.source == "chosen"]
    initial = {f: getattr(matching_request, f) for f in services.EDITABLE_FIELDS}
    initial["required_certifications"] = ", ".join(matching_request.required_certifications or [])
    initial["capabilities"] = chosen
    form = RequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(actor=user, request=matching_request, **form.service_fields())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("下書きを更新しました。"))
            return redirect(matching_request)
    return render(request, "matching/request_form.html", {"form": form, "matching_request": matching_request})


TRANSITIONS: dict[str, tuple[Any, Any, bool]] = {
    "submit": (
        services.request_submit, gettext_lazy("審査を依頼しました。自治体の確認をお待ちください。"), False
    ),
    "withdraw": (services.request_withdraw, gettext_lazy("依頼を取り下げました。"), True),
    "close": (services.request_close, gettext_lazy("依頼を終了しました。"), True),
    "renew": (services.request_renew, gettext_lazy("掲載期限を延長しました。"), False),
    "expire": (services.request_expire, gettext_lazy("掲載を終了しました（期限切れ）。"), False),
}


@login_required
@require_POST
def request_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Submit, withdraw, close, renew or expire a request (one service each)."""
    if verb not in TRANSITIONS:
        raise Http404
    matching_request = selectors.request_get(user=request.user, pk=pk)
    service, done, with_reason = TRANSITIONS[verb]
    kwargs: dict[str, Any] = {"actor": request.user, "request": matching_request}
    if with_reason:
        kwargs["reason"] = request.POST.get("reason", "")[:300]
    try:
        service(**kwargs)
    except (PermissionDenied, ValidationError) as exc:
        service_error(request, exc)
    else:
        messages.success(request, str(done))
    return redirect(matching_request)


@login_required
def request_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranked candidates of a request with their reasons (requester's side and office only)."""
    user = request.user
    matching_request = selectors.request_get(user=user, pk=pk)
    if not permissions.can_view_candidates(user, matching_request):
        raise Http404
    if matching_request.kind == RequestKind.OFFER:
        matches = selectors.offer_matches(user=user, request=matching_request)
        consented = consented_request_ids(user, [m.request.pk for m in matches])
        offer_rows = [(card(m.request, user, consented), m.scored) for m in matches]
        return render(
            request,
            "matching/request_candidates.html",
            {
                "matching_request": matching_request,
                "card": card(matching_request, user),
                "offer_rows": offer_rows,
            },
        )
    ranking = selectors.candidate_list(user=user, request=matching_request, limit=30)
    return render(
        request,
        "matching/request_candidates.html",
        {
            "matching_request": matching_request,
            "card": card(matching_request, user),
            "ranking": ranking,
            "rows": [(s, ranking.introductions.get(s.candidate.key)) for s in ranking.results],
            "offer_rows": None,
            "can_propose": permissions.can_propose_introduction(user, matching_request),
            "requester_side": permissions.is_requester_side(user, matching_request),
        },
    )


@login_required
@require_POST
def request_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose an introduction to one candidate from the list."""
    user = request.user
    matching_request = selectors.request_get(user=user, pk=pk)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        raise Http404
    organization = adviser = None
    if form.cleaned_data["candidate_type"] == "organization":
        from monozukuri.directory.selectors import organization_get

        organization = organization_get(user=user, key=form.cleaned_data["candidate_id"], with_parts=False)
    else:
        adviser = selectors.adviser_get(user=user, pk=form.cleaned_data["candidate_id"])
    consent = form.cleaned_data["consent"] and permissions.is_requester_side(user, matching_request)
    try:
        intro = intro_services.introduction_propose(
            actor=user,
            request=matching_request,
            organization=organization,
            adviser=adviser,
            message=form.cleaned_data["message"],
            consent=consent,
        )
    except (PermissionDenied, ValidationError) as exc:
        service_error(request, exc)
        return redirect("matching:request-candidates", pk=matching_request.pk)
    messages.success(request, _("紹介を提案しました。相手の同意を待っています。"))
    return redirect(intro)


@login_required
@require_POST
def request_interest(request: HttpRequest, pk: int) -> HttpResponse:
    """A firm or an adviser says it could help with a published request."""
    user = request.user
    matching_request = selectors.request_get(user=user, pk=pk)
    organizations = [o for o in organizations_of(user) if o.pk != matching_request.requester_id]
    form = InterestForm(request.POST, organizations=organizations)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for message in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {message}" if label else str(message))
        return redirect(matching_request)
    organization = None
    if organizations:
        chosen = form.cleaned_data.get("organization") or organizations[0].pk
        organization = next((o for o in organizations if o.pk == chosen), None)
        if organization is None:
            raise Http404
    try:
        intro = intro_services.introduction_express_interest(
            actor=user,
            request=matching_request,
            organization=organization,
            message=form.cleaned_data["message"],
        )
    except (PermissionDenied, ValidationError) as exc:
        service_error(request, exc)
        return redirect(matching_request)
    messages.success(
        request, _("関心があることを依頼者に伝えました。依頼者が同意すると、依頼者名と連絡先が表示されます。")
    )
    return redirect(intro)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    matching_request = selectors.request_get(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, request=matching_request, upload=form.cleaned_data["file"]
            )
        except (PermissionDenied, ValidationError) as exc:
            service_error(request, exc)
        else:
            messages.success(request, _("ファイルを添付しました。"))
    else:
        for message in form.errors.get("file", []):
            messages.error(request, str(message))
    return redirect(matching_request)


def _attachment(request: HttpRequest, pk: int, attachment_pk: int) -> tuple[Any, Any]:
    matching_request = selectors.request_get(user=request.user, pk=pk)
    if not permissions.can_view_attachments(request.user, matching_request):
        raise Http404
    found = [a for a in matching_request.attachments.all() if a.pk == attachment_pk]
    if not found:
        raise Http404
    return matching_request, found[0]


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """A drawing, for those who may know who drew it (never a public file URL)."""
    _request, attachment = _attachment(request, pk, attachment_pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    matching_request, attachment = _attachment(request, pk, attachment_pk)
    try:
        services.attachment_remove(actor=request.user, request=matching_request, attachment=attachment)
    except PermissionDenied as exc:
        service_error(request, exc)
    else:
        messages.success(request, _("添付を削除しました。"))
    return redirect(matching_request)
