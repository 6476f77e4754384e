"""Exporting a directory search as CSV (UTF-8 with BOM, or CP932 for older Excel) or XLSX.

The columns are monozukuri's own import format (importing/formats.py `EXPORT_COLUMNS`), so an export
imports back to the same records with no changes. Visibility is honoured per row and per column:

- a column is written only when the viewer could read it for some organisation (an anonymous export
  has no phone column; only the office sees staff notes) — the header does not depend on the rows, so
  the file can be streamed;
- a cell the viewer may not read for that organisation is left empty. Empty cells mean "no
  information" to the import, so re-importing such a file never erases what the viewer could not see.

Both formats stream: CSV row by row into the response, XLSX through openpyxl's write-only mode into a
temporary file. CP932 cannot hold every character (𠮷, emoji, some variant kanji): those become 〓
(the geta mark, JIS's own "cannot be shown") and the export counts them, so the command and the page
can say so. Text that a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading
apostrophe in CSV, which the import removes again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import translation

from monozukuri.directory.importing.formats import EXPORT_COLUMNS, Column
from monozukuri.directory.models import Organization, OrganizationCapability
from monozukuri.directory.visibility import (
    FIELD_GROUPS,
    GROUP_OF_FIELD,
    NEED_TO_KNOW,
    NETWORK,
    PUBLIC,
    RANK,
    STAFF,
    Viewer,
)

ENCODINGS = ("utf-8", "cp932")
FORMATS = ("csv", "xlsx")
CSV_CHUNK_ROWS = 500
UNREPRESENTABLE = "〓"
FORMULA_START = ("=", "+", "-", "@")
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _date(value: Any) -> Any:
    return value.isoformat() if value else None


def _postcode(org: Organization) -> str:
    code = org.postcode or ""
    return f"{code[:3]}-{code[3:]}" if len(code) == 7 else code


# What each column holds, typed (numbers stay numbers for XLSX; CSV writes them as text).
VALUE_OF: dict[str, Callable[[Organization], Any]] = {
    "ID": lambda o: o.pk,
    "法人番号": lambda o: o.corporate_number or "",
    "名称": lambda o: o.name,
    "よみがな": lambda o: o.kana,
    "英語名": lambda o: o.name_en,
    "種別": lambda o: o.get_kind_display(),
    "状態": lambda o: o.get_status_display(),
    "閉鎖日": lambda o: _date(o.closed_on),
    "郵便番号": _postcode,
    "都道府県": lambda o: o.prefecture,
    "市区町村": lambda o: o.city,
    "町域": lambda o: o.town,
    "番地・建物": lambda o: o.street,
    "自治体コード": lambda o: getattr(o.municipality, "code", ""),
    "自治体": lambda o: getattr(o.municipality, "name", ""),
    "緯度": lambda o: o.latitude,
    "経度": lambda o: o.longitude,
    "業種コード": lambda o: getattr(o.industry, "code", ""),
    "業種": lambda o: getattr(o.industry, "name", ""),
    "小分類・細分類コード": lambda o: o.jsic_detail,
    "資本金（円）": lambda o: o.capital,
    "従業員数": lambda o: o.employees,
    "設立年月日": lambda o: _date(o.founded_on),
    "創業年": lambda o: o.founded_year,
    "企業規模": lambda o: o.get_sme_class_display(),
    "企業規模の判定根拠": lambda o: o.sme_rule,
    "ウェブサイト": lambda o: o.website,
    "代表電話": lambda o: o.phone,
    "代表メール": lambda o: o.email,
    "代表者": lambda o: o.representative,
    "代表者役職": lambda o: o.representative_title,
    "事業概要": lambda o: o.summary,
    "主な製品・サービス": lambda o: o.products,
    "技術・製品分野": lambda o: "、".join(link.capability.label for link in o.capability_links.all()),
    "職員メモ": lambda o: o.staff_notes,
    "最終確認日": lambda o: _date(o.last_confirmed_on),
}


def _widest_level(viewer: Viewer) -> int:
    """The most this viewer reads of any organisation."""
    if viewer.is_admin or viewer.member_organization_ids:
        return RANK[NEED_TO_KNOW]
    if viewer.authenticated and (viewer.staff_municipality_ids is None or viewer.staff_municipality_ids):
        return RANK[STAFF]
    if viewer.authenticated and getattr(viewer, "partner", True):
        return RANK[NETWORK]
    return RANK[PUBLIC]


def export_columns(viewer: Viewer) -> list[Column]:
    """The columns this viewer's export has: those it may read for at least some organisation."""
    level = _widest_level(viewer)
    is_office = viewer.is_admin or bool(viewer.authenticated and viewer.staff_municipality_ids)
    readable = {g.key for g in FIELD_GROUPS
                if RANK[g.widest] <= level and (is_office or not getattr(g, "office_only", False))}
    return [c for c in EXPORT_COLUMNS if GROUP_OF_FIELD.get(c.field) in readable]


