"""Lookups of a large import go by the index whatever the planner's statistics say (importing/matching.py)
and leave the planner's settings as they found them."""

from __future__ import annotations

import pytest
from django.db import connection

from monozukuri.directory.importing import matching
from monozukuri.directory.tests.factories import OrganizationFactory
from monozukuri.directory.tests.test_import import corporate_number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("lookup", "values", "expected"), [
    ("corporate_number", [corporate_number(1), corporate_number(3), corporate_number(99)], [1, 3]),
    ("name_normalized", ["製作所1", "製作所2", "ない"], [1, 2]),
    ("phone_normalized", ["0300000001"] * 3, [1]),
    ("id", [], []),
])
def test_lookups_find_exactly_the_records_asked_for_and_leave_the_planner_as_it_was(lookup, values, expected):
    made = {n: OrganizationFactory(corporate_number=corporate_number(n), name_normalized=f"製作所{n}",
                                   phone_normalized=f"030000000{n}") for n in range(1, 5)}
    before = _seqscan_setting()

    found = matching._select(("id", "corporate_number"), lookup, values)

    assert sorted(r["id"] for r in found) == sorted(made[n].pk for n in expected)
    assert _seqscan_setting() == before


def _seqscan_setting() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return str(cursor.fetchone()[0])


def test_a_lookup_of_thousands_of_values_probes_the_index_on_a_table_without_statistics():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's planner takes the index for IN (...) on an indexed column without statistics")
    made = [OrganizationFactory(corporate_number=corporate_number(n), name_normalized=f"製作所{n}")
            for n in range(1, 301)]
    wanted = [f"製作所{n}" for n in range(1, 3001)]  # a batch's worth: most of them new
    before = _scans()

    found = matching._select(("id",), "name_normalized", wanted)

    assert sorted(r["id"] for r in found) == sorted(o.pk for o in made)
    seq_scans, index_scans = (after - then for after, then in zip(_scans(), before, strict=True))
    assert (seq_scans, index_scans > 0) == (0, True)


def _scans() -> tuple[int, int]:
    """Sequential and index scans of the organisation table in this transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq_scan, COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables "
                       "WHERE relname = 'directory_organization'")
        seq, index = cursor.fetchone()
    return int(seq), int(index)
