"""From one row of a file to the fields it provides (cleaned), or the reasons it cannot be read.

Parsing is cheap per-row code with no database access, so that it can run in the reader thread
(engine.py) while the database writes the previous batch. An empty cell means "no information": it
never clears a value already on record. The registries' legal status (gBizINFO ステータス, NTA closure)
is the exception — those files always say whether a corporation is open or closed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from monozukuri.directory.derive import ReferenceIds, derive_fields
from monozukuri.directory.importing import cleaning, formats
from monozukuri.directory.importing.cleaning import CellError
from monozukuri.directory.models import OrganizationStatus

# The inputs of derive_fields: a record whose inputs are unchanged needs no new derivation.
DERIVE_INPUTS = ("name", "postcode", "address", "prefecture", "city", "town", "street", "phone", "website",
                 "capital", "employees", "jsic_detail")
ADDRESS_PARTS = ("prefecture", "city", "town", "street")
# Fields derive_fields computes.
DERIVED_FIELDS = ("name", "name_normalized", "postcode", "prefecture", "city", "town", "street",
                  "address_normalized", "phone_normalized", "industry_id", "sme_class", "sme_rule")
# Derived fields with a length limit, and the row key whose column is blamed when they overflow.
LENGTH_CHECKS = tuple(
    (name, blamed, formats._max_length(name))
    for name, blamed in (("prefecture", "address"), ("city", "address"), ("town", "address"),
                         ("street", "address"), ("address_normalized", "address"),
                         ("name_normalized", "name"), ("name", "name"))
)


@dataclass(slots=True)
class RowError:
    """One reason one row cannot be imported: the line in the file, the column, and why."""

    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(slots=True)
class ParsedRow:
    """What one row says about one organisation."""

    line: int
    values: dict[str, Any]  # Organization fields given by the row (plus `address`, a one-line address)
    division: str | None = None  # JSIC 中分類 given by the row
    municipality_code: str | None = None
    record_id: int | None = None
    division_used: str | None = None  # the row's, or the import's default
    # The row as a record of its own: its values with derive_fields() applied (what a new record gets).
    record: dict[str, Any] = field(default_factory=dict)


def derive_key(values: Mapping[str, Any], division: str | None) -> tuple[Any, ...]:
    """The inputs of derive_fields, comparable: equal keys derive equal fields."""
    return (*(values.get(k) or None for k in DERIVE_INPUTS), division or None)


def derive_record(values: dict[str, Any], division: str | None, refs: ReferenceIds,
                  language: str | None = None) -> dict[str, Any]:
    """`values` with derive_fields() applied (the caller runs it in the site's language, so that the
    stored SME rule does not depend on who runs the import, and may pass that language)."""
    return derive_fields(values, refs=refs, division_code=division or "", language=language)


# Columns whose values repeat across a file (dates, amounts, counts, postcodes, codes): each distinct
# cell is cleaned once per import. Not the ones that are unique per firm (法人番号, web, mail, phone).
UNMEMOISED_TARGETS = frozenset({"corporate_number", "record_id", "website", "email", "phone", "latitude",
                                "longitude"})
MEMO_SIZE = 20_000  # distinct cells kept per column; the memo starts again when full


def _memoised(clean: Callable[[str], Any]) -> Callable[[str], Any]:
    """`clean`, remembering its value (or its error message) for each distinct cell."""
    memo: dict[str, tuple[bool, Any]] = {}

    def cached(raw: str) -> Any:
        hit = memo.get(raw)
        if hit is None:
            try:
                hit = (True, clean(raw))
            except CellError as exc:
                hit = (False, exc.message)
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[raw] = hit
        if hit[0]:
            return hit[1]
        raise CellError(hit[1])

    return cached


class RowParser:
    """Reads the rows of one file laid out as `layout`."""

    def __init__(self, layout: formats.Layout, *, refs: ReferenceIds, default_division: str | None) -> None:
        self.layout = layout
        self.refs = refs
        self.default_division = default_division
        # (index, header, target, required, cleaner, text limit): text columns have no cleaner, a limit.
        self.columns = [(c.index, c.header, c.column.target, c.column.required,
                         None if c.column.text_limit else
                         c.clean if c.clean is None or c.column.target in UNMEMOISED_TARGETS
                         else _memoised(c.clean),
                         c.column.text_limit)
                        for c in layout.columns if c.column.target is not None]
        self.header_of = {c.column.target: c.header for c in layout.columns if c.column.target}
        self.site_language = settings.LANGUAGE_CODE

    # -- one row -------------------------------------------------------------------------------------

    def parse(self, line: int, cells: Sequence[str], errors: list[RowError]) -> ParsedRow | None:
        """The row's values, or None when it is skipped (registry history) or invalid (errors added)."""
        if self.layout.file_format == formats.NTA:
            return self._parse_nta(line, cells, errors)
        values: dict[str, Any] = {}
        before = len(errors)
        strip_quote = self.layout.file_format == formats.MONOZUKURI
        width = len(cells)
        for index, header, target, required, clean, limit in self.columns:
            raw = cells[index].strip() if index < width else ""
            if not raw:
                if required:
                    errors.append(RowError(line, header, _("必須の項目です。空欄にはできません。")))
                continue
            if strip_quote and raw[0] == "'" and len(raw) > 1 and raw[1] in "=+-@":
                raw = raw[1:]  # the export's guard against spreadsheet formulas
            if clean is None:
                if limit and (len(raw) > limit or "\r" in raw):
                    try:
                        raw = cleaning.text(raw, limit)
                    except CellError as exc:
                        errors.append(RowError(line, header, exc.message))
                values[target] = raw
                continue
            try:
                values[target] = clean(raw)
            except CellError as exc:
                errors.append(RowError(line, header, exc.message))
        if len(errors) > before:
            return None
        row = ParsedRow(line, values)
        row.division = values.pop("division", None)
        if self.layout.file_format == formats.GBIZINFO:
            values.pop("source_updated_on", None)
            closed = "閉鎖" in (values.get("status") or "") or values.get("closed_on") is not None
            values["status"] = (OrganizationStatus.CLOSED if closed else OrganizationStatus.ACTIVE).value
            values.setdefault("closed_on", None)
        else:
            row.municipality_code = values.pop("municipality_code", None)
            row.record_id = values.pop("record_id", None)
        return row

    def _parse_nta(self, line: int, cells: Sequence[str], errors: list[RowError]) -> ParsedRow | None:
        if len(cells) != formats.NTA_COLUMNS:
            errors.append(RowError(line, "", _("国税庁の法人番号 CSV は30列です。この行は%(n)d列です。")
                                   % {"n": len(cells)}))
            return None
        cell = [c.strip() for c in cells]
        process = cell[formats.NTA_PROCESS]
        if cell[formats.NTA_LATEST] == "0" or cell[formats.NTA_HIDDEN] == "1" \
                or process == formats.NTA_PROCESS_DELETED:
            return None  # history, hidden from search, or a number deleted: not the corporation's state
        values: dict[str, Any] = {}
        before = len(errors)

        def read(index: int, key: str, clean: Any) -> None:
            raw = cell[index]
            if not raw:
                return
            try:
                values[key] = clean(raw)
            except CellError as exc:
                errors.append(RowError(line, formats.nta_column_label(index), exc.message))

        for index in (formats.NTA_CORPORATE_NUMBER, formats.NTA_NAME):
            if not cell[index]:
                errors.append(RowError(line, formats.nta_column_label(index),
                                       _("必須の項目です。空欄にはできません。")))
        read(formats.NTA_CORPORATE_NUMBER, "corporate_number", cleaning.corporate_number)
        read(formats.NTA_NAME, "name", formats._text("name"))
        read(formats.NTA_FURIGANA, "kana", formats._text("kana"))
        read(formats.NTA_NAME_EN, "name_en", formats._text("name_en"))
        read(formats.NTA_POSTCODE, "postcode", cleaning.postcode)
        read(formats.NTA_CLOSED_ON, "closed_on", cleaning.date)
        read(formats.NTA_UPDATED, "source_updated_on", cleaning.date)
        address = "".join(cell[i] for i in (formats.NTA_PREFECTURE, formats.NTA_CITY, formats.NTA_STREET))
        if address:
            try:
                values["address"] = cleaning.text(address, formats._max_length("street"))
            except CellError as exc:
                errors.append(RowError(line, formats.nta_column_label(formats.NTA_STREET), exc.message))
        if len(errors) > before:
            return None
        values.pop("source_updated_on", None)
        closed = values.get("closed_on") is not None or process == formats.NTA_PROCESS_CLOSED
        values["status"] = (OrganizationStatus.CLOSED if closed else OrganizationStatus.ACTIVE).value
        values.setdefault("closed_on", None)
        return ParsedRow(line, values)

    # -- derived fields, per batch ---------------------------------------------------------------------

    def derive_batch(self, rows: list[ParsedRow], errors: list[RowError]) -> list[ParsedRow]:
        """Fill each row's derived fields as if it were a new record; rows too long to store are dropped."""
        too_long: list[tuple[ParsedRow, str, int]] = []
        kept: list[ParsedRow] = []
        with translation.override(self.site_language):
            for row in rows:
                row.division_used = row.division or self.default_division
                row.record = derive_record(row.values, row.division_used, self.refs, self.site_language)
                problem = self.check_lengths(row.record)
                if problem is None:
                    kept.append(row)
                else:
                    too_long.append((row, *problem))
        for row, key, limit in too_long:
            header = self.header_of.get(key) or self.header_of.get("street") or ""
            if self.layout.file_format == formats.NTA:
                index = formats.NTA_STREET if key == "address" else formats.NTA_NAME
                header = formats.nta_column_label(index)
            message = _("長すぎて登録できません（%(max)d文字まで）。") % {"max": limit}
            errors.append(RowError(row.line, header, message))
        return kept

    @staticmethod
    def check_lengths(derived: Mapping[str, Any]) -> tuple[str, int] | None:
        for name, blamed, limit in LENGTH_CHECKS:
            if len(derived.get(name) or "") > limit:
                return blamed, limit
        return None


def known_codes(refs: ReferenceIds) -> dict[str, Mapping[str, Any]]:
    """The codes cleaners check against: JSIC 中分類 and municipality codes, and — read only when a
    file has a column that needs them — the capabilities by name (see _capability_names)."""
    return _Known(divisions=refs.divisions, municipalities=refs.municipalities)


class _Known(dict[str, Mapping[str, Any]]):
    def __missing__(self, key: str) -> Mapping[str, Any]:
        if key != "capabilities":
            raise KeyError(key)
        self[key] = _capability_names()
        return self[key]


def _capability_names() -> dict[str, int]:
    """Capability id by name, English name and identifier (cleaning.capability_key); a name two of
    them share is cleaning.AMBIGUOUS."""
    from monozukuri.directory.models import Capability

    names: dict[str, int] = {}
    for pk, slug, label, label_en in Capability.objects.values_list("pk", "slug", "label", "label_en"):
        for name in dict.fromkeys(cleaning.capability_key(n) for n in (slug, label, label_en) if n):
            names[name] = pk if names.get(name, pk) == pk else cleaning.AMBIGUOUS
    return names
