"""Reading and parsing ahead of the writer, so that Python work overlaps the database's.

The reader turns the file into batches of parsed rows (no database access there); the caller looks
records up and writes them. Three ways to run the reader:

- "inline": in the caller's thread, one batch after the other (simplest; the default in tests);
- "thread": in a background thread. Python runs one thread at a time, so this only overlaps the
  database's own work (SQLite's C code, PostgreSQL's server process) with parsing;
- "process": in a forked child process that sends each batch through a pipe — parsing then runs on
  another CPU. Only for the management command: forking a multi-threaded web server is not safe.

Whatever the mode, at most two batches are in flight, so memory stays bounded whatever the file's size.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar

from django.utils import translation

T = TypeVar("T")
MODES = ("inline", "thread", "process")
_DONE = "__done__"


class _Failure:
    """An exception raised by the reader, handed to the caller (pickled as its type and message)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Prefetch(Generic[T]):
    """Iterate `source` ahead of the caller; exceptions raised by `source` re-raise in the caller.

    In "process" mode each item crosses the pipe as `encode(item)` (cheap to pickle: tuples, not
    objects) and comes back through `decode`.
    """

    def __init__(self, source: Iterable[T], *, mode: str = "thread", language: str | None = None,
                 encode: Callable[[T], Any] | None = None, decode: Callable[[Any], T] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self._source = source
        self._mode = mode
        self._language = language
        self._encode = encode or (lambda item: item)
        self._decode = decode or (lambda item: item)
        self._stop = threading.Event()
        self._queue: queue.Queue[object] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        self._process: Any = None
        self._pipe: Any = None

    # -- context -------------------------------------------------------------------------------------

    def __enter__(self) -> Prefetch[T]:
        if self._mode == "thread":
            self._thread = threading.Thread(target=self._run_thread, name="import-reader", daemon=True)
            self._thread.start()
        elif self._mode == "process":
            context = multiprocessing.get_context("fork")
            receiver, sender = context.Pipe(duplex=False)
            self._process = context.Process(target=self._run_process, args=(sender,), name="import-reader",
                                            daemon=True)
            self._process.start()
            sender.close()
            self._pipe = receiver
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- the reader ----------------------------------------------------------------------------------

    def _run_thread(self) -> None:
        if self._language:
            translation.activate(self._language)  # messages for people, in the importer's language
        try:
            for item in self._source:
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the caller, raised there
            self._put(_Failure(exc))
            return
        self._put(_DONE)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
            except queue.Full:
                continue
            return True
        return False

    def _run_process(self, sender: Any) -> None:  # pragma: no cover - runs in the child process
        try:
            for item in self._source:
                sender.send(self._encode(item))
            sender.send(_DONE)
        except BrokenPipeError:
            pass  # the caller stopped reading
        except BaseException as exc:
            try:
                sender.send(_Failure(exc))
            except Exception:
                sender.send(_Failure(RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            sender.close()
            os._exit(0)  # no clean-up of the parent's state (database connections) in the child

    # -- the caller ----------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[T]:
        if self._mode == "inline":
            yield from self._source
            return
        while True:
            if self._mode == "thread":
                item = self._queue.get()
            else:
                try:
                    item = self._pipe.recv()
                except EOFError:
                    raise RuntimeError("the import's reader process ended unexpectedly") from None
            if isinstance(item, str) and item == _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield self._decode(item) if self._mode == "process" else item  # type: ignore[misc]

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            while self._thread.is_alive():
                try:
                    self._queue.get(timeout=0.1)
                except queue.Empty:
                    continue
            self._thread.join()
        if self._process is not None:
            self._pipe.close()
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join()
