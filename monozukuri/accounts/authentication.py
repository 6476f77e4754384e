"""DRF authentication for personal API tokens (already checked by BearerTokenMiddleware)."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request


class BearerTokenAuthentication(BaseAuthentication):
    """Accept the user that BearerTokenMiddleware authenticated from the token."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        django_request = request._request
        if getattr(django_request, "auth_via_token", False):
            return django_request.user, None
        return None

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
