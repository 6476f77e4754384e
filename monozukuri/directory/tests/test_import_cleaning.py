"""Reading one cell: the forms people and registries write, as tables."""

from __future__ import annotations

import datetime

import pytest

from monozukuri.directory.importing import cleaning
from monozukuri.directory.importing.cleaning import CellError


@pytest.mark.parametrize(("raw", "yen"), [
    ("10000000", 10_000_000),
    ("10,000,000", 10_000_000),
    ("１０,０００,０００", 10_000_000),
    ("1000万円", 10_000_000),
    ("１０００万円", 10_000_000),
    ("１億円", 100_000_000),
    ("1億2000万円", 120_000_000),
    ("3億5千万円", 350_000_000),
    ("¥3,000,000", 3_000_000),
    ("5000000円", 5_000_000),
    ("0", 0),
    ("十万円", 100_000),
    ("1.5億円", 150_000_000),
])
def test_capital_reads_the_ways_people_write_amounts(raw, yen):
    assert cleaning.capital(raw) == yen


@pytest.mark.parametrize(("raw", "reason"), [
    ("-1000000", "負の値"),
    ("▲500万円", "負の値"),
    ("未定", "金額として読み取れません"),
    ("abc", "金額として読み取れません"),
    ("10^20", "金額として読み取れません"),
])
def test_capital_refuses_what_is_not_an_amount(raw, reason):
    with pytest.raises(CellError, match=reason):
        cleaning.capital(raw)


@pytest.mark.parametrize(("raw", "count"), [("12", 12), ("１２", 12), ("12人", 12), ("1,200名", 1200),
                                            ("０", 0)])
def test_employees_reads_counts_with_or_without_units(raw, count):
    assert cleaning.employees(raw) == count


@pytest.mark.parametrize(("raw", "reason"), [("十数人", "人数として読み取れません"), ("-3", "負の値"),
                                             ("12.5", "人数として読み取れません")])
def test_employees_refuses_what_is_not_a_count(raw, reason):
    with pytest.raises(CellError, match=reason):
        cleaning.employees(raw)


@pytest.mark.parametrize(("raw", "day"), [
    ("2019-05-01", datetime.date(2019, 5, 1)),
    ("2019/05/01", datetime.date(2019, 5, 1)),
    ("2019/5/1", datetime.date(2019, 5, 1)),
    ("令和元年5月1日", datetime.date(2019, 5, 1)),
    ("平成31年4月1日", datetime.date(2019, 4, 1)),
    ("H31.4.1", datetime.date(2019, 4, 1)),
    ("S45.1.1", datetime.date(1970, 1, 1)),
    ("昭和４５年１月１日", datetime.date(1970, 1, 1)),
    ("2023-05-17T09:00:00+09:00", datetime.date(2023, 5, 17)),
])
def test_date_reads_western_and_wareki(raw, day):
    assert cleaning.date(raw) == day


@pytest.mark.parametrize(("raw", "reason"), [
    ("令和5年2月30日", "存在しない日付"),
    ("2023-02-30", "存在しない日付"),
    ("来年の春", "日付として読み取れません"),
])
def test_date_refuses_days_that_do_not_exist(raw, reason):
    with pytest.raises(CellError, match=reason):
        cleaning.date(raw)


@pytest.mark.parametrize(("raw", "year"), [("1970", 1970), ("昭和45年", 1970), ("S45", 1970),
                                           ("1970年", 1970)])
def test_year_reads_western_and_wareki(raw, year):
    assert cleaning.year(raw) == year


@pytest.mark.parametrize("number", ["1180301018771", "5010401067252", "7000012050002", "8000020130001"])
def test_corporate_number_accepts_valid_numbers(number):
    assert cleaning.corporate_number(number) == number


def test_corporate_number_accepts_full_width_digits():
    assert cleaning.corporate_number("５０１０４０１０６７２５２") == "5010401067252"


@pytest.mark.parametrize(("raw", "reason"), [
    ("7010401067252", "チェックデジット"),
    ("6010001008846", "チェックデジット"),
    ("501040106725", "13桁"),
    ("50104010672521", "13桁"),
    ("501040106725X", "数字以外"),
])
def test_corporate_number_refuses_bad_numbers(raw, reason):
    with pytest.raises(CellError, match=reason):
        cleaning.corporate_number(raw)


@pytest.mark.parametrize(("raw", "digits"), [("131-0031", "1310031"), ("1310031", "1310031"),
                                             ("〒１３１－００３１", "1310031")])
def test_postcode_accepts_with_or_without_hyphen(raw, digits):
    assert cleaning.postcode(raw) == digits


@pytest.mark.parametrize(("raw", "reason"), [("1319999", "日本郵便のデータにありません"), ("131-003", "7桁")])
def test_postcode_refuses_unknown_or_malformed_codes(raw, reason):
    with pytest.raises(CellError, match=reason):
        cleaning.postcode(raw)


@pytest.mark.parametrize(("raw", "url"), [("www.example.co.jp", "http://www.example.co.jp"),
                                          ("https://example.jp/about/", "https://example.jp/about/")])
def test_website_adds_a_scheme_when_missing(raw, url):
    assert cleaning.website(raw) == url


def test_website_refuses_text_that_is_not_an_address():
    with pytest.raises(CellError, match="アドレスとして読み取れません"):
        cleaning.website("ホームページなし")


def test_text_refuses_values_longer_than_the_field():
    with pytest.raises(CellError, match="200文字以内"):
        cleaning.text("あ" * 201, 200)


@pytest.mark.parametrize(("raw", "code"), [("24", "24"), ("２４", "24"), ("E24", "24"),
                                           ("24 金属製品製造業", "24"), ("9", "09")])
def test_division_reads_jsic_codes(raw, code):
    assert cleaning.division(raw, {"09": 1, "24": 2}) == code


def test_division_refuses_unknown_codes():
    with pytest.raises(CellError, match="中分類コード"):
        cleaning.division("99", {"24": 2})


@pytest.mark.parametrize(("raw", "kind"), [("製造業", "manufacturer"), ("manufacturer", "manufacturer"),
                                           ("スタートアップ", "startup")])
def test_kind_reads_labels_and_codes(raw, kind):
    assert cleaning.kind(raw) == kind
