"""Forms for log-in and account settings."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from monozukuri.accounts import services
from monozukuri.core.clients import client_address


class EmailLoginForm(AuthenticationForm):
    """Log-in by email address and password, refusing while the address is locked."""

    username = forms.EmailField(
        label=_("メールアドレス"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _("メールアドレスまたはパスワードが正しくありません。"),
        "inactive": _("このアカウントは無効です。"),
        "locked": _(
            "ログインの失敗が続いたため、しばらくログインできません。%(minutes)s分ほど後にお試しください。"
        ),
    }

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").lower()
        if email and services.login_is_locked(email=email, client=client_address(self.request)):
            minutes = max(1, math.ceil(settings.LOGIN_FAILURE_WINDOW_SECONDS / 60))
            raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                        params={"minutes": minutes})
        return super().clean()


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("トークンの名前（用途）"), max_length=100,
                           help_text=_("例: 集計スクリプト用"))
