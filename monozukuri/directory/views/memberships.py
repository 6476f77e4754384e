"""Directory pages: the people who keep an organisation's profile, invitations and their acceptance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monozukuri.core.forms import add_service_errors
from monozukuri.directory import permissions, selectors
from monozukuri.directory.forms import InvitationForm, MemberRoleForm, NewAccountForm
from monozukuri.directory.models import OrganizationMembership
from monozukuri.directory.services import memberships as services
from monozukuri.directory.visibility import Viewer

AUTH_BACKEND = "monozukuri.accounts.backends.EmailBackend"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def membership_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Members and open invitations; owners (and staff of its municipality) invite and change roles."""
    org = selectors.organization_get_editable(user=request.user, pk=pk, with_parts=False)
    can_manage = permissions.can_manage_members(request.user, org)
    form = InvitationForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                invitation = services.membership_invite(
                    actor=request.user, org=org, email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"], site_url=_site_url(request))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(email)s に招待メールを送りました。")
                                 % {"email": invitation.email})
                return redirect("directory:membership-list", pk=org.pk)
    members = list(selectors.membership_list(org=org))
    return render(request, "directory/membership_list.html", {
        "org": org, "office": permissions.can_edit_directly(request.user, org),
        "groups": Viewer.of(request.user).visible_groups(org),
        "can_manage_members": can_manage, "form": form if can_manage else None,
        "members": [(m, MemberRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in members],
        "invitations": list(selectors.invitation_list_open(org=org)) if can_manage else [],
        "is_member": any(m.user_id == request.user.pk for m in members),
    })


def _membership(request: HttpRequest, pk: int, membership_pk: int) -> OrganizationMembership:
    org = selectors.organization_get_editable(user=request.user, pk=pk, with_parts=False)
    membership = selectors.membership_list(org=org).filter(pk=membership_pk).first()
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _membership(request, pk, membership_pk)
    form = MemberRoleForm(request.POST, prefix=f"m{membership.pk}")
    if form.is_valid():
        try:
            services.membership_role_set(actor=request.user, membership=membership,
                                         role=form.cleaned_data["role"])
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(request, _("権限を変更しました。"))
    return redirect("directory:membership-list", pk=pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    membership = _membership(request, pk, membership_pk)
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("%(name)s さんをメンバーから外しました。") % {"name": membership.user})
    return redirect("directory:membership-list", pk=pk)


@login_required
@require_POST
def membership_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed-in member leaves the organisation's account."""
    org = selectors.organization_get_editable(user=request.user, pk=pk, with_parts=False)
    try:
        services.membership_leave(user=request.user, org=org)
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("directory:membership-list", pk=pk)
    messages.success(request, _("「%(name)s」のアカウントから退会しました。") % {"name": org.name})
    return redirect(org)


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    org = selectors.organization_get_editable(user=request.user, pk=pk, with_parts=False)
    invitation = org.invitations.filter(pk=invitation_pk, accepted_at__isnull=True).first()
    if invitation is None:
        raise Http404
    services.invitation_cancel(actor=request.user, invitation=invitation)
    messages.success(request, _("招待を取り消しました。"))
    return redirect("directory:membership-list", pk=pk)


def membership_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation mail: join with the signed-in account, or create one."""
    try:
        invitation = selectors.invitation_get_by_token(token=token)
    except ValidationError as exc:
        return render(request, "directory/membership_accept.html", {"problem": exc.messages[0]}, status=410)
    user = request.user
    signed_in = bool(user.is_authenticated)
    account_exists = signed_in or selectors.user_exists(email=invitation.email)
    form = None
    if not signed_in and account_exists:
        messages.info(request, _("%(email)s でログインすると、招待を受け入れられます。")
                      % {"email": invitation.email})
        return redirect_to_login(request.get_full_path())
    if not signed_in:
        form = NewAccountForm(request.POST or None, email=invitation.email)
    wrong_account = signed_in and getattr(user, "email", "").lower() != invitation.email.lower()
    if request.method == "POST" and not wrong_account:
        joined = False
        if form is None:
            try:
                services.membership_accept(user=user, invitation=invitation)
            except ValidationError as exc:
                _show_errors(request, exc)
            else:
                joined = True
        elif form.is_valid():
            try:
                membership = services.membership_accept_new_account(
                    invitation=invitation, password=form.cleaned_data["password1"],
                    display_name=form.cleaned_data["display_name"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                login(request, membership.user, backend=AUTH_BACKEND)
                joined = True
        if joined:
            messages.success(request, _("「%(name)s」のメンバーになりました。")
                             % {"name": invitation.organization.name})
            return redirect("directory:organization-edit", pk=invitation.organization_id)
    return render(request, "directory/membership_accept.html", {
        "invitation": invitation, "form": form, "wrong_account": wrong_account})


urlpatterns: list[URLPattern] = [
    path("<int:pk>/members/", membership_list, name="membership-list"),
    path("<int:pk>/members/<int:membership_pk>/role/", membership_role, name="membership-role"),
    path("<int:pk>/members/<int:membership_pk>/remove/", membership_remove, name="membership-remove"),
    path("<int:pk>/members/leave/", membership_leave, name="membership-leave"),
    path("<int:pk>/invitations/<int:invitation_pk>/cancel/", invitation_cancel,
         name="membership-invitation-cancel"),
    path("invitations/<str:token>/", membership_accept, name="membership-accept"),
]
