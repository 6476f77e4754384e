"""Independent reads side by side, each on its own database connection (PostgreSQL).

A ranking asks the database several things that do not depend on each other (tiers of candidates, the
text hits of the request's words); one after another, their waits add up while the server's other core
idles. ``side_by_side`` runs the first call in the current thread and the others in side threads, each
with its own connection, and returns the results in order.

It does so only when that gives the same answer and costs less:

- on PostgreSQL (an SQLite test database in memory belongs to one connection);
- outside any transaction (a side connection sees neither what the current transaction has not yet
  committed nor its snapshot);
- with persistent connections (``CONN_MAX_AGE`` not 0: opening a connection costs 6–28 ms here, more
  than the overlap saves);
- when a side thread is free (at most ``SIDE_THREADS`` in a process; each keeps one connection);
- and ``SIDE_READS`` is on (the default).

Otherwise the calls run one after another in the current thread. Side work is read-only by contract;
nothing here makes a write safe. Each call runs in a copy of the caller's context (django-scopes'
state) with the caller's language and time zone. A side thread checks its connection before each call,
as Django does at each request (closed when unusable or older than ``CONN_MAX_AGE``). The first error
raised by any call is raised once all of them have ended. ``close_side_connections`` closes the side
threads' connections (the test suite calls it before it drops its database). A forked child process
starts without the parent's side threads.
"""

from __future__ import annotations

import contextvars
import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone, translation

SIDE_THREADS = 6

_lock = threading.Lock()
_idle: list[_SideThread] = []
_all: list[_SideThread] = []


class _SideThread(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name=f"side-read-{len(_all) + 1}", daemon=True)
        self.jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()

    def run(self) -> None:
        while True:
            job, future = self.jobs.get()
            try:
                future.set_result(job())
            except BaseException as exc:
                future.set_exception(exc)

    def submit(self, job: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self.jobs.put((job, future))
        return future


def side_reads_possible(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether calls may run on side connections now (see the module docstring). A side thread may
    start side calls of its own: they only ever go to idle threads, so nothing waits for a busy one."""
    if not getattr(settings, "SIDE_READS", True):
        return False
    connection = connections[using]
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict.get("CONN_MAX_AGE") != 0
        and not connection.in_atomic_block
        and connection.get_autocommit()
    )


def side_by_side(*calls: Callable[[], Any], using: str = DEFAULT_DB_ALIAS) -> list[Any]:
    """The results of ``calls``, in order: the first run here, the others each in a side thread on its
    own connection when ``side_reads_possible`` and threads are free, else here one after another."""
    threads = _take(len(calls) - 1) if len(calls) > 1 and side_reads_possible(using) else []
    if not threads:
        return [call() for call in calls]
    try:
        futures = [
            thread.submit(_aside(contextvars.copy_context(), call, using))
            for thread, call in zip(threads, calls[1:], strict=False)
        ]
        inline = calls[1 + len(threads) :]
        results: list[Any] = []
        error: BaseException | None = None
        for call in (calls[0], *inline):
            try:
                results.append(call())
            except BaseException as exc:  # the side calls end before it is raised: none outlives this call
                error = error or exc
                results.append(None)
        for future in futures:
            try:
                results.append(future.result())
            except BaseException as exc:
                error = error or exc
                results.append(None)
    finally:
        with _lock:
            _idle.extend(threads)
    if error is not None:
        raise error
    here = len(inline) + 1
    return [results[0], *results[here:], *results[1:here]]


def close_side_connections() -> None:
    """Close every side thread's database connections (waits for each thread's queue to reach it)."""
    with _lock:
        threads = list(_all)
    for future in [thread.submit(connections.close_all) for thread in threads]:
        future.result()


def _forget_threads() -> None:
    """In a forked child: the parent's side threads do not exist there (a job given to one would never
    run), nor may its connections be shared; start afresh."""
    global _lock
    _lock = threading.Lock()
    _idle.clear()
    _all.clear()


os.register_at_fork(after_in_child=_forget_threads)


def _take(wanted: int) -> list[_SideThread]:
    with _lock:
        while len(_idle) < wanted and len(_all) < SIDE_THREADS:
            thread = _SideThread()
            thread.start()
            _all.append(thread)
            _idle.append(thread)
        taken = _idle[-wanted:] if wanted else []
        del _idle[len(_idle) - len(taken) :]
        return taken


def _aside(context: contextvars.Context, call: Callable[[], Any], using: str) -> Callable[[], Any]:
    # Django keeps the active language and time zone per thread (asgiref's Local ignores a copied
    # context in another thread): both are carried over explicitly.
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def carried() -> Any:
        with translation.override(language), timezone.override(zone):
            return call()

    def job() -> Any:
        connections[using].close_if_unusable_or_obsolete()
        return context.run(carried)

    return job
