from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import translation

from monozukuri.core import japanese_calendar
from monozukuri.core.japanese_calendar import (
    ERAS,
    YEAR_END_CLOSURE_DAYS,
    JapaneseDateError,
    add_business_days,
    business_days_between,
    era_for_date,
    fiscal_year_end,
    fiscal_year_of,
    fiscal_year_range,
    fiscal_year_start,
    format_date,
    format_fiscal_year,
    format_year_wareki,
    is_business_day,
    parse_date,
    parse_fiscal_year,
    parse_year,
)

D = datetime.date


@pytest.fixture(autouse=True)
def _japanese() -> Iterator[None]:
    """Messages are asserted in Japanese, whatever English catalogs exist."""
    with translation.override("ja"):
        yield


# --- the era table -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "letter", "start", "offset"),
    [
        ("明治", "M", D(1868, 1, 25), 1867),
        ("大正", "T", D(1912, 7, 30), 1911),
        ("昭和", "S", D(1926, 12, 25), 1925),
        ("平成", "H", D(1989, 1, 8), 1988),
        ("令和", "R", D(2019, 5, 1), 2018),
    ],
)
def test_era_table_holds_start_and_offset_of_each_era(name: str, letter: str, start: D, offset: int) -> None:
    era = next(e for e in ERAS if e.name == name)
    assert (era.letter, era.start, era.offset) == (letter, start, offset)


def test_era_table_is_ordered_oldest_first() -> None:
    assert [e.start for e in ERAS] == sorted(e.start for e in ERAS)


# --- era boundaries, both directions ---------------------------------------------------------------

ERA_BOUNDARIES = [
    # (date, 和暦)
    (D(1868, 1, 24), "1868年1月24日"),
    (D(1868, 1, 25), "明治元年1月25日"),
    (D(1912, 7, 29), "明治45年7月29日"),
    (D(1912, 7, 30), "大正元年7月30日"),
    (D(1926, 12, 24), "大正15年12月24日"),
    (D(1926, 12, 25), "昭和元年12月25日"),
    (D(1989, 1, 7), "昭和64年1月7日"),
    (D(1989, 1, 8), "平成元年1月8日"),
    (D(2019, 4, 30), "平成31年4月30日"),
    (D(2019, 5, 1), "令和元年5月1日"),
]


@pytest.mark.parametrize(("d", "wareki"), ERA_BOUNDARIES)
def test_format_date_uses_era_in_effect_at_boundaries(d: D, wareki: str) -> None:
    assert format_date(d) == wareki


@pytest.mark.parametrize(("d", "wareki"), ERA_BOUNDARIES)
def test_parse_date_reads_era_boundaries(d: D, wareki: str) -> None:
    assert parse_date(wareki) == d


@pytest.mark.parametrize(
    ("d", "era_name"),
    [
        (D(1868, 1, 24), None),
        (D(1868, 1, 25), "明治"),
        (D(1912, 7, 29), "明治"),
        (D(1912, 7, 30), "大正"),
        (D(1926, 12, 24), "大正"),
        (D(1926, 12, 25), "昭和"),
        (D(1989, 1, 7), "昭和"),
        (D(1989, 1, 8), "平成"),
        (D(2019, 4, 30), "平成"),
        (D(2019, 5, 1), "令和"),
    ],
)
def test_era_for_date_at_boundaries(d: D, era_name: str | None) -> None:
    era = era_for_date(d)
    assert (era.name if era else None) == era_name


