"""The file formats the import reads, and how each column maps to an organisation's fields.

- gBizINFO CSV (経済産業省): header row, one corporation per row (DOMAIN.md §4).
- National Tax Agency 法人番号 bulk CSV (国税庁 法人番号公表サイト 全件・差分データ): no header,
  30 columns; history rows (最新履歴 0), hidden rows (検索対象除外 1) and deleted numbers
  (処理区分 99) are skipped.
- monozukuri's own export (CSV or XLSX): header row of Japanese column names, the same as the export's
  (`MONOZUKURI_COLUMNS`), so that an export imports back without changes.

A format is recognised from the first row: the header's column names, or 30 columns starting with a
sequence number and a 法人番号 for the NTA file.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monozukuri.directory.importing import cleaning
from monozukuri.directory.models import Organization, SourceKind

GBIZINFO, NTA, MONOZUKURI = "gbizinfo", "nta", "monozukuri"
FORMAT_LABELS = {
    GBIZINFO: gettext_lazy("gBizINFO CSV"),
    NTA: gettext_lazy("国税庁 法人番号 CSV"),
    MONOZUKURI: gettext_lazy("monozukuri 形式（エクスポートと同じ列）"),
}
SOURCE_KIND = {GBIZINFO: SourceKind.GBIZINFO, NTA: SourceKind.NTA, MONOZUKURI: SourceKind.IMPORT_FILE}

GBIZINFO_HEADER = (
    "法人番号", "法人名", "法人名ふりがな", "法人名英語", "郵便番号", "本社所在地", "ステータス",
    "登記記録の閉鎖等年月日", "登記記録の閉鎖等の事由", "法人代表者名", "法人代表者役職", "資本金",
    "従業員数", "企業規模詳細(男性)", "企業規模詳細(女性)", "営業品目リスト", "事業概要", "企業ホームページ",
    "設立年月日", "創業年", "最終更新日", "資格等級",
)
# Optional extra columns a gBizINFO file may carry (gBizINFO itself has no industry code).
INDUSTRY_HEADERS = ("業種コード", "日本標準産業分類", "JSIC中分類", "産業分類コード")
NTA_COLUMNS = 30
TEXT_LIMIT = 20_000  # summaries, product lists, notes


def header_key(name: Any) -> str:
    """A column name as compared: width folded, spaces and a stray BOM removed."""
    text = unicodedata.normalize("NFKC", str(name or "")).replace("\ufeff", "")
    return "".join(text.split())


def _max_length(name: str) -> int:
    length = getattr(Organization._meta.get_field(name), "max_length", None)
    return int(length) if length else TEXT_LIMIT


def _text(name: str) -> Callable[[str], str]:
    clean = partial(cleaning.text, max_length=_max_length(name))
    clean.text_limit = _max_length(name)  # type: ignore[attr-defined]
    return clean


@dataclass(frozen=True)
class Column:
    """One column of a file: its header, where its value goes, and how it is read.

    `target` is an Organization field, or one of the row's own keys: `address` (a one-line address),
    `division` (JSIC 中分類 code), `municipality_code`, `record_id`, `capabilities` (the ids of the
    capabilities the record carries, engine.py writes the links); None means the column is written by
    the export for people to read and ignored on import. `field` names the visibility field (see
    visibility.GROUP_OF_FIELD) that decides who may read the column in an export.
    """

    header: str
    target: str | None
    clean: Callable[..., Any] | None = None
    field: str = ""
    aliases: tuple[str, ...] = ()
    required: bool = False
    needs: str = ""  # "divisions", "municipalities" or "capabilities": the cleaner takes the known codes

    def match_keys(self) -> tuple[str, ...]:
        return (header_key(self.header), *(header_key(a) for a in self.aliases))

    @property
    def text_limit(self) -> int | None:
        """For plain text columns, the longest value (the parser checks it inline, for speed)."""
        return getattr(self.clean, "text_limit", None)


# monozukuri's own format: the export writes these columns in this order, the import reads them back.
MONOZUKURI_COLUMNS: tuple[Column, ...] = (
    Column("ID", "record_id", cleaning.record_id, "id"),
    Column("法人番号", "corporate_number", cleaning.corporate_number, "corporate_number"),
    Column("名称", "name", _text("name"), "name", aliases=("企業名", "法人名", "商号"), required=True),
    Column("よみがな", "kana", _text("kana"), "kana", aliases=("ふりがな", "フリガナ")),
    Column("英語名", "name_en", _text("name_en"), "name_en"),
    Column("種別", "kind", cleaning.kind, "kind"),
    Column("状態", "status", cleaning.status, "status"),
    Column("閉鎖日", "closed_on", cleaning.date, "closed_on"),
    Column("郵便番号", "postcode", cleaning.postcode, "postcode"),
    Column("所在地", "address", _text("street"), "street", aliases=("住所",)),
    Column("都道府県", "prefecture", _text("prefecture"), "prefecture"),
    Column("市区町村", "city", _text("city"), "city"),
    Column("町域", "town", _text("town"), "town"),
    Column("番地・建物", "street", _text("street"), "street", aliases=("番地",)),
    Column("自治体コード", "municipality_code", cleaning.municipality_code, "municipality",
           aliases=("団体コード",), needs="municipalities"),
    Column("自治体", None, None, "municipality"),
    Column("緯度", "latitude", cleaning.latitude, "latitude"),
    Column("経度", "longitude", cleaning.longitude, "longitude"),
    Column("業種コード", "division", cleaning.division, "industry", aliases=INDUSTRY_HEADERS[1:],
           needs="divisions"),
    Column("業種", None, None, "industry"),
    Column("小分類・細分類コード", "jsic_detail", cleaning.jsic_detail, "jsic_detail"),
    Column("資本金（円）", "capital", cleaning.capital, "capital", aliases=("資本金",)),
    Column("従業員数", "employees", cleaning.employees, "employees"),
    Column("設立年月日", "founded_on", cleaning.date, "founded_on"),
    Column("創業年", "founded_year", cleaning.year, "founded_year"),
    Column("企業規模", None, None, "sme_class"),
    Column("企業規模の判定根拠", None, None, "sme_rule"),
    Column("ウェブサイト", "website", cleaning.website, "website", aliases=("ホームページ",)),
    Column("代表電話", "phone", cleaning.phone, "phone", aliases=("電話番号", "電話")),
    Column("代表メール", "email", cleaning.email, "email", aliases=("メールアドレス",)),
    Column("代表者", "representative", _text("representative"), "representative", aliases=("代表者名",)),
    Column("代表者役職", "representative_title", _text("representative_title"), "representative_title"),
    Column("事業概要", "summary", _text("summary"), "summary"),
    Column("主な製品・サービス", "products", _text("products"), "products"),
    Column("技術・製品分野", "capabilities", cleaning.capabilities, "capabilities", aliases=("技術",),
           needs="capabilities"),
    Column("職員メモ", "staff_notes", _text("staff_notes"), "staff_notes"),
    Column("最終確認日", None, None, "last_confirmed_on"),
)
# Columns the export writes only when it has room for them (the one-line 所在地 is an import alias).
EXPORT_COLUMNS: tuple[Column, ...] = tuple(c for c in MONOZUKURI_COLUMNS if c.target != "address")

GBIZINFO_COLUMNS: tuple[Column, ...] = (
    Column("法人番号", "corporate_number", cleaning.corporate_number, required=True),
    Column("法人名", "name", _text("name"), required=True),
    Column("法人名ふりがな", "kana", _text("kana")),
    Column("法人名英語", "name_en", _text("name_en")),
    Column("郵便番号", "postcode", cleaning.postcode),
    Column("本社所在地", "address", _text("street")),
    Column("ステータス", "status", None),  # read by the gBizINFO parser itself
    Column("登記記録の閉鎖等年月日", "closed_on", cleaning.date),
    Column("法人代表者名", "representative", _text("representative")),
    Column("法人代表者役職", "representative_title", _text("representative_title")),
    Column("資本金", "capital", cleaning.capital),
    Column("従業員数", "employees", cleaning.employees),
    Column("営業品目リスト", "products", _text("products")),
    Column("事業概要", "summary", _text("summary")),
    Column("企業ホームページ", "website", cleaning.website),
    Column("設立年月日", "founded_on", cleaning.date),
    Column("創業年", "founded_year", cleaning.year),
    Column("最終更新日", "source_updated_on", cleaning.date),  # checked, not stored (no field for it)
    Column("業種コード", "division", cleaning.division, aliases=INDUSTRY_HEADERS[1:], needs="divisions"),
)
GBIZINFO_REQUIRED = ("法人番号", "法人名", "本社所在地")

# NTA columns (0-based index): what the import reads, and the label used in reports.
NTA_CORPORATE_NUMBER, NTA_PROCESS, NTA_UPDATED, NTA_NAME = 1, 2, 4, 6
NTA_PREFECTURE, NTA_CITY, NTA_STREET, NTA_POSTCODE = 9, 10, 11, 15
NTA_CLOSED_ON, NTA_LATEST, NTA_NAME_EN, NTA_FURIGANA, NTA_HIDDEN = 18, 23, 24, 28, 29
NTA_LABELS = {
    NTA_CORPORATE_NUMBER: "法人番号", NTA_PROCESS: "処理区分", NTA_UPDATED: "更新年月日",
    NTA_NAME: "商号又は名称", NTA_PREFECTURE: "国内所在地（都道府県）", NTA_CITY: "国内所在地（市区町村）",
    NTA_STREET: "国内所在地（丁目番地等）", NTA_POSTCODE: "郵便番号", NTA_CLOSED_ON: "登記記録の閉鎖等年月日",
    NTA_LATEST: "最新履歴", NTA_NAME_EN: "商号又は名称（英語表記）", NTA_FURIGANA: "フリガナ",
    NTA_HIDDEN: "検索対象除外",
}
NTA_PROCESS_CLOSED = "21"  # 登記記録の閉鎖等
NTA_PROCESS_DELETED = "99"  # 削除 (a number assigned in error)


def nta_column_label(index: int) -> str:
    """'2列目（法人番号）': NTA files have no header, so reports name the column by position."""
    return _("%(n)d列目（%(name)s）") % {"n": index + 1, "name": NTA_LABELS.get(index, "")}


@dataclass
class BoundColumn:
    """A column found in a file's header, at its position."""

    index: int
    header: str  # as written in the file (used in reports)
    column: Column
    clean: Callable[[str], Any] | None


