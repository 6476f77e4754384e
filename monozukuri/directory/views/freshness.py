"""Directory pages: freshness (stale records, confirmation requests, the signed link), review of firms'
edits, and the municipality's directory settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.forms.models import modelform_factory
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_scopes import scopes_disabled

from monozukuri.core.forms import add_service_errors
from monozukuri.core.models import Municipality
from monozukuri.core.selectors import municipality_list
from monozukuri.directory import selectors_freshness as selectors
from monozukuri.directory.models import ConfirmationRequest, Organization
from monozukuri.directory.normalize import address_from_postcode, nfkc
from monozukuri.directory.permissions import can_send_confirmation, is_admin
from monozukuri.directory.selectors import review_public_edits
from monozukuri.directory.services import freshness as services

PAGE_SIZE = 50
INVALID_STATUS = {services.INVALID: 400, services.EXPIRED: 410, services.SUPERSEDED: 410}


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


# ---- the freshness page and confirmation requests ----------------------------------------------------


@login_required
def freshness_list(request: HttpRequest) -> HttpResponse:
    """Records not confirmed within 12 months: the user's municipality (TMG, admins: all, grouped)."""
    user = request.user
    if selectors.freshness_municipality_ids(user) == []:
        raise PermissionDenied
    code = request.GET.get("municipality") or ""
    counts = selectors.freshness_counts(user=user)
    page = Paginator(selectors.stale_organization_list(user=user, municipality_code=code or None),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"org": org, "can_send": can_send_confirmation(user, org)} for org in page.object_list]
    return render(request, "directory/freshness_list.html", {
        "page": page, "rows": rows, "counts": counts, "selected_municipality": code,
        "stale_total": sum(c["stale"] for c in counts), "cutoff": selectors.stale_cutoff(),
        "all_municipalities": selectors.freshness_municipality_ids(user) is None,
    })


class ConfirmationSendForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("送信先メールアドレス"), required=False,
        help_text=gettext_lazy("空欄のときは企業の代表メール、なければ管理者のメールアドレスに送ります。"))


@login_required
def confirmation_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff of the record's municipality mail the firm a link to confirm or correct its record."""
    org = Organization.objects.select_related("municipality").filter(pk=pk, merged_into__isnull=True).first()
    if org is None or not can_send_confirmation(request.user, org):
        raise Http404
    form = ConfirmationSendForm(request.POST if request.method == "POST" else None,
                                initial={"email": services.confirmation_recipient_default(org)})
    if request.method == "POST" and form.is_valid():
        try:
            sent = services.confirmation_request_send(actor=request.user, org=org,
                                                      email=form.cleaned_data["email"] or None,
                                                      base_url=_base_url(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s（%(email)s）に確認依頼を送りました。"
                                        "リンクの有効期限は %(date)s です。")
                             % {"name": org.name, "email": sent.sent_to,
                                "date": timezone.localtime(sent.expires_at).strftime("%Y-%m-%d")})
            return redirect("directory:freshness")
    with scopes_disabled():
        sent_before = list(ConfirmationRequest.objects.filter(organization=org).order_by("-sent_at")[:10])
    return render(request, "directory/freshness_send.html", {
        "org": org, "form": form, "sent_before": sent_before, "now": timezone.now(),
        "days": services.confirmation_days(),
    })


class ConfirmationEditBase(forms.ModelForm):
    """The public fields a firm corrects through its link (built per firm by `_edit_form_class`)."""

    def clean_postcode(self) -> str:
        value = nfkc(self.cleaned_data.get("postcode") or "").replace("-", "").replace("〒", "").strip()
        if value and address_from_postcode(value) is None:
            raise ValidationError(_("郵便番号「%(value)s」は日本郵便のデータにありません。"
                                    "番号を確かめてください。") % {"value": value})
        return value

    def clean_website(self) -> str:
        value = self.cleaned_data.get("website") or ""
        if value and not value.startswith(("http://", "https://")):
            raise ValidationError(_("URLを https:// から入力してください。"))
        return value


def _formfield(field: Any, **kwargs: Any) -> Any:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


def _edit_form_class(fields: list[str]) -> type[forms.ModelForm]:
    widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "products": forms.Textarea(attrs={"rows": 3})}
    return modelform_factory(Organization, form=ConfirmationEditBase, fields=fields,
                             formfield_callback=_formfield,
                             widgets={k: v for k, v in widgets.items() if k in fields})