# --- parse_date -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2019-05-01",
        "2019/5/1",
        "2019.5.1",
        "20190501",
        "2019年5月1日",
        "2019年05月01日",
        "２０１９年５月１日",
        "２０１９－０５－０１",
        "2019ー05ー01",
        " 2019 年 5 月 1 日 ",
        "令和元年5月1日",
        "令和1年5月1日",
        "令和01年05月01日",
        "令和 元年 5月 1日",
        "令和元年５月１日",
        "令元年5月1日",
        "令1.5.1",
        "R1.5.1",
        "R01.05.01",
        "r1/5/1",
        "Ｒ１．５．１",
        "R元年5月1日",
        "㋿元年5月1日",
        "平成31年5月1日",
        "H31.5.1",
    ],
)
def test_parse_date_reads_western_and_wareki_forms(text: str) -> None:
    assert parse_date(text) == D(2019, 5, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M45.7.29", D(1912, 7, 29)),
        ("明45年7月29日", D(1912, 7, 29)),
        ("T1.7.30", D(1912, 7, 30)),
        ("大元年7月30日", D(1912, 7, 30)),
        ("S64.1.7", D(1989, 1, 7)),
        ("昭和45年4月1日", D(1970, 4, 1)),
        ("㍼45年4月1日", D(1970, 4, 1)),
        ("H31.4.30", D(2019, 4, 30)),
        ("㍻31年4月30日", D(2019, 4, 30)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("R6.4.1", D(2024, 4, 1)),
    ],
)
def test_parse_date_reads_each_era_and_abbreviation(text: str, expected: D) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成32年1月1日", D(2020, 1, 1)),
        ("平成33年3月31日", D(2021, 3, 31)),
        ("H35.12.31", D(2023, 12, 31)),
        ("昭和65年1月1日", D(1990, 1, 1)),
        ("令和元年4月1日", D(2019, 4, 1)),
    ],
)
def test_parse_date_accepts_era_years_outside_the_era(text: str, expected: D) -> None:
    assert parse_date(text) == expected


def test_parse_date_reads_gengo_first_year_as_year_one() -> None:
    assert parse_date("平成元年2月1日") == parse_date("平成1年2月1日") == D(1989, 2, 1)


def test_parse_date_accepts_leap_day() -> None:
    assert parse_date("令和6年2月29日") == D(2024, 2, 29)


ZERO_ERA_YEAR = "和暦に0年はありません。最初の年は「元年」または「1年」と書きます。"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "日付が入力されていません。"),
        ("   ", "日付が入力されていません。"),
        ("hello", "「hello」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("2019年5月", "「2019年5月」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("19/5/1", "「19/5/1」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("2019-05/01", "「2019-05/01」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("X1.5.1", "「X1.5.1」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("令和三年5月1日", "「令和三年5月1日」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("١٩٧٠-٠٤-٠١", "「١٩٧٠-٠٤-٠١」は日付として読み取れません。例: 令和6年4月1日、2024-04-01"),
        ("令和5年2月30日", "「令和5年2月30日」は存在しない日付です。2023年2月は28日までです。"),
        ("2023-04-31", "「2023-04-31」は存在しない日付です。2023年4月は30日までです。"),
        ("令和5年2月0日", "「令和5年2月0日」は存在しない日付です。2023年2月は28日までです。"),
        ("令和5年13月1日", "「令和5年13月1日」: 月は1から12までです。"),
        ("2023-00-10", "「2023-00-10」: 月は1から12までです。"),
        ("令和0年5月1日", f"「令和0年5月1日」: {ZERO_ERA_YEAR}"),
        ("R0.5.1", f"「R0.5.1」: {ZERO_ERA_YEAR}"),
        ("0000-01-01", "「0000-01-01」: 西暦0年はありません。"),
    ],
)
def test_parse_date_rejects_malformed_input_with_japanese_message(text: str, message: str) -> None:
    with pytest.raises(JapaneseDateError) as excinfo:
        parse_date(text)
    assert str(excinfo.value) == message
    assert excinfo.value.message == message


def test_japanese_date_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="読み取れません"):
        parse_date("tomorrow")


