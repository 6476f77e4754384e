"""Helpers shared by matching's write services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django_scopes import scopes_disabled

from monozukuri.matching.models import Introduction, PartnerRequest, RequestCapability
from monozukuri.matching.presenters import present_request


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def locked_request(request: PartnerRequest) -> PartnerRequest:
    """The request row, locked for the rest of the transaction, with what the checks read."""
    with scopes_disabled():
        locked = (
            PartnerRequest.objects.select_for_update(of=("self",))
            .select_related("requester__municipality", "municipality", "measure")
            .get(pk=request.pk)
        )
        prefetch_related_objects(
            [locked],
            Prefetch("capability_links", queryset=RequestCapability.objects.select_related("capability")),
            "attachments",
        )
        return locked


def locked_introduction(intro: Introduction) -> Introduction:
    with scopes_disabled():
        return (
            Introduction.objects.select_for_update(of=("self",))
            .select_related(
                "request__requester__municipality",
                "request__municipality",
                "candidate_org",
                "candidate_adviser",
            )
            .get(pk=intro.pk)
        )


def request_context(request: PartnerRequest) -> Any:
    """A mail context builder: the request as each recipient may see it."""
    from monozukuri.matching.notifications import absolute

    with scopes_disabled():
        request = (
            PartnerRequest.objects.select_related("requester__municipality", "municipality", "measure")
            .prefetch_related("capability_links__capability", "attachments")
            .get(pk=request.pk)
        )

    def context_for(user: Any) -> dict[str, Any]:
        with scopes_disabled():
            card = present_request(request, user)
        return {"card": card, "url": absolute(request.get_absolute_url())}

    return context_for
