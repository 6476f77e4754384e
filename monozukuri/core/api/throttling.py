"""API rate limits: one throttle per request, counted in this process's memory.

DRF's stock pair (AnonRateThrottle + UserRateThrottle) counts every anonymous call twice and, on the
database cache, costs six queries a call. Here one class picks the rate by who is calling (``user`` for a
signed-in caller or a token, ``anon`` per client address) and keeps its counters in the ``throttle``
cache, a local-memory cache: no query per call. Each server process counts on its own, so with N worker
processes a client may reach N times the rate — a guard against runaway scripts, not a quota
(docs/api.md).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from monozukuri.core.clients import client_address


class ApiRateThrottle(SimpleRateThrottle):
    cache = caches["throttle"]
    scope = "anon"

    def __init__(self) -> None:  # the rate depends on the caller: chosen in allow_request
        pass

    def allow_request(self, request: Any, view: Any) -> bool:
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str:
        if request.user and request.user.is_authenticated:
            ident = str(request.user.pk)
        else:
            ident = client_address(request)  # X-Forwarded-For only from trusted proxies (core/clients.py)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_rate(self) -> str | None:
        return self.THROTTLE_RATES.get(self.scope)