# --- parse_year ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和45年", 1970),
        ("昭和45", 1970),
        ("S45", 1970),
        ("1970", 1970),
        ("1970年", 1970),
        ("１９７０年", 1970),
        ("平成33年", 2021),
        ("平成32年", 2020),
        ("令和元年", 2019),
        ("令和1年", 2019),
        ("R元", 2019),
        ("明治元年", 1868),
        ("大正15年", 1926),
        ("昭和元年", 1926),
    ],
)
def test_parse_year_reads_western_and_wareki_years(text: str, expected: int) -> None:
    assert parse_year(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "年が入力されていません。"),
        ("70年", "「70年」は年として読み取れません。例: 令和6年、2024"),
        ("2021年度", "「2021年度」は年として読み取れません。例: 令和6年、2024"),
        ("平成0年", f"「平成0年」: {ZERO_ERA_YEAR}"),
    ],
)
def test_parse_year_rejects_malformed_input_with_japanese_message(text: str, message: str) -> None:
    with pytest.raises(JapaneseDateError, match=f"^{message}$"):
        parse_year(text)


# --- fiscal years ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "平成33年度",
        "令和3年度",
        "R3年度",
        "R3",
        "2021年度",
        "２０２１年度",
        "FY2021",
        "FY 2021",
        "fy2021",
        "ＦＹ２０２１",
    ],
)
def test_parse_fiscal_year_reads_every_form_of_fy2021(text: str) -> None:
    assert parse_fiscal_year(text) == 2021


@pytest.mark.parametrize(
    ("text", "expected"),
    [("令和元年度", 2019), ("平成31年度", 2019), ("平成元年度", 1989), ("昭和63年度", 1988)],
)
def test_parse_fiscal_year_reads_first_years_and_era_changes(text: str, expected: int) -> None:
    assert parse_fiscal_year(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" ", "年度が入力されていません。"),
        ("来年度", "「来年度」は年度として読み取れません。例: 令和6年度、2024年度、FY2024"),
        ("FY21", "「FY21」は年度として読み取れません。例: 令和6年度、2024年度、FY2024"),
        ("令和0年度", f"「令和0年度」: {ZERO_ERA_YEAR}"),
        ("FY0000", "「FY0000」: 西暦0年はありません。"),
    ],
)
def test_parse_fiscal_year_rejects_malformed_input_with_japanese_message(text: str, message: str) -> None:
    with pytest.raises(JapaneseDateError, match=f"^{message}$"):
        parse_fiscal_year(text)


@pytest.mark.parametrize(
    ("d", "fiscal_year"),
    [
        (D(2021, 3, 31), 2020),
        (D(2021, 4, 1), 2021),
        (D(2021, 12, 31), 2021),
        (D(2022, 1, 1), 2021),
        (D(2022, 3, 31), 2021),
        (D(2022, 4, 1), 2022),
    ],
)
def test_fiscal_year_of_changes_on_april_first(d: D, fiscal_year: int) -> None:
    assert fiscal_year_of(d) == fiscal_year


def test_fiscal_year_runs_from_april_first_to_march_thirty_first() -> None:
    assert (fiscal_year_start(2023), fiscal_year_end(2023)) == (D(2023, 4, 1), D(2024, 3, 31))


def test_fiscal_year_start_and_end_are_in_that_fiscal_year() -> None:
    assert fiscal_year_of(fiscal_year_start(2019)) == fiscal_year_of(fiscal_year_end(2019)) == 2019


def test_fiscal_year_range_includes_both_ends() -> None:
    assert list(fiscal_year_range(2019, 2021)) == [2019, 2020, 2021]
    assert list(fiscal_year_range(2021, 2021)) == [2021]


def test_fiscal_year_range_rejects_end_before_start() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        fiscal_year_range(2021, 2019)


