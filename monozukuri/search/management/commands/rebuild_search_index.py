"""manage.py rebuild_search_index [--municipality CODE] [--jobs N]: rebuild the directory search index."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from monozukuri.core.identifiers import validate_municipality_code
from monozukuri.search.rebuild import BATCH_SIZE, index_rebuild


class ProgressBar:
    """A one-line progress bar on stderr (redrawn at most ten times a second)."""

    def __init__(self, stream: Any = sys.stderr, width: int = 30) -> None:
        self.stream, self.width = stream, width
        self.started = time.monotonic()
        self.drawn = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.drawn < 0.1 and done < total:
            return
        self.drawn = now
        fraction = done / total if total else 1.0
        filled = round(self.width * min(1.0, fraction))
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if rate and total > done else 0
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:6.1%} "
            f"{done:,}/{total:,} {rate:,.0f}/s ETA {eta:,.0f}s "
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "検索索引を作り直します / Rebuild the directory search index with the current dictionary "
        "(or, with --municipality, reindex one municipality's records in place)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", metavar="CODE", help="団体コード: only this municipality's records"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="worker processes for text analysis (default: up to 2)",
        )
        parser.add_argument("--batch", type=int, default=BATCH_SIZE, help="records per batch")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = options["municipality"]
        if municipality:
            try:
                municipality = validate_municipality_code(municipality)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        if options["jobs"] < 1 or options["batch"] < 1:
            raise CommandError("--jobs and --batch must be at least 1")
        bar = (
            None
            if options["no_progress"]
            else ProgressBar(self.stderr._out if hasattr(self.stderr, "_out") else sys.stderr)
        )
        try:
            with scopes_disabled():
                report = index_rebuild(
                    municipality=municipality, jobs=options["jobs"], batch_size=options["batch"], progress=bar
                )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        scope = f"municipality {municipality}" if municipality else "all records"
        self.stdout.write(
            f"search index: {report.documents:,} documents ({scope}) in {report.seconds:.1f} s; "
            f"{report.replayed:,} replayed; dictionary version {report.vocabulary_version}"
        )
