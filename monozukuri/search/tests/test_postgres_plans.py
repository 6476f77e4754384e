"""PostgreSQL: the planner settings a search statement runs with never outlive it (issue 4)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from monozukuri.search.backends import postgres

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner settings")

SETTINGS = ("enable_seqscan", "enable_indexscan", "enable_bitmapscan")


def _settings() -> dict[str, str]:
    with connection.cursor() as cursor:
        values = {}
        for name in SETTINGS:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
        return values


def _inside(bitmap: bool) -> dict[str, str]:
    with postgres._plan(bitmap=bitmap) as cursor:
        values = {}
        for name in SETTINGS:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
        return values


CASES = [
    # (bitmap, the settings inside the block)
    (True, {"enable_seqscan": "off", "enable_indexscan": "off", "enable_bitmapscan": "on"}),
    (False, {"enable_seqscan": "off", "enable_indexscan": "on", "enable_bitmapscan": "off"}),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_outside_a_transaction_the_settings_hold_for_the_block_only(
    bitmap: bool, inside: dict[str, str]
) -> None:
    assert not connection.in_atomic_block
    before = _settings()
    assert _inside(bitmap) == inside
    assert _settings() == before
    assert connection.connection.info.transaction_status == 0  # idle: no transaction left open


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_a_failing_statement_rolls_its_transaction_back_and_leaves_the_settings(
    bitmap: bool, inside: dict[str, str]
) -> None:
    before = _settings()
    with pytest.raises(Exception, match="division by zero"), postgres._plan(bitmap=bitmap) as cursor:
        cursor.execute("SELECT 1 / 0")
    assert _settings() == before
    assert connection.connection.info.transaction_status == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_inside_the_callers_transaction_the_settings_are_put_back(
    bitmap: bool, inside: dict[str, str]
) -> None:
    with transaction.atomic():
        before = _settings()
        assert _inside(bitmap) == inside
        assert _settings() == before


def _query_settings(bitmap: bool) -> dict[str, str]:
    columns = ", ".join(f"current_setting('{name}')" for name in SETTINGS)
    return dict(zip(SETTINGS, postgres._query(f"SELECT {columns}", [], bitmap=bitmap)[0], strict=True))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_one_statement_outside_a_transaction_is_one_round_trip_with_its_settings(
    bitmap: bool, inside: dict[str, str]
) -> None:
    from django.test.utils import CaptureQueriesContext

    before = _settings()
    with CaptureQueriesContext(connection) as sent:
        assert _query_settings(bitmap) == inside
    assert len(sent.captured_queries) == 1
    assert _settings() == before
    assert connection.connection.info.transaction_status == 0
    assert postgres._query("SELECT %s::int + 1, %s", [41, "x"], bitmap=bitmap) == [(42, "x")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bitmap", [True, False])
def test_one_failing_statement_is_rolled_back_and_leaves_no_settings(bitmap: bool) -> None:
    before = _settings()
    with pytest.raises(Exception, match="division by zero"):
        postgres._query("SELECT 1 / %s", [0], bitmap=bitmap)
    assert connection.connection.info.transaction_status == 0
    assert _settings() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_one_statement_inside_the_callers_transaction_puts_the_settings_back(
    bitmap: bool, inside: dict[str, str]
) -> None:
    with transaction.atomic():
        before = _settings()
        assert _query_settings(bitmap) == inside
        assert _settings() == before
