"""DRF authentication for personal API tokens (already checked by BearerTokenMiddleware)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
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


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describe personal API tokens in the OpenAPI schema (`Authorization: Bearer mzk_…`)."""

    target_class = "monozukuri.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "個人用 API トークン / personal API token (mzk_…)"}
