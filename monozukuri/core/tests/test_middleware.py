"""The API takes its language from the cookie or Accept-Language (it has no /en/ prefix)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import translation

from monozukuri.core.middleware import ApiLanguageMiddleware


def _language_seen(path: str, **headers) -> str:
    seen = {}

    def view(request):
        seen["language"] = translation.get_language()
        return HttpResponse("ok")

    with translation.override("ja"):
        ApiLanguageMiddleware(view)(RequestFactory().get(path, **headers))
    return seen["language"]


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "ja"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "ja,en;q=0.5"}, "ja"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr"}, "ja"),
        ({"HTTP_COOKIE": f"{settings.LANGUAGE_COOKIE_NAME}=en"}, "en"),
    ],
    ids=["default", "en", "en-us", "ja-first", "unsupported", "cookie"],
)
def test_the_api_speaks_the_language_asked_for(headers, language):
    assert _language_seen("/api/v1/plans/", **headers) == language


def test_pages_are_left_to_their_url_prefix():
    assert _language_seen("/plans/", HTTP_ACCEPT_LANGUAGE="en") == "ja"
