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


def _query_settings(bitmap: bool) -> dict[str, str]:
    columns = ", ".join(f"current_setting('{name}')" for name in SETTINGS)
    return dict(zip(SETTINGS, postgres._query(f"SELECT {columns}", [], bitmap=bitmap)[0], strict=True))


def _fail_in_block(bitmap: bool) -> None:
    with postgres._plan(bitmap=bitmap) as cursor:
        cursor.execute("SELECT 1 / 0")


def _fail_in_query(bitmap: bool) -> None:
    postgres._query("SELECT 1 / %s", [0], bitmap=bitmap)


# The two ways a search statement gets its settings: a block of statements (``_plan``) and one
# statement (``_query``, which needs no block of its own outside a transaction).
READERS = {"block": _inside, "one statement": _query_settings}
FAILURES = {"block": _fail_in_block, "one statement": _fail_in_query}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("way", READERS)
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_outside_a_transaction_the_settings_hold_for_the_block_only(
    way: str, bitmap: bool, inside: dict[str, str]
) -> None:
    assert not connection.in_atomic_block
    before = _settings()
    assert READERS[way](bitmap) == inside
    assert _settings() == before
    assert connection.connection.info.transaction_status == 0  # idle: no transaction left open


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("way", FAILURES)
@pytest.mark.parametrize("bitmap", [True, False])
def test_a_failing_statement_rolls_its_transaction_back_and_leaves_the_settings(
    way: str, bitmap: bool
) -> None:
    before = _settings()
    with pytest.raises(Exception, match="division by zero"):
        FAILURES[way](bitmap)
    assert _settings() == before
    assert connection.connection.info.transaction_status == 0


@pytest.mark.django_db
@pytest.mark.parametrize("way", READERS)
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_inside_the_callers_transaction_the_settings_are_put_back(
    way: str, bitmap: bool, inside: dict[str, str]
) -> None:
    with transaction.atomic():
        before = _settings()
        assert READERS[way](bitmap) == inside
        assert _settings() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("bitmap", "inside"), CASES)
def test_one_statement_outside_a_transaction_is_one_round_trip(bitmap: bool, inside: dict[str, str]) -> None:
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as sent:
        assert _query_settings(bitmap) == inside
    assert len(sent.captured_queries) == 1
    assert postgres._query("SELECT %s::int + 1, %s", [41, "x"], bitmap=bitmap) == [(42, "x")]
