from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from monozukuri.core import identifiers
from monozukuri.core.identifiers import (
    corporate_number_check_digit,
    format_postcode,
    municipality_check_digit,
    normalize_postcode,
    validate_corporate_number,
    validate_municipality_code,
)


@pytest.fixture(autouse=True)
def _japanese() -> Iterator[None]:
    """Messages are asserted in Japanese, whatever English catalogs exist."""
    with translation.override("ja"):
        yield


def _messages(excinfo: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return excinfo.value.messages


# --- 法人番号 ---------------------------------------------------------------------------------------

VALID_CORPORATE_NUMBERS = ["1180301018771", "5010401067252", "7000012050002", "8000020130001"]


@pytest.mark.parametrize("number", VALID_CORPORATE_NUMBERS)
def test_validate_corporate_number_accepts_domain_examples(number: str) -> None:
    assert validate_corporate_number(number) == number


@pytest.mark.parametrize("number", VALID_CORPORATE_NUMBERS)
def test_corporate_number_check_digit_is_the_first_digit(number: str) -> None:
    assert corporate_number_check_digit(number[1:]) == int(number[0])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１１８０３０１０１８７７１", "1180301018771"),
        ("1-1803-0101-8771", "1180301018771"),
        (" 1180301018771 ", "1180301018771"),
        ("1 1803 0101 8771", "1180301018771"),
        ("５０１０４０１－０６７２５２", "5010401067252"),
        ("5010401ー067252", "5010401067252"),
    ],
)
def test_validate_corporate_number_normalises_width_and_separators(value: str, expected: str) -> None:
    assert validate_corporate_number(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "7010401067252",
            "corporate_number_check_digit",
            "法人番号「7010401067252」はチェックデジット(先頭の1桁)が合いません。番号を確かめてください。",
        ),
        (
            "6010001008846",
            "corporate_number_check_digit",
            "法人番号「6010001008846」はチェックデジット(先頭の1桁)が合いません。番号を確かめてください。",
        ),
        ("118030101877", "corporate_number_length", "法人番号は13桁です。「118030101877」は12桁です。"),
        ("11803010187710", "corporate_number_length", "法人番号は13桁です。「11803010187710」は14桁です。"),
        (
            "118030101877X",
            "corporate_number_not_digits",
            "法人番号「118030101877X」に数字以外の文字が含まれています。数字13桁で入力してください。",
        ),
        (
            "118030101877١",
            "corporate_number_not_digits",
            "法人番号「118030101877١」に数字以外の文字が含まれています。数字13桁で入力してください。",
        ),
        ("", "required", "法人番号が入力されていません。"),
        (" - ", "required", "法人番号が入力されていません。"),
    ],
)
def test_validate_corporate_number_says_what_is_wrong(value: str, code: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_corporate_number(value)
    assert excinfo.value.code == code
    assert _messages(excinfo) == [message]


@pytest.mark.parametrize("value", ["", "12345678901", "1234567890123", "１２３４５６７８９０１２"])
def test_corporate_number_check_digit_needs_twelve_ascii_digits(value: str) -> None:
    with pytest.raises(ValueError, match="12 ASCII digits"):
        corporate_number_check_digit(value)


# --- 全国地方公共団体コード ---------------------------------------------------------------------------

MUNICIPALITY_CODES = [
    ("131075", "墨田区"),
    ("131181", "荒川区"),
    ("131199", "板橋区"),
    ("132055", "青梅市"),
    ("130001", "東京都"),
]


@pytest.mark.parametrize(("code", "name"), MUNICIPALITY_CODES)
def test_validate_municipality_code_accepts_domain_examples(code: str, name: str) -> None:
    assert validate_municipality_code(code) == code


@pytest.mark.parametrize(("code", "name"), MUNICIPALITY_CODES)
def test_municipality_check_digit_is_the_sixth_digit(code: str, name: str) -> None:
    assert municipality_check_digit(code[:5]) == int(code[5])


@pytest.mark.parametrize(("code", "name"), MUNICIPALITY_CODES)
def test_validate_municipality_code_completes_five_digit_jis_code(code: str, name: str) -> None:
    assert validate_municipality_code(code[:5]) == code


@pytest.mark.parametrize(
    ("five_digits", "check_digit"),
    [
        ("13118", 1),  # Σ mod 11 = 0 → 1
        ("13000", 1),  # Σ mod 11 = 10 → 1
        ("13113", 0),  # Σ mod 11 = 1 → 0 (渋谷区 131130)
    ],
)
def test_municipality_check_digit_edge_remainders(five_digits: str, check_digit: int) -> None:
    assert municipality_check_digit(five_digits) == check_digit


@pytest.mark.parametrize(
    ("value", "expected"),
    [("１３１０７５", "131075"), ("13107-5", "131075"), (" 13107 ", "131075"), ("１３１０７", "131075")],
)
def test_validate_municipality_code_normalises_width_and_separators(value: str, expected: str) -> None:
    assert validate_municipality_code(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "131076",
            "municipality_code_check_digit",
            "団体コード「131076」はチェックデジット(6桁目)が合いません。番号を確かめてください。",
        ),
        (
            "1310",
            "municipality_code_length",
            "団体コードは6桁(チェックデジットを除くと5桁)です。「1310」は4桁です。",
        ),
        (
            "1310755",
            "municipality_code_length",
            "団体コードは6桁(チェックデジットを除くと5桁)です。「1310755」は7桁です。",
        ),
        (
            "13107A",
            "municipality_code_not_digits",
            "団体コード「13107A」に数字以外の文字が含まれています。数字6桁で入力してください。",
        ),
        (
            "481001",
            "municipality_code_prefecture",
            "団体コード「481001」の先頭2桁は都道府県コード(01〜47)でなければなりません。",
        ),
        (
            "00100",
            "municipality_code_prefecture",
            "団体コード「00100」の先頭2桁は都道府県コード(01〜47)でなければなりません。",
        ),
        ("", "required", "団体コードが入力されていません。"),
    ],
)
def test_validate_municipality_code_says_what_is_wrong(value: str, code: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_municipality_code(value)
    assert excinfo.value.code == code
    assert _messages(excinfo) == [message]


@pytest.mark.parametrize("value", ["", "1310", "131075", "１３１０７"])
def test_municipality_check_digit_needs_five_ascii_digits(value: str) -> None:
    with pytest.raises(ValueError, match="5 ASCII digits"):
        municipality_check_digit(value)


# --- 郵便番号 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1310031",
        "131-0031",
        "〒131-0031",
        "〒 131-0031",
        "１３１－００３１",
        "〒１３１ー００３１",
        "131 0031",
        "131−0031",
    ],
)
def test_normalize_postcode_accepts_what_people_type(value: str) -> None:
    assert normalize_postcode(value) == "1310031"