@dataclass
class Layout:
    """A recognised file: its format and, for formats with a header, where each column is."""

    file_format: str
    columns: list[BoundColumn] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    has_header: bool = True


class FormatError(ValueError):
    """The file's first row fits no format; `message` says what was expected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def looks_like_nta(cells: Sequence[str]) -> bool:
    if len(cells) != NTA_COLUMNS:
        return False
    number = unicodedata.normalize("NFKC", cells[NTA_CORPORATE_NUMBER]).strip()
    sequence = unicodedata.normalize("NFKC", cells[0]).strip()
    return len(number) == 13 and number.isdigit() and sequence.isdigit()


def detect_format(first_row: Sequence[str], requested: str = "auto") -> str:
    """The format of a file from its first row (or the one the caller asked for)."""
    if requested in (GBIZINFO, NTA, MONOZUKURI):
        return requested
    keys = {header_key(c) for c in first_row}
    if all(header_key(h) in keys for h in GBIZINFO_REQUIRED):
        return GBIZINFO
    if looks_like_nta(first_row):
        return NTA
    name_keys = {k for c in MONOZUKURI_COLUMNS if c.required for k in c.match_keys()}
    if keys & name_keys:
        return MONOZUKURI
    raise FormatError(_(
        "1行目から形式を判別できません。gBizINFO の CSV（1行目が「法人番号,法人名,…」）、国税庁の法人番号 CSV"
        "（見出しなし30列）、またはこのシステムのエクスポート形式（1行目に「名称」の列）を使ってください。"
    ))


def bind_header(file_format: str, header: Sequence[str], known: Mapping[str, Mapping[str, Any]]
                ) -> Layout:
    """Find each known column in a header row; a required column that is missing is a FormatError."""
    if file_format == NTA:
        return Layout(NTA, has_header=False)
    specs = GBIZINFO_COLUMNS if file_format == GBIZINFO else MONOZUKURI_COLUMNS
    by_key = {key: spec for spec in specs for key in spec.match_keys()}
    layout = Layout(file_format)
    seen: set[str] = set()
    for index, raw in enumerate(header):
        key = header_key(raw)
        spec = by_key.get(key)
        if spec is None or spec.header in seen:
            if key and (file_format != GBIZINFO or key not in {header_key(h) for h in GBIZINFO_HEADER}):
                layout.ignored_headers.append(str(raw))
            continue
        seen.add(spec.header)
        clean = spec.clean
        if clean is not None and spec.needs:
            clean = partial(clean, known=known[spec.needs])
        layout.columns.append(BoundColumn(index, str(raw).replace("\ufeff", "").strip(), spec, clean))
    missing = [s.header for s in specs if s.required and s.header not in seen]
    if missing:
        raise FormatError(_("1行目（見出し）に必要な列がありません: %(columns)s")
                          % {"columns": "、".join(missing)})
    return layout
