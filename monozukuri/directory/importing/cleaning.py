"""Reading one cell: what people and registries write, turned into a Python value or a reason why not.

Every cleaner takes the cell's text (already stripped, never empty: empty cells are "no information"
and never reach a cleaner) and returns the value, or raises `CellError` with a message for people,
in the active language (Japanese msgids through gettext). The common forms take a fast path first:
a million-row file is mostly plain ASCII digits and ISO dates.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from monozukuri.core.identifiers import (
    normalize_postcode,
    validate_corporate_number,
    validate_municipality_code,
)
from monozukuri.core.japanese_calendar import JapaneseDateError, parse_date, parse_year
from monozukuri.directory import normalize
from monozukuri.directory.models import OrganizationKind, OrganizationStatus

# Limits of the columns the values land in (PostgreSQL refuses longer values; SQLite would keep them).
MAX_CAPITAL_YEN = 10**16  # 1京円: beyond any company on record, within a 64-bit column
MAX_EMPLOYEES = 10_000_000
MIN_YEAR = 1600


class CellError(ValueError):
    """A cell that cannot be read; `message` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _validation_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def text(value: str, max_length: int) -> str:
    """Text as given (line breaks unified), at most `max_length` characters."""
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > max_length:
        raise CellError(_("%(max)d文字以内で入力してください（%(length)d文字あります）。")
                        % {"max": max_length, "length": len(value)})
    return value


def _check_digit_ok(number: str) -> bool:
    """DOMAIN.md §2: from the right, weight 1 for odd positions and 2 for even; 9 − (Σ mod 9)."""
    total = sum(map(int, number[2::2])) + 2 * sum(map(int, number[1::2]))
    return int(number[0]) == 9 - total % 9


def corporate_number(value: str) -> str:
    """A 法人番号 as 13 ASCII digits with a correct check digit."""
    if len(value) == 13 and value.isascii() and value.isdigit() and _check_digit_ok(value):
        return value
    try:
        return validate_corporate_number(value)
    except ValidationError as exc:
        raise CellError(_validation_message(exc)) from None


def postcode(value: str) -> str:
    """A 郵便番号 (7 digits, hyphen optional) that Japan Post's data knows."""
    if len(value) == 7 and value.isascii() and value.isdigit():
        digits = value
    elif len(value) == 8 and value[3] == "-" and value.isascii() and (value[:3] + value[4:]).isdigit():
        digits = value[:3] + value[4:]
    else:
        try:
            digits = normalize_postcode(value)
        except ValidationError as exc:
            raise CellError(_validation_message(exc)) from None
    if normalize.address_from_postcode(digits) is None:
        raise CellError(_("郵便番号「%(value)s」は日本郵便のデータにありません。番号を確かめてください。")
                        % {"value": value})
    return digits


_AMOUNT_SEPARATORS = str.maketrans("", "", ",、 \u3000")
_BIG_UNITS = (("兆", 10**12), ("億", 10**8), ("万", 10**4))
# Within a 4-digit group: 5千3百, 千 (one thousand), 1.5千, 300.
_GROUP = re.compile(r"(?:(\d*(?:\.\d+)?)千)?(?:(\d*)百)?(?:(\d*)十)?(\d+(?:\.\d+)?)?")


def _group(text: str) -> float | None:
    match = _GROUP.fullmatch(text)
    if not text or match is None:
        return None
    thousands, hundreds, tens, ones = match.groups()
    value = 0.0
    for part, unit in ((thousands, 1000), (hundreds, 100), (tens, 10)):
        if part is not None:
            value += (float(part) if part else 1) * unit
    return value + float(ones or 0)


def _kanji_amount(text: str) -> float | None:
    """1億2000万 → 120000000; 3億5千万 → 350000000; None when it is not such a number."""
    total, rest = 0.0, text
    for unit, multiplier in _BIG_UNITS:
        if unit in rest:
            head, rest = rest.split(unit, 1)
            value = _group(head)
            if value is None:
                return None
            total += value * multiplier
    if rest:
        value = _group(rest)
        if value is None:
            return None
        total += value
    return total


