"""Rebuilding the index: all of it with the current dictionary, or one municipality's records in place.

A full rebuild writes a fresh copy of the index beside the live one, batch by batch (each batch its
own transaction, so the site keeps working and keeps writing), then swaps it in with one short
transaction that also records the dictionary it was built with. Records written meanwhile are
logged (``SearchPending``) and replayed after the swap, together with every record changed since
shortly before the rebuild began. Analysis runs in ``jobs`` worker processes; the database writes stay
in this one.

The records come from an index source (``SOURCE``, the directory's organisations), loaded by path so
that the search app does not import the apps it indexes.
"""

from __future__ import annotations

import datetime
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from monozukuri.search.analysis import Vocabulary
from monozukuri.search.backends import get_backend
from monozukuri.search.documents import facet_token, object_id_of
from monozukuri.search.models import SearchIndexState, SearchPending
from monozukuri.search.vocabulary import live_rows, vocabulary_for

SOURCE = "monozukuri.directory.indexing.OrganizationIndexSource"
BATCH_SIZE = 2_000
CATCH_UP_MARGIN = datetime.timedelta(minutes=1)

Progress = Callable[[int, int], None]


class IndexSource(Protocol):
    """What the rebuild needs from the app whose records are indexed."""

    build_path: str  # "module.function" building documents: (records, context, vocabulary) → documents

    def total(self, *, municipality: str | None) -> int: ...

    def ranges(self, *, municipality: str | None, size: int) -> list[tuple[int, int]]: ...

    def records(self, first: int, last: int, *, municipality: str | None) -> list[Any]: ...

    def context(self) -> Any: ...

    def reindex(self, ids: Sequence[int]) -> None: ...

    def changed_since(self, when: datetime.datetime) -> list[int]: ...


@dataclass
class RebuildReport:
    documents: int
    seconds: float
    replayed: int = 0
    vocabulary_version: int = 0
    phases: dict[str, float] = field(
        default_factory=dict
    )  # seconds: documents (read + analyse), write, finish…


def source() -> IndexSource:
    return import_string(SOURCE)()


# --- worker processes ---------------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _worker_init(source_path: str, context: Any, version: int, rows: list[list[str]]) -> None:
    src = import_string(source_path)()
    _worker.update(
        source=src,
        build=import_string(src.build_path),
        context=context,
        vocabulary=vocabulary_for(version, rows),
        backend=get_backend(),
    )


def _worker_build(span: tuple[int, int, str | None, bool]) -> tuple[int, Any]:
    """Read one id range from the database (each worker has its own connection), analyse it and
    prepare the rows for the writer — or, where the engine takes concurrent writers, write them."""
    first, last, municipality, write = span
    records = _worker["source"].records(first, last, municipality=municipality)
    docs = list(_worker["build"](records, _worker["context"], _worker["vocabulary"]))
    prepared = _worker["backend"].prepare(docs)
    if write:
        _worker["backend"].shadow_insert(prepared)
        return len(docs), None
    return len(docs), prepared