def _link_page(request: HttpRequest, link: services.ConfirmationLink) -> HttpResponse:
    """The page for a link that cannot be answered (used, expired, superseded, tampered)."""
    request_ = link.request
    if link.state == services.USED and request_ is not None:
        response = render(request, "directory/confirm_done.html", {"confirmation": request_,
                                                                  "org": request_.organization})
    else:
        response = render(request, "directory/confirm_invalid.html", {
            "state": link.state, "confirmation": request_,
            "municipality": request_.municipality if request_ else None,
        }, status=INVALID_STATUS.get(link.state, 400))
    response["Referrer-Policy"] = "same-origin"  # no-referrer would send Origin: null and fail CSRF
    return response


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link: the firm confirms "no change" or corrects its public fields (no log-in needed)."""
    link = services.confirmation_link_resolve(token)
    if link.state != services.VALID or link.request is None:
        return _link_page(request, link)
    org = Organization.objects.select_related("municipality").get(pk=link.request.organization_id)
    fields = services.confirmation_editable_fields(org)
    form_class = _edit_form_class(fields)
    form: Any = form_class(instance=Organization.objects.get(pk=org.pk))
    if request.method == "POST":
        try:
            edit = form_class(request.POST, instance=Organization.objects.get(pk=org.pk))
            if request.POST.get("action") == "edit" and edit.has_changed():
                form = edit
                if form.is_valid():
                    changes = {f: form.cleaned_data[f] for f in fields}
                    change = services.confirmation_edit(token=token, changes=changes, user=request.user)
                    messages.success(request, _("修正内容を受け付けました。職員が確認した後に公開されます。")
                                     if change else _("ご回答ありがとうございました。内容を更新しました。"))
                    return redirect("directory:confirm", token=token)
            else:
                services.confirmation_confirm(token=token, user=request.user)
                messages.success(request, _("ご回答ありがとうございました。"
                                            "掲載内容に変更がないことを確認しました。"))
                return redirect("directory:confirm", token=token)
        except services.ConfirmationLinkError as exc:
            return _link_page(request, exc.link)
        except ValidationError as exc:
            add_service_errors(form, exc)
    response = render(request, "directory/confirm_form.html", {
        "org": org, "form": form, "confirmation": link.request, "review": review_public_edits(org),
    })
    response["Referrer-Policy"] = "same-origin"  # no-referrer would send Origin: null and fail CSRF
    return response


# ---- review of firms' edits ---------------------------------------------------------------------------


@login_required
def change_review_list(request: HttpRequest) -> HttpResponse:
    """Firms' edits waiting for review in the user's municipality, oldest first."""
    if selectors.office_municipality_ids(request.user) == []:
        raise PermissionDenied
    page = Paginator(selectors.profile_change_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "directory/change_review_list.html", {"page": page})


class ReviewForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("確認メモ（差し戻すときは理由）"), required=False,
                           max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("差し戻す場合は必須です。申請した企業に伝わります。"))


@login_required
def change_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One firm's edit: the current and proposed values; approve (公開) or return it (差戻し)."""
    change = selectors.profile_change_get(user=request.user, pk=pk)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if request.POST.get("decision") == "approve":
                services.profile_change_approve(actor=request.user, change=change, note=note,
                                                base_url=_base_url(request))
                messages.success(request, _("%(name)s の変更を公開しました。")
                                 % {"name": change.organization.name})
            elif request.POST.get("decision") == "reject":
                services.profile_change_reject(actor=request.user, change=change, note=note,
                                               base_url=_base_url(request))
                messages.success(request, _("%(name)s の変更を差し戻しました。")
                                 % {"name": change.organization.name})
            else:
                raise Http404
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("directory:change-review-list")
    return render(request, "directory/change_review_detail.html", {
        "change": change, "rows": selectors.profile_change_rows(change), "form": form,
    })


# ---- settings -----------------------------------------------------------------------------------------


class DirectorySettingsForm(forms.Form):
    review_public_edits = forms.BooleanField(
        label=gettext_lazy("企業による公開項目の変更は、職員が確認してから公開する"), required=False,
        help_text=gettext_lazy("外すと、企業の修正（確認依頼のリンクからの修正を含む）はすぐに公開されます。"
                               "変更はすべて履歴に残ります。"))


def _settings_municipality(request: HttpRequest) -> Municipality | None:
    user: Any = request.user
    if is_admin(user):
        code = request.GET.get("municipality") or request.POST.get("municipality") or ""
        return Municipality.objects.filter(code=code).first() if code else None
    if getattr(user, "is_municipal_staff", False) and user.municipality_id:
        return Municipality.objects.get(pk=user.municipality_id)
    raise PermissionDenied


@login_required
def directory_settings(request: HttpRequest) -> HttpResponse:
    """The municipality's directory settings: whether firms' public edits wait for staff review."""
    municipality = _settings_municipality(request)
    if municipality is None:  # a platform admin chooses the municipality first
        return render(request, "directory/directory_settings.html", {
            "municipality": None, "municipalities": municipality_list()})
    current = selectors.directory_settings_for(municipality=municipality)
    form = DirectorySettingsForm(request.POST if request.method == "POST" else None,
                                 initial={"review_public_edits": current.review_public_edits})
    if request.method == "POST" and form.is_valid():
        services.directory_settings_update(actor=request.user, municipality=municipality,
                                           review_public_edits=form.cleaned_data["review_public_edits"])
        messages.success(request, _("設定を保存しました。"))
        url = request.path + (f"?municipality={municipality.code}" if is_admin(request.user) else "")
        return redirect(url)
    return render(request, "directory/directory_settings.html", {
        "municipality": municipality, "form": form, "is_admin": is_admin(request.user)})


urlpatterns: list[URLPattern] = [
    path("freshness/", freshness_list, name="freshness"),
    path("organizations/<int:pk>/confirmation/", confirmation_send, name="confirmation-send"),
    path("confirm/<str:token>/", confirm, name="confirm"),
    path("changes/", change_review_list, name="change-review-list"),
    path("changes/<int:pk>/", change_review, name="change-review"),
    path("settings/", directory_settings, name="directory-settings"),
]
