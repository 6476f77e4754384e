"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Values the base layout needs on every page."""
    return {"site_name": "monozukuri"}