def _amount(value: str, what: str) -> int:
    folded = unicodedata.normalize("NFKC", value).translate(_AMOUNT_SEPARATORS)
    folded = folded.removeprefix("¥").removeprefix("\\").removesuffix("円")
    if folded.startswith(("-", "−", "▲", "△")):
        raise CellError(_("%(what)sに負の値「%(value)s」は入りません。") % {"what": what, "value": value})
    amount = _kanji_amount(folded) if folded else None
    if amount is None:
        raise CellError(_("%(what)s「%(value)s」は金額として読み取れません。例: 10000000、1,000万円、1億円")
                        % {"what": what, "value": value})
    yen = round(amount)
    if yen > MAX_CAPITAL_YEN:
        raise CellError(_("%(what)s「%(value)s」が大きすぎます。") % {"what": what, "value": value})
    return yen


def capital(value: str) -> int:
    """資本金 in yen: 10000000, 10,000,000, 1000万円, １億円, 1億2000万円."""
    if value.isascii() and value.isdigit():
        yen = int(value)
        if yen > MAX_CAPITAL_YEN:
            raise CellError(_("資本金「%(value)s」が大きすぎます。") % {"value": value})
        return yen
    return _amount(value, _("資本金"))


_PEOPLE_SUFFIXES = ("人", "名")


def employees(value: str) -> int:
    """従業員数: 12, １２, 12人, 1,200名."""
    if value.isascii() and value.isdigit():
        count = int(value)
    else:
        folded = unicodedata.normalize("NFKC", value).replace(",", "").replace(" ", "")
        for suffix in _PEOPLE_SUFFIXES:
            folded = folded.removesuffix(suffix)
        if folded.startswith(("-", "−", "▲")) and folded[1:].isdigit():
            raise CellError(_("従業員数に負の値「%(value)s」は入りません。") % {"value": value})
        if not (folded.isascii() and folded.isdigit()):
            raise CellError(_("従業員数「%(value)s」は人数として読み取れません。例: 12、12人")
                            % {"value": value})
        count = int(folded)
    if count > MAX_EMPLOYEES:
        raise CellError(_("従業員数「%(value)s」が大きすぎます。") % {"value": value})
    return count


def date(value: str) -> datetime.date:
    """A date in western or 和暦 form: 2019-05-01, 2019/05/01, 令和元年5月1日, H31.4.1, S45.1.1.

    An ISO timestamp (2023-05-17T09:00:00+09:00, as some registries write 最終更新日) gives its date.
    """
    if len(value) >= 10 and value[4] == "-" and value[7] == "-" and value.isascii():
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            pass  # e.g. 2023-02-30: let parse_date say why, in words
    try:
        return parse_date(value)
    except JapaneseDateError as exc:
        raise CellError(exc.message) from None


def year(value: str) -> int:
    """A year: 1970, 1970年, 昭和45年, S45 (a full date gives its year)."""
    if len(value) == 4 and value.isascii() and value.isdigit():
        result = int(value)
    else:
        try:
            result = parse_year(value)
        except JapaneseDateError as exc:
            try:
                result = parse_date(value).year
            except JapaneseDateError:
                raise CellError(exc.message) from None
    if not MIN_YEAR <= result <= datetime.date.today().year + 1:
        raise CellError(_("年「%(value)s」は範囲外です。") % {"value": value})
    return result


