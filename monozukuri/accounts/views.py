"""Log-in, log-out and the account settings page (personal API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monozukuri.accounts import services
from monozukuri.accounts.forms import ApiTokenForm, EmailLoginForm
from monozukuri.accounts.models import ApiToken


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """The user's own settings: profile summary and personal API tokens."""
    new_token = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.api_token_issue(
            actor=request.user, user=request.user, name=form.cleaned_data["name"]  # type: ignore[arg-type]
        )
        messages.success(request, _("API トークンを発行しました。この画面を離れると二度と表示されません。"))
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/user_settings.html",
                  {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("API トークンを失効させました。"))
    return redirect("accounts:settings")
