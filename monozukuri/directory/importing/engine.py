"""The import engine: one streaming pass over the file, batch by batch, inside one transaction.

Per batch of rows (5,000 by default) the engine looks existing records up with a few queries
(by 法人番号; by normalised name for rows without one and for likely duplicates; by phone and
website), compares field by field, and writes only what changed: new records through the fast bulk
path, changed ones by id, a source row for each, duplicate flags for new records that look like
existing ones. Nothing is kept per row beyond the batch.

All or nothing: the whole pass runs in one transaction. When a row is invalid and the caller did not
ask to skip invalid rows, writing stops, the rest of the file is still read so that the report lists
every bad row, and the transaction is rolled back. A dry run does everything and rolls back, so
its counts are exactly what the import would do.
"""

from __future__ import annotations

import datetime
import gc
import itertools
import marshal
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from monozukuri.directory.derive import ReferenceIds
from monozukuri.directory.importing import bulk, formats, matching, reading
from monozukuri.directory.importing.parsers import (
    ADDRESS_PARTS,
    DERIVED_FIELDS,
    ParsedRow,
    RowError,
    RowParser,
    derive_key,
    derive_record,
    known_codes,
)
from monozukuri.directory.importing.pipeline import Prefetch
from monozukuri.directory.importing.tasks import REINDEX_BY_ID_LIMIT
from monozukuri.directory.models import (
    ImportStatus,
    IndustryDivision,
    Organization,
    OrganizationCapability,
    OrganizationKind,
    OrganizationSource,
)

BATCH_SIZE = 5_000
MAX_KEPT_ERRORS = 10_000  # kept in the result and the ImportRun; every error still goes to `on_error`

# What an import may set on an organisation (besides the fields derive_fields computes).
IMPORTED_FIELDS = (
    "corporate_number", "name", "kana", "name_en", "kind", "status", "closed_on", "postcode", "prefecture",
    "city", "town", "street", "municipality_id", "latitude", "longitude", "industry_id", "jsic_detail",
    "capital", "employees", "founded_on", "founded_year", "website", "phone", "email", "representative",
    "representative_title", "summary", "products", "staff_notes",
)
COMPARED_FIELDS = (*IMPORTED_FIELDS, "name_normalized", "address_normalized", "phone_normalized",
                   "sme_class", "sme_rule", *((matching.WEBSITE_KEY,) if matching.WEBSITE_KEY else ()))
# Every compared field must be fetched with the existing records, or every row would look changed.
assert set(COMPARED_FIELDS) <= set(matching.FETCHED_FIELDS), "matching.FETCHED_FIELDS misses a field"
# Both the fetched record and the merged one hold every compared field: one C-level tuple each.
_compared = operator.itemgetter(*COMPARED_FIELDS)
SOURCE_COLUMNS = ("organization_id", "kind", "reference", "recorded_at", "recorded_by_id")
LINK_COLUMNS = ("organization_id", "capability_id", "note")


@dataclass
class ImportOptions:
    file_name: str
    file_format: str = "auto"  # auto | gbizinfo | nta | monozukuri
    encoding: str = "auto"  # auto | utf-8 | cp932
    dry_run: bool = False
    skip_invalid: bool = False
    default_division: str | None = None  # JSIC 中分類 for rows (and records) that have none
    default_kind: str | None = None  # kind of new records whose row does not say
    municipality_id: int | None = None  # the importing office (for duplicate flags without a place)
    actor_id: int | None = None
    batch_size: int = BATCH_SIZE
    reader: str = "inline"  # inline | thread | process (see pipeline.py)
    on_error: Callable[[RowError], None] | None = None
    on_progress: Callable[[int], None] | None = None


@dataclass
class ImportResult:
    """What an import did (or, for a dry run or a refused file, would do)."""

    file_format: str = ""
    encoding: str = ""
    status: str = ImportStatus.COMPLETED
    rows_total: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    rows_skipped: int = 0  # registry rows that are history, hidden or deleted numbers
    rows_invalid: int = 0
    duplicates_flagged: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    ignored_columns: list[str] = field(default_factory=list)
    file_error: bool = False  # the file as a whole could not be read
    import_run: Any = None  # the ImportRun recorded by the service
    # Organisations created or updated, for the search index to catch up with after the commit: their
    # ids while they are few (at most tasks.REINDEX_BY_ID_LIMIT), else only `reindex_all`.
    changed_ids: list[int] = field(default_factory=list)
    reindex_all: bool = False

    @property
    def written(self) -> bool:
        return self.status in (ImportStatus.COMPLETED, ImportStatus.PARTIAL)

    def counts(self) -> dict[str, int]:
        return {"rows_total": self.rows_total, "rows_created": self.rows_created,
                "rows_updated": self.rows_updated, "rows_unchanged": self.rows_unchanged,
                "rows_skipped": self.rows_skipped, "rows_invalid": self.rows_invalid,
                "duplicates_flagged": self.duplicates_flagged}