def export_rows(*, viewer: Viewer, organizations: Iterable[Organization], columns: list[Column]
                ) -> Iterator[list[Any]]:
    """One list of typed values per organisation; cells the viewer may not read are None."""
    fields = {c.field for c in columns}
    getters = [(c.field, VALUE_OF[c.header]) for c in columns]
    # Labels (種別, 状態, 企業規模) in the site's language, so a file reads back wherever it is imported.
    with translation.override(settings.LANGUAGE_CODE):
        for org in organizations:
            visible = viewer.visible_fields(org, fields)
            yield [get(org) if field in visible else None for field, get in getters]


@dataclass
class ExportReport:
    """What the export had to change: characters CP932 cannot hold (replaced by 〓)."""

    rows: int = 0
    replaced_characters: int = 0


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_START) and not isinstance(value, (int, float)):
        return "'" + text
    return text


def _encode(text: str, encoding: str, report: ExportReport) -> bytes:
    if encoding != "cp932":
        return text.encode("utf-8")
    try:
        return text.encode("cp932")
    except UnicodeEncodeError:
        out = []
        for char in text:
            try:
                out.append(char.encode("cp932"))
            except UnicodeEncodeError:
                out.append(UNREPRESENTABLE.encode("cp932"))
                report.replaced_characters += 1
        return b"".join(out)


def csv_chunks(header: list[str], rows: Iterable[list[Any]], *, encoding: str, report: ExportReport
               ) -> Iterator[bytes]:
    """The CSV file as byte chunks: UTF-8 with a BOM (Excel's cue), or CP932; CRLF line ends."""
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    prefix = b"\xef\xbb\xbf" if encoding == "utf-8" else b""
    pending = 0
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
        report.rows += 1
        pending += 1
        if pending >= CSV_CHUNK_ROWS:
            yield prefix + _encode(buffer.getvalue(), encoding, report)
            prefix = b""
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield prefix + _encode(buffer.getvalue(), encoding, report)


def write_xlsx(header: list[str], rows: Iterable[list[Any]], file: IO[bytes], *,
               report: ExportReport) -> None:
    """Write an XLSX workbook (one sheet) with openpyxl's write-only mode; text stays text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("organizations")
    sheet.append(header)
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # never a formula, whatever the first character
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        report.rows += 1
    workbook.save(file)


def export_queryset(queryset: Any) -> Any:
    """The organisations of a search, ready to stream: with municipality, industry and capabilities
    (one query per chunk), without the parts an export does not use, in a stable order."""
    links = OrganizationCapability.objects.select_related("capability").order_by("capability__label", "pk")
    qs = queryset.select_related("municipality", "industry").prefetch_related(None).prefetch_related(
        Prefetch("capability_links", queryset=links))
    if not qs.ordered:
        qs = qs.order_by("pk")
    return qs.iterator(chunk_size=2000)


def organizations_export_csv(*, user: Any, queryset: Any, encoding: str = "utf-8",
                             viewer: Viewer | None = None) -> tuple[Iterator[bytes], ExportReport]:
    """A directory search as CSV chunks (stream them), and the report filled in as they are produced."""
    viewer = viewer or Viewer.of(user)
    columns = export_columns(viewer)
    report = ExportReport()
    rows = export_rows(viewer=viewer, organizations=export_queryset(queryset), columns=columns)
    return csv_chunks([c.header for c in columns], rows, encoding=encoding, report=report), report


def organizations_export_xlsx(*, user: Any, queryset: Any, file: IO[bytes], viewer: Viewer | None = None
                              ) -> ExportReport:
    """A directory search written to `file` as XLSX."""
    viewer = viewer or Viewer.of(user)
    columns = export_columns(viewer)
    report = ExportReport()
    rows = export_rows(viewer=viewer, organizations=export_queryset(queryset), columns=columns)
    write_xlsx([c.header for c in columns], rows, file, report=report)
    return report