@pytest.mark.parametrize(
    ("fiscal_year", "wareki", "western"),
    [
        (2021, "令和3年度", "2021年度"),
        (2020, "令和2年度", "2020年度"),
        (2019, "平成31年度", "2019年度"),
        (2018, "平成30年度", "2018年度"),
        (1989, "平成元年度", "1989年度"),
        (1988, "昭和63年度", "1988年度"),
        (1926, "大正15年度", "1926年度"),
        (1912, "明治45年度", "1912年度"),
        (1868, "明治元年度", "1868年度"),
        (1867, "1867年度", "1867年度"),
    ],
)
def test_format_fiscal_year_uses_era_of_april_first(fiscal_year: int, wareki: str, western: str) -> None:
    assert format_fiscal_year(fiscal_year) == wareki
    assert format_fiscal_year(fiscal_year, style="western") == western


def test_format_fiscal_year_round_trips_through_parse() -> None:
    for fiscal_year in range(1868, 2040):
        assert parse_fiscal_year(format_fiscal_year(fiscal_year)) == fiscal_year


# --- format_date and format_year_wareki -------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "wareki", "western"),
    [
        (D(2019, 5, 1), "令和元年5月1日", "2019年5月1日"),
        (D(2020, 5, 1), "令和2年5月1日", "2020年5月1日"),
        (D(2024, 12, 31), "令和6年12月31日", "2024年12月31日"),
        (D(1970, 4, 1), "昭和45年4月1日", "1970年4月1日"),
        (D(1800, 1, 1), "1800年1月1日", "1800年1月1日"),
    ],
)
def test_format_date_in_both_styles(d: D, wareki: str, western: str) -> None:
    assert format_date(d) == wareki
    assert format_date(d, style="wareki") == wareki
    assert format_date(d, style="western") == western


def test_format_date_rejects_unknown_style() -> None:
    with pytest.raises(ValueError, match="style"):
        format_date(D(2019, 5, 1), style="iso")  # type: ignore[arg-type]


def test_format_date_round_trips_through_parse() -> None:
    d = D(1868, 1, 1)
    while d < D(2030, 1, 1):
        assert parse_date(format_date(d)) == d
        d += datetime.timedelta(days=97)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2019, "令和元年"),
        (2018, "平成30年"),
        (1989, "平成元年"),
        (1988, "昭和63年"),
        (1926, "昭和元年"),
        (1912, "大正元年"),
        (1868, "明治元年"),
        (1867, "1867年"),
        (D(2019, 4, 30), "平成31年"),
        (D(2019, 5, 1), "令和元年"),
        (D(1989, 1, 7), "昭和64年"),
        (D(1868, 1, 24), "1868年"),
    ],
)
def test_format_year_wareki_uses_era_of_date_or_of_years_last_day(value: int | D, expected: str) -> None:
    assert format_year_wareki(value) == expected


# --- business days ---------------------------------------------------------------------------------