@dataclass
class _Batch:
    rows: list[ParsedRow]
    errors: list[RowError]
    total: int
    skipped: int
    invalid_lines: int


class _Collector:
    """Keeps the errors (up to a limit) and hands every one to the caller's callback."""

    def __init__(self, result: ImportResult, on_error: Callable[[RowError], None] | None) -> None:
        self.result = result
        self.on_error = on_error

    def add(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            if self.on_error is not None:
                self.on_error(error)
            if len(self.result.errors) < MAX_KEPT_ERRORS:
                self.result.errors.append(error)
            else:
                self.result.errors_truncated = True


def _batches(records: Iterator[tuple[int, list[str]]], parser: RowParser, size: int) -> Iterator[_Batch]:
    """Parsed batches of rows (runs in the reader thread)."""
    while True:
        chunk = list(itertools.islice(records, size))
        if not chunk:
            return
        errors: list[RowError] = []
        rows: list[ParsedRow] = []
        skipped = invalid = 0
        for line, cells in chunk:
            before = len(errors)
            row = parser.parse(line, cells, errors)
            if row is not None:
                rows.append(row)
            elif len(errors) > before:
                invalid += 1
            else:
                skipped += 1
        before = len(errors)
        rows = parser.derive_batch(rows, errors)
        invalid += len(errors) - before  # derive_batch adds one error per dropped row
        yield _Batch(rows, errors, len(chunk), skipped, invalid)


# A batch crosses the pipe from the reader process marshalled (several times faster than pickling
# dataclasses and dicts): each dict as (its keys, its values) — rows with the same keys share one keys
# tuple, which marshal writes once — and dates as day numbers.
_DATE_KEYS = ("closed_on", "founded_on", "source_updated_on")


def _pack(values: dict[str, Any], keys_seen: dict[tuple[str, ...], tuple[str, ...]]) -> tuple[Any, ...]:
    keys = tuple(values)
    keys = keys_seen.setdefault(keys, keys)
    packed = list(values.values())
    for key in _DATE_KEYS:
        value = values.get(key)
        if type(value) is datetime.date:
            packed[keys.index(key)] = value.toordinal()
    return keys, packed


def _unpack(keys: tuple[str, ...], packed: tuple[Any, ...]) -> dict[str, Any]:
    values = dict(zip(keys, packed, strict=True))
    for key in _DATE_KEYS:
        if type(values.get(key)) is int:
            values[key] = datetime.date.fromordinal(values[key])
    return values


def _encode_batch(batch: _Batch) -> bytes:
    """A batch as marshalled tuples, to cross the pipe from the reader process."""
    seen: dict[tuple[str, ...], tuple[str, ...]] = {}
    return marshal.dumps(
        ([(r.line, *_pack(r.values, seen), r.division, r.municipality_code, r.record_id, r.division_used,
           *_pack(r.record, seen)) for r in batch.rows],
         [(e.line, e.column, e.message) for e in batch.errors], batch.total, batch.skipped,
         batch.invalid_lines))


def _decode_batch(data: bytes) -> _Batch:
    rows, errors, total, skipped, invalid = marshal.loads(data)
    return _Batch([ParsedRow(line, _unpack(keys, values), division, municipality, record_id, used,
                             _unpack(record_keys, record))
                   for line, keys, values, division, municipality, record_id, used, record_keys, record
                   in rows],
                  [RowError(*e) for e in errors], total, skipped, invalid)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Rarer cyclic garbage collections while importing.

    Each batch allocates a few hundred thousand short-lived, acyclic objects (cells, dicts, tuples);
    with the default threshold (700) the collector runs every few rows and walks them again and again.
    Reference counting frees them anyway; what cycles an import makes are collected at the end.
    """
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 1_000)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_import(file: IO[bytes], options: ImportOptions) -> ImportResult:
    """Import organisations from a file (see the module docstring); never raises for bad data."""
    with _fewer_collections():
        return _run_import(file, options)


def _run_import(file: IO[bytes], options: ImportOptions) -> ImportResult:
    result = ImportResult()
    collector = _Collector(result, options.on_error)
    refs = ReferenceIds.load()
    try:
        stream = reading.open_rows(file, file_name=options.file_name, encoding=options.encoding)
        result.encoding = stream.encoding
        records = stream.rows
        first = next(records, None)
        if first is None:
            raise reading.FileReadError(_no_rows_message())
        result.file_format = formats.detect_format(first[1], options.file_format)
        layout = formats.bind_header(result.file_format, first[1], known_codes(refs))
    except (reading.FileReadError, formats.FormatError) as exc:
        collector.add([RowError(getattr(exc, "line", 1), "", exc.message)])
        result.rows_invalid, result.file_error, result.status = 1, True, ImportStatus.REJECTED
        return result
    result.ignored_columns = layout.ignored_headers
    if not layout.has_header:
        records = itertools.chain([first], records)
    parser = RowParser(layout, refs=refs, default_division=options.default_division)
    writer = _Writer(options, refs, result)
    writing = True
    with bulk.import_tuning(), transaction.atomic():
        bulk.lock_imports()
        prefetch = Prefetch(_batches(records, parser, options.batch_size), mode=options.reader,
                            language=translation.get_language(), encode=_encode_batch, decode=_decode_batch)
        try:
            with prefetch:
                for batch in prefetch:
                    result.rows_total += batch.total
                    result.rows_skipped += batch.skipped
                    result.rows_invalid += batch.invalid_lines
                    collector.add(batch.errors)
                    if result.rows_invalid and not (options.skip_invalid or options.dry_run):
                        writing = False  # doomed: keep reading only to report every bad row
                    if writing:
                        writer.apply(batch.rows)
                    if options.on_progress is not None:
                        options.on_progress(result.rows_total)
        except reading.FileReadError as exc:
            collector.add([RowError(exc.line, "", exc.message)])
            result.rows_invalid += 1
            result.file_error = True
        refused = result.file_error or (result.rows_invalid > 0 and not options.skip_invalid)
        if options.dry_run:
            result.status = ImportStatus.DRY_RUN
        elif refused:
            result.status = ImportStatus.REJECTED
        elif result.rows_invalid:
            result.status = ImportStatus.PARTIAL
        if options.dry_run or refused:
            transaction.set_rollback(True)
    if not result.written:
        result.changed_ids, result.reindex_all = [], False  # rolled back: nothing for the index
    if result.status == ImportStatus.REJECTED:
        result.rows_created = result.rows_updated = result.rows_unchanged = result.duplicates_flagged = 0
    return result


def _no_rows_message() -> str:
    return _("データの行がありません。")


class _Writer:
    """Applies parsed batches to the database and counts what happened."""

    def __init__(self, options: ImportOptions, refs: ReferenceIds, result: ImportResult) -> None:
        self.options = options
        self.refs = refs
        self.result = result
        self.division_of = {pk: code for code, pk in refs.divisions.items()}
        self.major_of = dict(IndustryDivision.objects.values_list("code", "major_code"))
        self.new_base = {**bulk.defaults_for(Organization), "id": None, "created_at": None,
                         "updated_at": None}
        self.columns = [(f.attname, bulk.column_of(Organization, f.name))
                        for f in bulk.concrete_columns(Organization, with_pk=True)]
        self.update_columns = [(name, bulk.column_of(Organization, name))
                               for name in (*COMPARED_FIELDS, "updated_at")]
        self.reference = options.file_name[:255]

    # -- one batch ---------------------------------------------------------------------------------

    def apply(self, rows: list[ParsedRow]) -> None:
        if not rows:
            return
        source_kind = formats.SOURCE_KIND[self.result.file_format]
        lookup = matching.Lookup.for_batch(rows)
        created: list[dict[str, Any]] = []
        updated: dict[int, dict[str, Any]] = {}
        pending_by_number: dict[str, dict[str, Any]] = {}
        pending_by_place: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            number = row.values.get("corporate_number")
            place = (row.record["name_normalized"], row.record["address_normalized"])
            current = pending_by_number.get(number) if number else pending_by_place.get(place)
            if current is None:
                current = lookup.existing(row)
            if current is None:
                record = self._new_record(row)
                created.append(record)
                self.result.rows_created += 1
            else:
                merged = self._merged(current, row, follow_merge=lookup.followed(row))
                if merged is None:
                    self.result.rows_unchanged += 1
                    continue
                if "_new" in merged:  # a record this batch creates, met again: still one creation
                    current.update(merged)
                    record = current
                else:
                    record = merged
                    updated[record["id"]] = record
                    self.result.rows_updated += 1
            if record.get("corporate_number"):
                pending_by_number[record["corporate_number"]] = record
            pending_by_place[(record["name_normalized"], record["address_normalized"])] = record
        self._write(created, list(updated.values()), source_kind, lookup)

    def _new_record(self, row: ParsedRow) -> dict[str, Any]:
        record = dict(self.new_base)
        record.update(row.record)
        if record.get("municipality_id") is None and row.municipality_code:
            record["municipality_id"] = self.refs.municipalities.get(row.municipality_code)
        if "kind" not in row.values:
            if self.options.default_kind:
                record["kind"] = self.options.default_kind
            elif row.division_used and self.major_of.get(row.division_used) == "E":
                record["kind"] = OrganizationKind.MANUFACTURER
            else:
                record["kind"] = OrganizationKind.OTHER
        record["_new"] = True
        return record

    def _merged(self, current: dict[str, Any], row: ParsedRow, *, follow_merge: bool
                ) -> dict[str, Any] | None:
        """The record after the row is applied, or None when nothing changes."""
        merged = dict(current)
        values = row.values
        if follow_merge:  # the row's number stays with the merged-away record
            values = {k: v for k, v in values.items() if k != "corporate_number"}
        if "address" in values:
            for part in ADDRESS_PARTS:
                merged[part] = ""
        merged.update(values)
        if row.municipality_code:
            merged["municipality_id"] = self.refs.municipalities.get(row.municipality_code)
        industry_id = current.get("industry_id")
        division = (row.division or (self.division_of.get(industry_id) if industry_id else None)
                    or self.options.default_division)
        if derive_key(merged, division) == derive_key(row.values, row.division_used):
            merged.pop("address", None)  # the row alone derives the same: reuse its fields
            for name in DERIVED_FIELDS:
                merged[name] = row.record.get(name, merged.get(name))
            if matching.WEBSITE_KEY:
                merged[matching.WEBSITE_KEY] = row.record.get(matching.WEBSITE_KEY, "")
            if "municipality_id" in row.record:
                merged["municipality_id"] = row.record["municipality_id"]
        else:
            with translation.override(settings.LANGUAGE_CODE):
                merged = derive_record(merged, division, self.refs)
            if RowParser.check_lengths(merged) is not None:
                return None  # only parts the row did not give are too long: keep the record as it is
        if _compared(merged) == _compared(current) \
                and merged.get("capabilities") == current.get("capabilities"):
            return None
        return merged

    # -- writing -----------------------------------------------------------------------------------

    def _write(self, created: list[dict[str, Any]], updated: list[dict[str, Any]], source_kind: str,
               lookup: matching.Lookup) -> None:
        now = bulk.now_value()
        ids = bulk.reserve_ids(Organization, len(created))
        for record, pk in zip(created, ids, strict=True):
            record["id"] = pk
            record["created_at"] = record["updated_at"] = now
        flags = lookup.duplicate_flags(created, self.options.municipality_id)
        row_of = operator.itemgetter(*(name for name, _ in self.columns))
        bulk.insert_rows(Organization, [column for _, column in self.columns], [row_of(r) for r in created])
        for record in updated:
            record["updated_at"] = now
        bulk.update_rows(Organization, [column for _, column in self.update_columns],
                         [(*(r.get(name) for name, _ in self.update_columns), r["id"]) for r in updated])
        sources = [(r["id"], source_kind, self.reference, now, self.options.actor_id)
                   for r in itertools.chain(created, updated)]
        if not self.result.reindex_all:
            self.result.changed_ids.extend(source[0] for source in sources)
            if len(self.result.changed_ids) > REINDEX_BY_ID_LIMIT:
                self.result.changed_ids, self.result.reindex_all = [], True
        bulk.insert_rows(OrganizationSource, SOURCE_COLUMNS, sources)
        self.result.duplicates_flagged += matching.save_flags(flags)
        _write_links(created, updated)


def _write_links(created: list[dict[str, Any]], updated: list[dict[str, Any]]) -> None:
    """Capability links as the rows give them: a new record gets its row's; a found record gets the
    row's set in place of the stored one (links that stay are kept, with their notes). A row without
    capabilities leaves the record's links as they are."""
    added: list[tuple[int, int, str]] = []
    removed: list[tuple[int, int]] = []
    for record in itertools.chain(created, updated):
        wanted = record.get("capabilities")
        if not wanted:
            continue
        stored = set(record.get(matching.LINKS_KEY) or ())
        added.extend((record["id"], pk, "") for pk in wanted if pk not in stored)
        removed.extend((record["id"], pk) for pk in stored.difference(wanted))
    if removed:
        with connection.cursor() as cursor:
            cursor.executemany(f"DELETE FROM {OrganizationCapability._meta.db_table} "
                               "WHERE organization_id = %s AND capability_id = %s", removed)
    bulk.insert_rows(OrganizationCapability, LINK_COLUMNS, added)

