"""The labelled set (tests/labelled.py) on the current engine: every class of variant.

Run on both engines (`DATABASE_URL=postgres://… pytest monozukuri/search` and without DATABASE_URL);
the sets are exact, so passing on both means both engines return identical result sets.
"""

from __future__ import annotations

import pytest

from monozukuri.directory.indexing import organization_search
from monozukuri.search.tests.labelled import QUERIES, Case


def _ids(result) -> set[int]:
    return {hit.organization.pk for hit in result.hits}


@pytest.mark.parametrize("case", QUERIES, ids=[f"{c.variant_class}: {c.query}" for c in QUERIES])
def test_labelled_query_returns_the_records_it_must_and_none_it_must_not(labelled, case: Case) -> None:
    result = organization_search(user=None, params={"q": case.query, "page_size": "100", **case.params})
    found = _ids(result)
    must = {labelled[label].pk for label in case.must}
    must_not = {labelled[label].pk for label in case.must_not}
    names = {o.pk: label for label, o in labelled.items()}
    assert must <= found, f"missing: {sorted(names[i] for i in must - found)}"
    assert not (must_not & found), f"unexpected: {sorted(names[i] for i in must_not & found)}"
    if case.exact:
        assert found == must, f"extra: {sorted(names[i] for i in found - must)}"
    assert result.count == len(found)
