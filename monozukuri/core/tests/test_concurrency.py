"""Independent reads side by side on their own connections (core/concurrency.py)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation
from django_scopes import get_scope, scopes_disabled

from monozukuri.core import concurrency
from monozukuri.core.concurrency import close_side_connections, side_by_side, side_reads_possible

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="side reads need PostgreSQL")


@pytest.fixture
def side_reads_on(monkeypatch, db):
    """Side threads used whatever the database (for the calls below that never touch it; a side thread
    checks its connection before each call, which the suite allows only in tests that may use it)."""
    monkeypatch.setattr(concurrency, "side_reads_possible", lambda using="default": True)


def _thread() -> int:
    return threading.get_ident()


def test_results_come_back_in_the_order_of_the_calls(side_reads_on):
    results = side_by_side(lambda: "first", lambda: "second", lambda: "third")
    assert results == ["first", "second", "third"]


def test_the_first_call_runs_here_and_the_others_in_side_threads(side_reads_on):
    here, *aside = side_by_side(_thread, _thread, _thread)
    assert here == threading.get_ident()
    assert len(set(aside)) == 2
    assert here not in aside


def test_more_calls_than_side_threads_run_the_rest_here_in_order(side_reads_on, monkeypatch):
    monkeypatch.setattr(concurrency, "SIDE_THREADS", len(concurrency._all))  # no new thread may start
    taken = concurrency._take(len(concurrency._idle))  # and none is free
    try:
        results = side_by_side(*(lambda n=n: (n, _thread()) for n in range(4)))
    finally:
        concurrency._idle.extend(taken)
    assert [n for n, _t in results] == [0, 1, 2, 3]
    assert {t for _n, t in results} == {threading.get_ident()}


def test_without_side_reads_every_call_runs_here_one_after_another(monkeypatch):
    monkeypatch.setattr(concurrency, "side_reads_possible", lambda using="default": False)
    order: list[int] = []
    results = side_by_side(*(lambda n=n: order.append(n) or _thread() for n in range(3)))
    assert order == [0, 1, 2]
    assert set(results) == {threading.get_ident()}


def test_a_side_call_s_error_is_raised_once_every_call_has_ended(side_reads_on):
    finished = threading.Event()

    def fails() -> None:
        raise ValueError("side")

    def slow() -> str:
        finished.wait(5)
        return "done"

    def here() -> str:
        finished.set()
        return "here"

    with pytest.raises(ValueError, match="side"):
        side_by_side(here, fails, slow)
    assert finished.is_set()
    assert len(concurrency._idle) == len(concurrency._all)  # every thread given back


def test_the_first_error_wins_when_several_calls_fail(side_reads_on):
    def fails_here() -> None:
        raise KeyError("here")

    def fails_aside() -> None:
        raise ValueError("aside")

    with pytest.raises(KeyError):
        side_by_side(fails_here, fails_aside)


def test_side_calls_keep_the_caller_s_language_time_zone_and_scope(side_reads_on):
    def state() -> tuple[str, str, bool]:
        return translation.get_language(), str(timezone.get_current_timezone()), get_scope()["_enabled"]

    with translation.override("en"), timezone.override("UTC"), scopes_disabled():
        results = side_by_side(state, state)
    assert results == [("en", "UTC", False), ("en", "UTC", False)]


def test_a_side_call_may_start_side_calls_of_its_own_and_never_waits_for_a_busy_thread(
    side_reads_on, monkeypatch
):
    def nested() -> list[int]:
        return side_by_side(_thread, _thread, _thread)

    here, aside = side_by_side(_thread, nested)
    assert aside[0] != here  # the nested calls start in the side thread …
    assert len(set(aside)) == 3  # … and spread over other idle threads
    # With every thread taken, nested calls run where they are asked for, in order.
    monkeypatch.setattr(concurrency, "SIDE_THREADS", len(concurrency._all))
    _here, *crowded = side_by_side(_thread, *(nested for _ in range(len(concurrency._all))))
    assert all(len(found) == 3 for found in crowded)


def test_a_forked_process_starts_without_the_parent_s_side_threads(side_reads_on):
    import multiprocessing

    side_by_side(_thread, _thread)  # the parent has side threads
    assert concurrency._all
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        threads_in_child, results = pool.apply_async(_side_threads_in_a_child).get(timeout=30)
    assert threads_in_child == 0
    assert len(results) == 2


def _side_threads_in_a_child() -> tuple[int, list[int]]:
    before = len(concurrency._all)
    concurrency.side_reads_possible = lambda using="default": True  # the child's own module state
    return before, side_by_side(_thread, _thread)


# --- when side reads are possible ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("as configured", connection.vendor == "postgresql"),
        ("switched off", False),
        ("connections not kept (CONN_MAX_AGE 0)", False),
        ("inside a transaction", False),
    ],
)
def test_side_reads_are_possible_only_on_postgresql_outside_transactions(
    case, expected, settings, monkeypatch
):
    if case == "switched off":
        settings.SIDE_READS = False
    if case == "connections not kept (CONN_MAX_AGE 0)":
        monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    if case == "inside a transaction":
        with transaction.atomic():
            assert side_reads_possible() is expected
    else:
        assert side_reads_possible() is expected


# --- PostgreSQL: real side connections ----------------------------------------------------------------


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_side_calls_read_on_their_own_connections_and_see_what_is_committed():
    from monozukuri.core.models import Municipality

    Municipality.objects.create(code="999991", name="並行市", kana="へいこうし", name_en="Heiko", kind="city")

    def names() -> list[str]:
        return list(Municipality.objects.filter(code="999991").values_list("name", flat=True))

    (here_pid, here_names), (side_pid, side_names) = side_by_side(
        lambda: (_backend(), names()), lambda: (_backend(), names())
    )
    assert here_pid != side_pid
    assert here_names == side_names == ["並行市"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_every_call_uses_its_connection():
    with transaction.atomic():
        pids = side_by_side(_backend, _backend, _backend)
    assert len(set(pids)) == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_closing_the_side_connections_ends_their_sessions():
    _here, side_pid = side_by_side(_backend, _backend)
    close_side_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [side_pid])
        assert cursor.fetchone()[0] == 0
