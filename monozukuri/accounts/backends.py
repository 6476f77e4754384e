"""Email + password authentication with throttling of repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from monozukuri.accounts import services
from monozukuri.core.clients import client_address


class EmailBackend(ModelBackend):
    """Authenticate by email (case-insensitive); refuse while too many recent failures."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        email = (username or kwargs.get("email") or "").strip().lower()
        if not email or password is None:
            return None
        client = client_address(request)
        if services.login_is_locked(email=email, client=client):
            raise PermissionDenied("locked")
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None:
            services.login_failure_record(email=email, client=client)
        else:
            services.login_failures_clear(email=email)
        return user
