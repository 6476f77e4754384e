"""Opening an uploaded or local file as a stream of rows: encoding, CSV or XLSX, physical line numbers.

Nothing here holds the file in memory: CSV is decoded as it is read, XLSX is read with openpyxl's
read-only mode. Each row comes with the line (CSV: the physical line it starts on, a quoted value may
span several) or row number (XLSX) that people see in their editor, the header being line 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

SAMPLE_BYTES = 1 << 20  # the encoding is decided on the first MiB
ENCODINGS = {"auto": "auto", "utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-8-sig": "utf-8-sig",
             "cp932": "cp932", "shift_jis": "cp932", "sjis": "cp932", "shift-jis": "cp932",
             "windows-31j": "cp932"}
ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "cp932": "CP932 (Shift_JIS)", "xlsx": "XLSX"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class FileReadError(ValueError):
    """The file cannot be read at all (or from some line on); `message` is for people."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __reduce__(self) -> tuple[Any, ...]:
        return (FileReadError, (self.message, self.line))


@dataclass
class RowStream:
    """The rows of a file, each as (line number, cells as text)."""

    encoding: str  # utf-8, utf-8-sig, cp932 or xlsx
    rows: Iterator[tuple[int, list[str]]]

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding)


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        decoder.decode(sample, final=False)  # a multi-byte character cut at the sample's end is fine
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode strictly as UTF-8, else CP932 (Shift_JIS)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" not in sample:  # UTF-16 and binary files have NUL bytes; CSV in UTF-8 or CP932 never
        if _decodes(sample, "utf-8"):
            return "utf-8"
        if _decodes(sample, "cp932"):
            return "cp932"
    from charset_normalizer import from_bytes

    best = from_bytes(sample[:65536]).best()
    guess = best.encoding if best is not None else "?"
    raise FileReadError(_("文字コードを判別できません（%(guess)s のようです）。UTF-8 または"
                          " Shift_JIS（CP932）で保存してください。") % {"guess": guess})


def open_rows(file: IO[bytes], *, file_name: str = "", encoding: str = "auto") -> RowStream:
    """The rows of a CSV (UTF-8 or CP932, detected unless given) or XLSX file."""
    head = file.read(SAMPLE_BYTES)
    file.seek(0)
    if head.startswith(OLE_MAGIC) or file_name.lower().endswith(".xls"):
        raise FileReadError(_("古い Excel 形式（.xls）は読めません。.xlsx か CSV で保存し直してください。"))
    if head.startswith(ZIP_MAGIC) or file_name.lower().endswith(".xlsx"):
        return RowStream("xlsx", _xlsx_rows(file))
    if not head.strip():
        raise FileReadError(_("ファイルが空です。"))
    chosen = ENCODINGS.get((encoding or "auto").lower())
    if chosen is None:
        raise FileReadError(_("文字コード「%(encoding)s」には対応していません。UTF-8 か CP932 を"
                              "指定してください。") % {"encoding": encoding})
    if chosen == "auto":
        chosen = detect_encoding(head)
    elif chosen == "utf-8-sig" and not head.startswith(codecs.BOM_UTF8):
        chosen = "utf-8"
    return RowStream(chosen, _csv_rows(file, chosen))


def _csv_rows(file: IO[bytes], encoding: str) -> Iterator[tuple[int, list[str]]]:
    text = io.TextIOWrapper(file, encoding=encoding, errors="strict", newline="")
    reader = csv.reader(text)
    last = 0
    try:
        for cells in reader:
            line = last + 1
            last = reader.line_num
            if cells and any(cells):
                yield line, cells
    except UnicodeDecodeError:
        label = ENCODING_LABELS.get(encoding, encoding)
        raise FileReadError(_("%(line)d行目付近に %(encoding)s として読めない文字があります。"
                              "ファイル全体を同じ文字コードで保存してください。")
                            % {"line": last + 1, "encoding": label},
                            line=last + 1) from None
    except csv.Error as exc:
        raise FileReadError(_("%(line)d行目を CSV として読めません（%(error)s）。")
                            % {"line": last + 1, "error": exc}, line=last + 1) from None
    finally:
        text.detach()  # the caller owns (and closes) the file


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold (1.0 → 1, dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(file: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileReadError(_("Excel ファイル（.xlsx）として読めません（%(error)s）。")
                            % {"error": exc}) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows():
            cells = [cell_text(getattr(c, "value", None)) for c in row]
            line = next((c.row for c in row if getattr(c, "row", None)), None)
            if line is not None and any(cells):
                yield line, cells
    finally:
        workbook.close()
