"""Authenticate `Authorization: Bearer <token>` before the tenant scope is chosen."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from monozukuri.accounts.services import api_token_authenticate


class BearerTokenMiddleware:
    """Set request.user from a personal API token; a bad token is refused with 401."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.lower().startswith("bearer "):
            user = api_token_authenticate(header[7:].strip())
            if user is None:
                return JsonResponse({"detail": _("API トークンが無効です。")}, status=401)
            request.user = user
            request.auth_via_token = True  # type: ignore[attr-defined]
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
