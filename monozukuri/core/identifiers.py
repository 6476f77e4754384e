"""Japanese identifiers: 法人番号, 全国地方公共団体コード and 郵便番号.

Validators accept what people type (full-width digits, hyphens, spaces, 〒) and return the canonical
ASCII form, or raise django.core.exceptions.ValidationError with a Japanese message that says what is wrong.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from stdnum.jp import cn

__all__ = [
    "CORPORATE_NUMBER_LENGTH",
    "MUNICIPALITY_CODE_LENGTH",
    "POSTCODE_LENGTH",
    "corporate_number_check_digit",
    "format_postcode",
    "municipality_check_digit",
    "normalize_postcode",
    "validate_corporate_number",
    "validate_municipality_code",
]

CORPORATE_NUMBER_LENGTH = 13  # check digit + 12 digits
MUNICIPALITY_CODE_LENGTH = 6  # JIS X 0402 (5 digits) + check digit
JIS_X_0402_LENGTH = 5
MUNICIPALITY_CHECK_WEIGHTS = (6, 5, 4, 3, 2)
PREFECTURE_CODES = range(1, 48)  # JIS X 0401: 01 北海道 … 13 東京都 … 47 沖縄県
POSTCODE_LENGTH = 7

# Separators people type inside numbers: hyphens and dashes of every width, the long-vowel mark IMEs
# put in their place, and whitespace. NFKC has already folded the full-width forms.
_SEPARATORS_RE = re.compile(r"[\s\-‐‑‒–—―−ー]+")
_ASCII_DIGITS_RE = re.compile(r"[0-9]+")


def _compact(value: str) -> str:
    """Fold width (NFKC) and drop separators: '１３１－００３１' → '1310031'."""
    return _SEPARATORS_RE.sub("", unicodedata.normalize("NFKC", value))


def _is_ascii_digits(value: str) -> bool:
    """True for a non-empty run of 0–9 only (str.isdigit also accepts ² and other scripts)."""
    return _ASCII_DIGITS_RE.fullmatch(value) is not None


def corporate_number_check_digit(twelve_digits: str) -> int:
    """Check digit (first digit) of a 法人番号 from its other 12 digits."""
    if len(twelve_digits) != CORPORATE_NUMBER_LENGTH - 1 or not _is_ascii_digits(twelve_digits):
        raise ValueError(f"expected 12 ASCII digits, got {twelve_digits!r}")
    return int(cn.calc_check_digit(twelve_digits))


def validate_corporate_number(value: str) -> str:
    """Return a 法人番号 as 13 ASCII digits, or raise ValidationError saying what is wrong."""
    number = _compact(value)
    if not number:
        raise ValidationError(gettext("法人番号が入力されていません。"), code="required")
    if not _is_ascii_digits(number):
        raise ValidationError(
            gettext("法人番号「%(value)s」に数字以外の文字が含まれています。数字13桁で入力してください。"),
            code="corporate_number_not_digits",
            params={"value": value},
        )
    if len(number) != CORPORATE_NUMBER_LENGTH:
        raise ValidationError(
            gettext("法人番号は13桁です。「%(value)s」は%(length)d桁です。"),
            code="corporate_number_length",
            params={"value": value, "length": len(number)},
        )
    if not cn.is_valid(number):
        raise ValidationError(
            gettext(
                "法人番号「%(value)s」はチェックデジット(先頭の1桁)が合いません。番号を確かめてください。"
            ),
            code="corporate_number_check_digit",
            params={"value": value},
        )
    return number


def municipality_check_digit(five_digits: str) -> int:
    """Check digit (6th digit) of a 全国地方公共団体コード from its JIS X 0402 part (5 digits)."""
    if len(five_digits) != JIS_X_0402_LENGTH or not _is_ascii_digits(five_digits):
        raise ValueError(f"expected 5 ASCII digits, got {five_digits!r}")
    weighted = zip(five_digits, MUNICIPALITY_CHECK_WEIGHTS, strict=True)
    remainder = sum(int(digit) * weight for digit, weight in weighted) % 11
    return (11 - remainder) % 10  # remainder 0 → 1, remainder 1 → 0


def validate_municipality_code(value: str) -> str:
    """Return a 全国地方公共団体コード as 6 digits; a 5-digit JIS X 0402 code gets its check digit added."""
    code = _compact(value)
    if not code:
        raise ValidationError(gettext("団体コードが入力されていません。"), code="required")
    if not _is_ascii_digits(code):
        raise ValidationError(
            gettext("団体コード「%(value)s」に数字以外の文字が含まれています。数字6桁で入力してください。"),
            code="municipality_code_not_digits",
            params={"value": value},
        )
    if len(code) not in (JIS_X_0402_LENGTH, MUNICIPALITY_CODE_LENGTH):
        raise ValidationError(
            gettext("団体コードは6桁(チェックデジットを除くと5桁)です。「%(value)s」は%(length)d桁です。"),
            code="municipality_code_length",
            params={"value": value, "length": len(code)},
        )
    if int(code[:2]) not in PREFECTURE_CODES:
        raise ValidationError(
            gettext("団体コード「%(value)s」の先頭2桁は都道府県コード(01〜47)でなければなりません。"),
            code="municipality_code_prefecture",
            params={"value": value},
        )
    check_digit = municipality_check_digit(code[:JIS_X_0402_LENGTH])
    if len(code) == JIS_X_0402_LENGTH:
        return f"{code}{check_digit}"
    if int(code[-1]) != check_digit:
        raise ValidationError(
            gettext("団体コード「%(value)s」はチェックデジット(6桁目)が合いません。番号を確かめてください。"),
            code="municipality_code_check_digit",
            params={"value": value},
        )
    return code


def normalize_postcode(value: str) -> str:
    """Return a 郵便番号 as 7 ASCII digits ('〒１３１－００３１' → '1310031')."""
    postcode = _compact(value).removeprefix("〒")
    if not postcode:
        raise ValidationError(gettext("郵便番号が入力されていません。"), code="required")
    if not _is_ascii_digits(postcode):
        raise ValidationError(
            gettext("郵便番号「%(value)s」に数字以外の文字が含まれています。例: 131-0031"),
            code="postcode_not_digits",
            params={"value": value},
        )
    if len(postcode) != POSTCODE_LENGTH:
        raise ValidationError(
            gettext("郵便番号は7桁です。「%(value)s」は%(length)d桁です。例: 131-0031"),
            code="postcode_length",
            params={"value": value, "length": len(postcode)},
        )
    return postcode


def format_postcode(value: str) -> str:
    """Show a 郵便番号 as NNN-NNNN ('1310031' → '131-0031')."""
    postcode = normalize_postcode(value)
    return f"{postcode[:3]}-{postcode[3:]}"
