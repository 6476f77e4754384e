"""ids_in: membership in a long list of ids, one array parameter on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monozukuri.core.models import Municipality
from monozukuri.core.queries import ids_in
from monozukuri.core.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


def _municipalities(n: int) -> list[Municipality]:
    return [MunicipalityFactory.create() for _ in range(n)]


@pytest.mark.parametrize(("picked", "expected"), [
    ([0, 2], [0, 2]),
    ([], []),
    ([1, 1, 1], [1]),  # repeated ids match once
    ([0, 1, 2, 3], [0, 1, 2, 3]),
    ([-1], []),  # an id that matches nothing
])
def test_ids_in_keeps_exactly_the_listed_rows(picked: list[int], expected: list[int]) -> None:
    rows = _municipalities(4)
    ids = [rows[i].pk if i >= 0 else max(r.pk for r in rows) + 1000 for i in picked]
    found = Municipality.objects.filter(ids_in("pk", (i for i in ids))).order_by("pk")
    assert list(found) == [rows[i] for i in expected]


def test_ids_in_sends_one_parameter_for_the_list_on_postgresql() -> None:
    rows = _municipalities(3)
    with CaptureQueriesContext(connection) as sent:
        assert Municipality.objects.filter(ids_in("pk", [r.pk for r in rows])).count() == 3
    sql = sent.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "unnest(" in sql
    else:
        assert "IN (" in sql
        assert "unnest" not in sql
