"""manage.py import_organizations PATH: import a gBizINFO, NTA 法人番号 or monozukuri CSV/XLSX file."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from monozukuri.core.models import Municipality
from monozukuri.directory.importing.parsers import RowError
from monozukuri.directory.importing.pipeline import MODES
from monozukuri.directory.models import ImportStatus, OrganizationKind
from monozukuri.directory.services.imports import organizations_import


class Command(BaseCommand):
    help = ("Import organisations from a gBizINFO CSV, an NTA 法人番号 bulk CSV, or this system's own "
            "CSV/XLSX export. All or nothing unless --skip-invalid; exits 1 when rows are invalid (and "
            "not skipped).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="write nothing; report what would change")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="write the valid rows and report the invalid ones")
        parser.add_argument("--format", dest="file_format", default="auto",
                            choices=["auto", "gbizinfo", "nta", "monozukuri"])
        parser.add_argument("--encoding", default="auto", choices=["auto", "utf-8", "cp932", "shift_jis"])
        parser.add_argument("--municipality", metavar="CODE",
                            help="municipality code of the office the import is for (its ImportRun and "
                                 "duplicate flags)")
        parser.add_argument("--default-industry", metavar="JSIC",
                            help="JSIC 中分類 code (e.g. 24) for rows and records without an industry")
        parser.add_argument("--reader", choices=MODES, default="process",
                            help="parse the file in a child process (default), a thread, or inline")
        parser.add_argument("--default-kind", choices=OrganizationKind.values,
                            help="kind of new records whose row does not say (default: manufacturer when "
                                 "the industry is manufacturing, else other)")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(code=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"unknown municipality code {options['municipality']!r}")
        started = time.monotonic()
        verbosity = options["verbosity"]

        def on_error(error: RowError) -> None:
            column = f" [{error.column}]" if error.column else ""
            self.stderr.write(_("%(line)d行目%(column)s: %(message)s")
                              % {"line": error.line, "column": column, "message": error.message})

        def on_progress(rows: int) -> None:
            if verbosity >= 2 and rows % 100_000 < 5_000:
                rate = rows / max(time.monotonic() - started, 1e-9)
                self.stderr.write(f"{rows:,} rows, {rate:,.0f} rows/s")

        try:
            with open(options["path"], "rb") as file:
                result = organizations_import(
                    actor=None, file=file, file_name=options["path"].rsplit("/", 1)[-1],
                    dry_run=options["dry_run"], skip_invalid=options["skip_invalid"],
                    file_format=options["file_format"], encoding=options["encoding"],
                    municipality=municipality, default_industry=options["default_industry"],
                    default_kind=options["default_kind"], on_error=on_error, on_progress=on_progress,
                    reader=options["reader"],
                )
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        elapsed = time.monotonic() - started
        run = result.import_run
        self.stdout.write(_(
            "%(status)s: 形式 %(format)s、文字コード %(encoding)s、%(total)d行（新規 %(created)d、"
            "更新 %(updated)d、変更なし %(unchanged)d、対象外 %(skipped)d、不備 %(invalid)d）、"
            "重複の候補 %(duplicates)d件"
        ) % {"status": run.get_status_display(), "format": result.file_format or "-",
             "encoding": result.encoding or "-", "total": result.rows_total, "created": result.rows_created,
             "updated": result.rows_updated, "unchanged": result.rows_unchanged,
             "skipped": result.rows_skipped, "invalid": result.rows_invalid,
             "duplicates": result.duplicates_flagged})
        if result.ignored_columns:
            self.stdout.write(_("読み込まなかった列: %(columns)s")
                              % {"columns": "、".join(result.ignored_columns)})
        if verbosity >= 2:
            self.stdout.write(f"{elapsed:.1f} s, {result.rows_total / max(elapsed, 1e-9):,.0f} rows/s")
        if result.status == ImportStatus.REJECTED:
            self.stderr.write(_("不備があるため、何も書き込みませんでした。"))
        if result.rows_invalid and not options["skip_invalid"]:
            sys.exit(1)