def test_year_end_closure_is_december_29_to_january_3() -> None:
    assert sorted(YEAR_END_CLOSURE_DAYS) == [(1, 1), (1, 2), (1, 3), (12, 29), (12, 30), (12, 31)]


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (D(2024, 4, 5), True),  # Friday
        (D(2024, 4, 6), False),  # Saturday
        (D(2024, 4, 7), False),  # Sunday
        (D(2024, 4, 29), False),  # 昭和の日
        (D(2024, 5, 6), False),  # 振替休日 (こどもの日 on Sunday)
        (D(2024, 2, 12), False),  # 振替休日 (建国記念の日 on Sunday)
        (D(2024, 11, 4), False),  # 振替休日 (文化の日 on Sunday)
        (D(2019, 4, 30), False),  # 国民の休日
        (D(2019, 5, 1), False),  # 天皇の即位の日
        (D(2023, 12, 28), True),  # 御用納め
        (D(2023, 12, 29), False),  # closure, a Friday
        (D(2024, 1, 2), False),  # closure, a Tuesday
        (D(2024, 1, 3), False),  # closure, a Wednesday
        (D(2024, 1, 4), True),  # 御用始め
    ],
)
def test_is_business_day(d: D, expected: bool) -> None:
    assert is_business_day(d) is expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2024, 4, 5), 1, D(2024, 4, 8)),  # Friday → Monday
        (D(2024, 4, 6), 1, D(2024, 4, 8)),  # Saturday → Monday
        (D(2024, 4, 8), 5, D(2024, 4, 15)),
        (D(2024, 4, 26), 1, D(2024, 4, 30)),  # Golden Week: 4/29 昭和の日
        (D(2024, 5, 2), 1, D(2024, 5, 7)),  # Golden Week: 5/3–5/6
        (D(2024, 4, 26), 4, D(2024, 5, 7)),
        (D(2019, 4, 26), 1, D(2019, 5, 7)),  # the ten-day Golden Week of 2019
        (D(2023, 12, 28), 1, D(2024, 1, 4)),  # New Year closure
        (D(2021, 12, 28), 1, D(2022, 1, 4)),
        (D(2024, 12, 27), 1, D(2025, 1, 6)),  # closure then a weekend
        (D(2024, 2, 9), 1, D(2024, 2, 13)),  # 振替休日 on Monday
        (D(2024, 4, 8), -1, D(2024, 4, 5)),  # Monday → Friday
        (D(2024, 4, 7), -1, D(2024, 4, 5)),  # Sunday → Friday
        (D(2024, 5, 7), -1, D(2024, 5, 2)),
        (D(2024, 1, 4), -1, D(2023, 12, 28)),
        (D(2024, 4, 5), 0, D(2024, 4, 5)),  # a business day stays
        (D(2024, 4, 6), 0, D(2024, 4, 8)),  # a closed day moves forward
        (D(2023, 12, 29), 0, D(2024, 1, 4)),
    ],
)
def test_add_business_days(start: D, n: int, expected: D) -> None:
    assert add_business_days(start, n) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(2024, 4, 5), D(2024, 4, 5), 0),
        (D(2024, 4, 5), D(2024, 4, 8), 1),
        (D(2024, 4, 6), D(2024, 4, 7), 0),
        (D(2024, 4, 26), D(2024, 5, 7), 4),  # 4/30, 5/1, 5/2, 5/7
        (D(2019, 4, 26), D(2019, 5, 7), 1),
        (D(2023, 12, 28), D(2024, 1, 4), 1),
        (D(2024, 4, 8), D(2024, 4, 5), -1),
        (D(2024, 5, 7), D(2024, 4, 26), -4),  # 4/26, 4/30, 5/1, 5/2
    ],
)
def test_business_days_between(a: D, b: D, expected: int) -> None:
    assert business_days_between(a, b) == expected


@pytest.mark.parametrize("n", [-15, -3, -1, 1, 2, 10, 40])
def test_business_days_between_inverts_add_business_days(n: int) -> None:
    start = D(2023, 12, 20)
    assert business_days_between(start, add_business_days(start, n)) == n


# --- translation -----------------------------------------------------------------------------------


def test_messages_go_through_gettext(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(japanese_calendar, "gettext", lambda msgid: f"[en] {msgid}")
    with pytest.raises(JapaneseDateError) as excinfo:
        parse_date("令和5年2月30日")
    assert str(excinfo.value) == "[en] 「令和5年2月30日」は存在しない日付です。2023年2月は28日までです。"


# --- Western labels in English ------------------------------------------------------------------------


def test_western_labels_follow_the_active_language() -> None:
    from django.utils import translation

    with translation.override("en"):
        assert format_fiscal_year(2021, style="western") == "FY2021"
        assert format_fiscal_year(1867) == "FY1867"  # before 明治: western
        assert format_date(D(2019, 5, 1), style="western") == "May 1, 2019"
        assert format_fiscal_year(2021) == "令和3年度"  # 和暦 stays as written
        assert parse_fiscal_year(format_fiscal_year(2021, style="western")) == 2021
