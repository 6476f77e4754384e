"""organization_place: where a live organisation is, in one query (the ranking's origin)."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from monozukuri.directory.selectors import organization_place
from monozukuri.directory.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("case", "expected"), [
    ("with coordinates", (35.71, 139.8, "131075")),
    ("without coordinates", (None, None, "131075")),
    ("merged away", None),
    ("missing", None),
])
def test_organization_place(case: str, expected: Any, sumida: Any, django_assert_num_queries: Any) -> None:
    with scopes_disabled():
        kept = OrganizationFactory.create(municipality=sumida)
        coordinates = {"latitude": 35.71, "longitude": 139.8} if case == "with coordinates" else {}
        merged_into = kept if case == "merged away" else None
        org = OrganizationFactory.create(municipality=sumida, merged_into=merged_into, **coordinates)
        pk = org.pk + 1000 if case == "missing" else org.pk
        with django_assert_num_queries(1):
            place = organization_place(pk)
    if expected is None:
        assert place is None
    else:
        assert place is not None
        assert place[:3] == expected
        assert place[3] == (org.industry.code if org.industry_id else None)