@pytest.mark.parametrize("value", ["1310031", "〒１３１－００３１"])
def test_format_postcode_shows_nnn_nnnn(value: str) -> None:
    assert format_postcode(value) == "131-0031"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("131-003", "postcode_length", "郵便番号は7桁です。「131-003」は6桁です。例: 131-0031"),
        ("131-00311", "postcode_length", "郵便番号は7桁です。「131-00311」は8桁です。例: 131-0031"),
        (
            "131-OO31",
            "postcode_not_digits",
            "郵便番号「131-OO31」に数字以外の文字が含まれています。例: 131-0031",
        ),
        ("〒", "required", "郵便番号が入力されていません。"),
        ("", "required", "郵便番号が入力されていません。"),
    ],
)
def test_normalize_postcode_says_what_is_wrong(value: str, code: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        normalize_postcode(value)
    assert excinfo.value.code == code
    assert _messages(excinfo) == [message]


def test_format_postcode_rejects_invalid_postcode() -> None:
    with pytest.raises(ValidationError):
        format_postcode("131")


# --- translation -------------------------------------------------------------------------------------


def test_messages_go_through_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identifiers, "gettext", lambda msgid: f"[en] {msgid}")
    with pytest.raises(ValidationError) as excinfo:
        validate_corporate_number("123")
    assert _messages(excinfo) == ["[en] 法人番号は13桁です。「123」は3桁です。"]