def _documents(
    src: IndexSource,
    spans: list[tuple[int, int]],
    *,
    municipality: str | None,
    version: int,
    rows: list[list[str]],
    jobs: int,
) -> Iterator[tuple[int, Any]]:
    """(count, prepared rows) range by range, in order; with jobs > 1 read, analysed and prepared in
    worker processes, a few ranges ahead of the writer (this process), which only writes — on
    PostgreSQL the workers write too (prepared rows None), each in its own session."""
    context = src.context()
    if jobs <= 1:
        build = import_string(src.build_path)
        vocabulary = vocabulary_for(version, rows)
        backend = get_backend()
        for first, last in spans:
            docs = list(build(src.records(first, last, municipality=municipality), context, vocabulary))
            yield len(docs), backend.prepare(docs)
        return
    # Workers are forked without this process's database connection (they open their own).
    connections.close_all()
    source_path = f"{type(src).__module__}.{type(src).__qualname__}"
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_init,
        initargs=(source_path, context, version, rows),
    )
    pending: deque[Future[tuple[int, Any]]] = deque()
    write = get_backend().parallel_writes
    try:
        for first, last in spans:
            pending.append(pool.submit(_worker_build, (first, last, municipality, write)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


# --- full and partial rebuilds --------------------------------------------------------------------------


def _state() -> SearchIndexState:
    state, _ = SearchIndexState.objects.get_or_create(pk=1)
    return state


def index_rebuild(
    *,
    municipality: str | None = None,
    jobs: int = 1,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> RebuildReport:
    """Rebuild the whole index with the staff-edited dictionary, or (``municipality``) reindex that
    municipality's records in place with the index's current dictionary."""
    src = source()
    if municipality:
        return _partial(src, municipality, batch_size=batch_size, progress=progress)
    return _full(src, jobs=jobs, batch_size=batch_size, progress=progress)


def _full(src: IndexSource, *, jobs: int, batch_size: int, progress: Progress | None) -> RebuildReport:
    started = time.perf_counter()
    started_at = timezone.now()
    backend = get_backend()
    rows = live_rows()
    with transaction.atomic():
        state = SearchIndexState.objects.select_for_update().get_or_create(pk=1)[0]
        if (
            state.rebuild_started_at is not None
            and timezone.now() - state.rebuild_started_at < datetime.timedelta(hours=6)
        ):
            raise RuntimeError(
                "search: a rebuild is already running (started "
                f"{state.rebuild_started_at:%Y-%m-%d %H:%M}); wait for it to finish"
            )
        version = state.vocabulary_version + 1
        total = src.total(municipality=None)
        SearchPending.objects.all().delete()
        SearchIndexState.objects.filter(pk=1).update(
            rebuild_started_at=started_at, rebuild_done=0, rebuild_total=total, rebuild_error=""
        )
    done = 0
    phases = {"documents": 0.0, "write": 0.0, "finish": 0.0, "swap": 0.0, "replay": 0.0}
    clock = time.perf_counter
    try:
        backend.shadow_create()
        batches = _documents(
            src,
            src.ranges(municipality=None, size=batch_size),
            municipality=None,
            version=version,
            rows=rows,
            jobs=jobs,
        )
        while True:
            mark = clock()
            batch = next(batches, None)
            phases["documents"] += clock() - mark
            if batch is None:
                break
            count, prepared = batch
            mark = clock()
            with transaction.atomic():
                if prepared is not None:  # else a worker has written it
                    backend.shadow_insert(prepared)
                done += count
                SearchIndexState.objects.filter(pk=1).update(rebuild_done=done)
            phases["write"] += clock() - mark
            if progress:
                progress(done, total)
        mark = clock()
        backend.shadow_finish()
        phases["finish"] = clock() - mark
        mark = clock()
        with transaction.atomic():
            backend.shadow_swap()
            SearchIndexState.objects.filter(pk=1).update(
                vocabulary=rows,
                vocabulary_version=version,
                built_at=timezone.now(),
                documents=done,
                rebuild_started_at=None,
                rebuild_error="",
            )
        phases["swap"] = clock() - mark
    except BaseException as exc:
        backend.shadow_drop()
        SearchIndexState.objects.filter(pk=1).update(rebuild_started_at=None, rebuild_error=repr(exc)[:2000])
        raise
    mark = clock()
    replayed = _replay(src, since=started_at - CATCH_UP_MARGIN)
    phases["replay"] = clock() - mark
    return RebuildReport(done, time.perf_counter() - started, replayed, version, phases)


def _replay(src: IndexSource, *, since: datetime.datetime) -> int:
    ids = set(SearchPending.objects.values_list("object_id", flat=True)) | set(src.changed_since(since))
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        with transaction.atomic():
            src.reindex(ordered[start : start + 1000])
    SearchPending.objects.all().delete()
    return len(ordered)


def _partial(
    src: IndexSource, municipality: str, *, batch_size: int, progress: Progress | None
) -> RebuildReport:
    from monozukuri.search.backends.base import Match, Where

    started = time.perf_counter()
    total = src.total(municipality=municipality)
    backend = get_backend()
    indexed = {
        object_id_of(row[0])
        for row in backend.rows(Match(groups=((facet_token("m", municipality),),)), Where(), limit=10**9)
    }
    build = import_string(src.build_path)
    context = src.context()
    vocabulary = vocabulary_of_index()
    done = 0
    seen: set[int] = set()
    for first, last in src.ranges(municipality=municipality, size=batch_size):
        docs = list(build(src.records(first, last, municipality=municipality), context, vocabulary))
        seen.update(d.object_id for d in docs)
        with transaction.atomic():
            backend.upsert(docs)
        done += len(docs)
        if progress:
            progress(done, total)
    gone = sorted(indexed - seen)  # moved to another municipality, merged or deleted
    for start in range(0, len(gone), 1000):
        with transaction.atomic():
            src.reindex(gone[start : start + 1000])
    return RebuildReport(done, time.perf_counter() - started, len(gone), _state().vocabulary_version)


def vocabulary_of_index() -> Vocabulary:
    from monozukuri.search.vocabulary import index_state_vocabulary

    return index_state_vocabulary()[1]
