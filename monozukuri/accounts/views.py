"""Log-in, log-out and the account settings page (personal API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monozukuri.accounts import services
from monozukuri.accounts.forms import ApiTokenForm, EmailLoginForm
from monozukuri.accounts.models import ApiToken, User

NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def _signed_in_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind @login_required."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """The user's own settings: profile summary and personal API tokens."""
    user = _signed_in_user(request)
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, raw = services.api_token_issue(actor=user, user=user, name=form.cleaned_data["name"])
        messages.success(request, _("API トークンを発行しました。この画面を離れると二度と表示されません。"))
        # Post/redirect/get: a reload must not issue a second token; the raw token is shown once.
        request.session[NEW_TOKEN_SESSION_KEY] = raw
        return redirect("accounts:settings")
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None) if request.method == "GET" else None
    tokens = ApiToken.objects.filter(user=user).order_by("-created_at")
    return render(request, "accounts/user_settings.html",
                  {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _signed_in_user(request)
    token = get_object_or_404(ApiToken, pk=pk, user=user)
    services.api_token_revoke(actor=user, token=token)
    messages.success(request, _("API トークンを失効させました。"))
    return redirect("accounts:settings")
