"""Helpers shared by the matching pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from monozukuri.matching import permissions
from monozukuri.matching.models import PartnerRequest
from monozukuri.matching.presenters import RequestCard, present_request


def card(request: PartnerRequest, user: Any, consented: set[int] | None = None) -> RequestCard:
    """A request as the user may see it (``consented``: precomputed ids for list pages)."""
    return present_request(request, user, consented=None if consented is None else request.pk in consented)


def service_error(http_request: HttpRequest, exc: Exception) -> None:
    """Show a refused write as a message the person can read."""
    if isinstance(exc, PermissionDenied):
        messages.error(http_request, _("この操作はできません（状態が変わったか、権限がありません）。"))
    elif isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(http_request, message)


def organizations_of(user: Any) -> list[Any]:
    """The live organisations the user belongs to."""
    from monozukuri.directory.selectors import organization_list_for_member

    if not permissions.active(user):
        return []
    return list(organization_list_for_member(user=user))
