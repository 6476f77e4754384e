"""Directory pages: likely duplicates, and the merge tool."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monozukuri.directory import selectors_freshness as selectors
from monozukuri.directory.models import DuplicateStatus, Organization
from monozukuri.directory.permissions import can_merge
from monozukuri.directory.services import duplicates as services

PAGE_SIZE = 50


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """Open likely-duplicate pairs in the user's municipality, newest first."""
    if selectors.office_municipality_ids(request.user) == []:
        raise PermissionDenied
    page = Paginator(selectors.duplicate_flag_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "directory/duplicate_list.html", {"page": page, "reasons": services.REASON_LABELS})


def _merge_context(a: Organization, b: Organization, rows: list[dict[str, Any]],
                   chosen: dict[str, str], keep: str) -> dict[str, Any]:
    counts = selectors.organization_link_counts([a, b])
    for row in rows:
        row["chosen"] = chosen.get(row["key"], "a" if row["default"] == "keep" else "b")
    return {"a": a, "b": b, "rows": rows, "keep": keep, "counts_a": counts[a.pk], "counts_b": counts[b.pk]}


@login_required
def duplicate_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Compare the two records, choose the one to keep and, per differing field, whose value stays."""
    flag = selectors.duplicate_flag_get(user=request.user, pk=pk)
    a, b = flag.duplicate_of, flag.organization  # A: the record found first; B: the newer one
    if flag.status != DuplicateStatus.OPEN or a.merged_into_id or b.merged_into_id:
        messages.info(request, _("この重複の候補は既に処理されています。"))
        return redirect("directory:duplicate-list")
    rows = services.merge_field_rows(a, b)
    keep = "a"
    chosen: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        keep = "b" if request.POST.get("keep") == "b" else "a"
        chosen = {row["key"]: request.POST.get(f"field-{row['key']}", "") for row in rows if row["differs"]}
        chosen = {k: v for k, v in chosen.items() if v in ("a", "b")}
        keep_org, drop_org = (a, b) if keep == "a" else (b, a)
        field_choices = {k: "keep" if v == keep else "drop" for k, v in chosen.items()}
        if not can_merge(request.user, keep_org, drop_org):
            error = _("統合されて閉じる側（%(name)s）は、あなたの自治体の記録ではありません。"
                      "残す記録を入れ替えるか、その自治体の職員に依頼してください。"
                      ) % {"name": drop_org.name}
        else:
            try:
                services.organizations_merge(actor=request.user, keep=keep_org, drop=drop_org,
                                             field_choices=field_choices)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("「%(drop)s」を「%(keep)s」に統合しました。"
                                            "関連する記録と履歴はすべて引き継がれています。")
                                 % {"drop": drop_org.name, "keep": keep_org.name})
                return redirect("directory:duplicate-list")
    context = _merge_context(a, b, rows, chosen, keep)
    context.update({"flag": flag, "reason": services.REASON_LABELS.get(flag.reason, flag.reason),
                    "error": error})
    return render(request, "directory/duplicate_merge.html", context, status=400 if error else 200)


@login_required
@require_POST
def duplicate_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the pair are different organisations."""
    flag = selectors.duplicate_flag_get(user=request.user, pk=pk)
    try:
        services.duplicate_dismiss(actor=request.user, flag=flag)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("「%(a)s」と「%(b)s」を別の企業として記録しました。")
                         % {"a": flag.organization.name, "b": flag.duplicate_of.name})
    return redirect("directory:duplicate-list")


urlpatterns: list[URLPattern] = [
    path("duplicates/", duplicate_list, name="duplicate-list"),
    path("duplicates/<int:pk>/merge/", duplicate_merge, name="duplicate-merge"),
    path("duplicates/<int:pk>/dismiss/", duplicate_dismiss, name="duplicate-dismiss"),
]