_URL = re.compile(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", re.IGNORECASE)


def website(value: str) -> str:
    """A web address; one without a scheme (www.example.co.jp) gets http://."""
    url = unicodedata.normalize("NFKC", value).strip()
    if "://" not in url:
        url = f"http://{url}"
    if not _URL.fullmatch(url):
        raise CellError(_("「%(value)s」はウェブサイトのアドレスとして読み取れません。例: https://www.example.co.jp/")
                        % {"value": value})
    if len(url) > 300:
        raise CellError(_("ウェブサイトのアドレスは300文字以内です。"))
    return url


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def email(value: str) -> str:
    address = unicodedata.normalize("NFKC", value).strip()
    if not _EMAIL.fullmatch(address) or len(address) > 254:
        raise CellError(_("「%(value)s」はメールアドレスとして読み取れません。") % {"value": value})
    return address


def phone(value: str) -> str:
    """A phone number as written (03-1234-5678); 6 to 15 digits."""
    digits = normalize.phone_key(value)
    if not 6 <= len(digits) <= 15 or len(value) > 20:
        raise CellError(_("「%(value)s」は電話番号として読み取れません。例: 03-1234-5678") % {"value": value})
    return value


def coordinate(value: str, low: float, high: float) -> float:
    try:
        number = float(unicodedata.normalize("NFKC", value))
    except ValueError:
        raise CellError(_("「%(value)s」は数値として読み取れません。") % {"value": value}) from None
    if not low <= number <= high:
        raise CellError(_("「%(value)s」は範囲外です。") % {"value": value})
    return number


def latitude(value: str) -> float:
    return coordinate(value, -90.0, 90.0)


def longitude(value: str) -> float:
    return coordinate(value, -180.0, 180.0)


def record_id(value: str) -> int:
    folded = unicodedata.normalize("NFKC", value)
    if not (folded.isascii() and folded.isdigit()):
        raise CellError(_("IDは数字です。「%(value)s」は読み取れません。") % {"value": value})
    return int(folded)


def _choice(value: str, choices: Any, what: str) -> str:
    folded = unicodedata.normalize("NFKC", value).strip()
    for choice in choices:
        if folded in (choice.value, str(choice.label)):
            return str(choice.value)
    labels = "、".join(str(c.label) for c in choices)
    raise CellError(_("%(what)s「%(value)s」は次のどれかで入力してください: %(labels)s")
                    % {"what": what, "value": value, "labels": labels})


def kind(value: str) -> str:
    """種別 by its label (製造業) or its code (manufacturer)."""
    return _choice(value, OrganizationKind, _("種別"))


def status(value: str) -> str:
    """状態 by its label (営業中 / 閉鎖) or its code (active / closed)."""
    return _choice(value, OrganizationStatus, _("状態"))


_DIVISION = re.compile(r"[A-T]?(\d{1,2})(?:\s.*)?", re.DOTALL)


def division(value: str, known: Mapping[str, Any]) -> str:
    """A JSIC 中分類 code: 24, ２４, E24, or 24 金属製品製造業; it must be a known code."""
    match = _DIVISION.fullmatch(unicodedata.normalize("NFKC", value).strip().upper())
    code = match.group(1).zfill(2) if match else ""
    if code not in known:
        raise CellError(_("業種コード「%(value)s」は日本標準産業分類の中分類コード（2桁）として"
                          "読み取れません。例: 24") % {"value": value})
    return code


def jsic_detail(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).strip()
    if not (folded.isascii() and folded.isdigit() and 3 <= len(folded) <= 4):
        raise CellError(_("小分類・細分類コード「%(value)s」は3桁または4桁の数字です。") % {"value": value})
    return folded


def municipality_code(value: str, known: Mapping[str, Any]) -> str:
    try:
        code = validate_municipality_code(value)
    except ValidationError as exc:
        raise CellError(_validation_message(exc)) from None
    if code not in known:
        raise CellError(_("団体コード「%(value)s」の自治体は登録されていません。") % {"value": value})
    return code


# 技術・製品分野: several names in one cell, separated as people type lists in Japanese spreadsheets.
_LIST_SEPARATORS = re.compile(r"[、,，;；\n]+")
AMBIGUOUS = -1  # a name that more than one capability has (known_capabilities marks it so)


def capability_key(text: str) -> str:
    """How a capability's name, English name or identifier is compared (width and case folded)."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def capabilities(value: str, known: Mapping[str, Any]) -> tuple[int, ...]:
    """技術・製品分野: capability names (or identifiers, or English names) separated by 、 , ; or new
    lines, as the export writes them; every one must be in the taxonomy. Their ids, sorted, once each."""
    ids: set[int] = set()
    for item in _LIST_SEPARATORS.split(value):
        key = capability_key(item)
        if not key:
            continue
        found = known.get(key)
        if found is None:
            raise CellError(_("技術・製品分野「%(value)s」は登録されていません。技術・製品分野の一覧に"
                              "ある名前か識別子で入力してください。") % {"value": item.strip()})
        if found == AMBIGUOUS:
            raise CellError(_("技術・製品分野「%(value)s」という名前が複数あります。"
                              "識別子で指定してください。") % {"value": item.strip()})
        ids.add(int(found))
    return tuple(sorted(ids))
