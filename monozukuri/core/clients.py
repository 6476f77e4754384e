"""Who is calling: the client's network address, as the login lockout and the API's rate limit count it.

Behind reverse proxies, ``REMOTE_ADDR`` is the nearest proxy's address, the same for every user: counting
failures by it would lock everyone out together. Each trusted proxy appends the address it received the
request from to ``X-Forwarded-For``; with ``TRUSTED_PROXIES`` = N, the client is the N-th address from the
right (the one the outermost of our proxies saw). Addresses further left were written by the client and
are never believed. Without trusted proxies (the default outside production) the header is ignored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_address(request: Any) -> str:
    """The client's address for counting (``-`` without a request)."""
    if request is None:
        return "-"
    meta = getattr(request, "META", {})
    remote = str(meta.get("REMOTE_ADDR") or "-")
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]
