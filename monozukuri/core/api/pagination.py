"""Pagination shared by every list endpoint: `page` and `page_size` (at most 100).

A `page` or `page_size` that is not a whole number of at least 1 is a bad parameter: 400 with a message
naming it, as the directory search answers (DRF alone answers 404 「不正なページです。」 for `page=abc`
and quietly ignores `page_size=abc`). A page past the last one is still 404: the parameter is well
formed, the page does not exist. A `page_size` past 100 is lowered to 100.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import pagination, serializers

MAX_PAGE_NUMBER = 1_000_000


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> Any:
        errors: dict[str, list[str]] = {}
        page = request.query_params.get(self.page_query_param)
        if page is not None and page not in self.last_page_strings:
            _check(page, self.page_query_param, MAX_PAGE_NUMBER, errors)
        size = request.query_params.get(self.page_size_query_param)
        if size is not None:
            _check(size, self.page_size_query_param, None, errors)
        if errors:
            raise serializers.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)


def _check(text: str, key: str, high: int | None, errors: dict[str, list[str]]) -> None:
    """Add why `text` is not a whole number from 1 (to `high`) — read as int() reads it, as DRF does."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value >= 1 and (high is None or value <= high):
        return
    if high is None:
        message = _("「%(value)s」は1以上の整数で指定してください。") % {"value": text[:40]}
    else:
        message = _("「%(value)s」は%(low)s〜%(high)sの数で指定してください。") % {  # as the search says it
            "value": text[:40], "low": "1", "high": f"{high:,}"}
    errors.setdefault(key, []).append(message)
