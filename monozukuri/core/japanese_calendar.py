"""Japanese calendar: 和暦 (era years), 年度 (fiscal years) and business days.

See docs/decisions/0003-japanese-calendar.md for the rules and why they are lenient where they are.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import jpholiday
from django.utils import formats
from django.utils.translation import gettext

__all__ = [
    "ERAS",
    "YEAR_END_CLOSURE_DAYS",
    "DateStyle",
    "Era",
    "JapaneseDateError",
    "add_business_days",
    "business_days_between",
    "era_for_date",
    "fiscal_year_end",
    "fiscal_year_of",
    "fiscal_year_range",
    "fiscal_year_start",
    "format_date",
    "format_fiscal_year",
    "format_year_wareki",
    "is_business_day",
    "parse_date",
    "parse_fiscal_year",
    "parse_year",
]

DateStyle = Literal["wareki", "western"]


@dataclass(frozen=True)
class Era:
    """One Japanese era (元号) and the ways it is written."""

    name: str  # 令和
    abbreviation: str  # 令
    letter: str  # R
    romaji: str  # Reiwa
    start: datetime.date  # first day of the era

    @property
    def offset(self) -> int:
        """Number added to an era year to get the western year (令和 → 2018)."""
        return self.start.year - 1

    def western_year(self, era_year: int) -> int:
        """Western year of an era year, for any era year (平成33 → 2021)."""
        return era_year + self.offset

    def era_year(self, western_year: int) -> int:
        """Era year of a western year, counted from this era's first year."""
        return western_year - self.offset


# Oldest first. 明治 starts on 1868-01-25, the Gregorian date of 慶応4年1月1日: the change to 明治 was
# made retroactive to the first day of that year. Japan used the lunisolar calendar until 明治5年, so
# month and day before 1873 are read as Gregorian (proleptic), as is usual in software.
ERAS: tuple[Era, ...] = (
    Era(name="明治", abbreviation="明", letter="M", romaji="Meiji", start=datetime.date(1868, 1, 25)),
    Era(name="大正", abbreviation="大", letter="T", romaji="Taisho", start=datetime.date(1912, 7, 30)),
    Era(name="昭和", abbreviation="昭", letter="S", romaji="Showa", start=datetime.date(1926, 12, 25)),
    Era(name="平成", abbreviation="平", letter="H", romaji="Heisei", start=datetime.date(1989, 1, 8)),
    Era(name="令和", abbreviation="令", letter="R", romaji="Reiwa", start=datetime.date(2019, 5, 1)),
)

# 年末年始: offices are closed 12/29–1/3 (行政機関の休日に関する法律 第1条), as (month, day).
YEAR_END_CLOSURE_DAYS: frozenset[tuple[int, int]] = frozenset(
    {(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)}
)

FISCAL_YEAR_START_MONTH = 4  # 年度 runs April 1 – March 31, named by the year of its April.

_ERA_BY_TOKEN: dict[str, Era] = {
    token: era for era in ERAS for token in (era.name, era.abbreviation, era.letter)
}
# Longest tokens first so that 昭和 wins over 昭.
_ERA_TOKENS = "|".join(re.escape(t) for t in sorted(_ERA_BY_TOKEN, key=len, reverse=True))
_YEAR = rf"(?:(?P<era>{_ERA_TOKENS})(?P<era_year>元|\d{{1,3}})|(?P<western_year>\d{{4}}))"
_DATE_RE = re.compile(
    rf"{_YEAR}(?:年(?P<month>\d{{1,2}})月(?P<day>\d{{1,2}})日?"
    rf"|(?P<sep>[-/.])(?P<month_n>\d{{1,2}})(?P=sep)(?P<day_n>\d{{1,2}}))",
    re.ASCII,
)
_COMPACT_DATE_RE = re.compile(r"(?P<western_year>\d{4})(?P<month>\d{2})(?P<day>\d{2})", re.ASCII)
_YEAR_RE = re.compile(rf"{_YEAR}年?", re.ASCII)
_FISCAL_YEAR_RE = re.compile(rf"FY(?P<fy>\d{{4}})|{_YEAR}(?:年度|年)?", re.ASCII)
# Dashes NFKC leaves alone, and the long-vowel mark that IMEs put in place of a hyphen.
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-"))
_WHITESPACE_RE = re.compile(r"\s+")


class JapaneseDateError(ValueError):
    """A date, year or fiscal year that cannot be read; the message is for people (Japanese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _normalize(text: str) -> str:
    """Fold width (NFKC), unify dashes, drop whitespace and upper-case Latin letters."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return _WHITESPACE_RE.sub("", folded).upper()


def _year_from_match(match: re.Match[str], original: str) -> int:
    """Western year of a match of _YEAR; 平成N is 1988+N for any N ≥ 1."""
    if match.group("western_year") is not None:
        year = int(match.group("western_year"))
        if year < datetime.MINYEAR:
            raise JapaneseDateError(gettext("「%(value)s」: 西暦0年はありません。") % {"value": original})
        return year
    era = _ERA_BY_TOKEN[match.group("era")]
    raw = match.group("era_year")
    era_year = 1 if raw == "元" else int(raw)
    if era_year == 0:
        raise JapaneseDateError(
            gettext("「%(value)s」: 和暦に0年はありません。最初の年は「元年」または「1年」と書きます。")
            % {"value": original}
        )
    return era.western_year(era_year)


def parse_date(text: str) -> datetime.date:
    """Read a date written in 和暦 (令和元年5月1日, R1.5.1) or western style (2019-05-01, 2019年5月1日)."""
    original = text.strip()
    if not original:
        raise JapaneseDateError(gettext("日付が入力されていません。"))
    normalized = _normalize(original)
    match = _DATE_RE.fullmatch(normalized) or _COMPACT_DATE_RE.fullmatch(normalized)
    if match is None:
        raise JapaneseDateError(
            gettext("「%(value)s」は日付として読み取れません。例: 令和6年4月1日、2024-04-01")
            % {"value": original}
        )
    year = _year_from_match(match, original)
    groups = match.groupdict()
    month = int(groups.get("month") or groups["month_n"])
    day = int(groups.get("day") or groups["day_n"])
    if not 1 <= month <= 12:
        raise JapaneseDateError(gettext("「%(value)s」: 月は1から12までです。") % {"value": original})
    last_day = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last_day:
        raise JapaneseDateError(
            gettext("「%(value)s」は存在しない日付です。%(year)d年%(month)d月は%(last_day)d日までです。")
            % {"value": original, "year": year, "month": month, "last_day": last_day}
        )
    return datetime.date(year, month, day)


def parse_year(text: str) -> int:
    """Read a year written in 和暦 (昭和45年, S45, 平成33年) or western style (1970, 1970年)."""
    original = text.strip()
    if not original:
        raise JapaneseDateError(gettext("年が入力されていません。"))
    match = _YEAR_RE.fullmatch(_normalize(original))
    if match is None:
        raise JapaneseDateError(
            gettext("「%(value)s」は年として読み取れません。例: 令和6年、2024") % {"value": original}
        )
    return _year_from_match(match, original)


def parse_fiscal_year(text: str) -> int:
    """Read a 年度 label (令和3年度, 平成33年度, R3年度, 2021年度, FY2021) as the year of its April."""
    original = text.strip()
    if not original:
        raise JapaneseDateError(gettext("年度が入力されていません。"))
    match = _FISCAL_YEAR_RE.fullmatch(_normalize(original))
    if match is None:
        raise JapaneseDateError(
            gettext("「%(value)s」は年度として読み取れません。例: 令和6年度、2024年度、FY2024")
            % {"value": original}
        )
    if match.group("fy") is not None:
        fiscal_year = int(match.group("fy"))
        if fiscal_year < datetime.MINYEAR:
            raise JapaneseDateError(gettext("「%(value)s」: 西暦0年はありません。") % {"value": original})
        return fiscal_year
    return _year_from_match(match, original)


def era_for_date(d: datetime.date) -> Era | None:
    """Era in effect on a date, or None before 明治."""
    for era in reversed(ERAS):
        if d >= era.start:
            return era
    return None


def _era_year_label(era: Era, era_year: int) -> str:
    """'令和元年' for year 1, '令和3年' otherwise."""
    return f"{era.name}{'元' if era_year == 1 else era_year}年"


def format_date(d: datetime.date, style: DateStyle = "wareki") -> str:
    """'令和元年5月1日' (wareki; western before 明治) or '2019年5月1日' (western, the active language's
    DATE_FORMAT: 'May 1, 2019' in English)."""
    _check_style(style)
    era = era_for_date(d) if style == "wareki" else None
    if era is None:
        return formats.date_format(d, "DATE_FORMAT")
    return f"{_era_year_label(era, era.era_year(d.year))}{d.month}月{d.day}日"


def format_year_wareki(year_or_date: int | datetime.date) -> str:
    """'令和元年' for a date (its era) or a year (the era in effect on its December 31)."""
    d = year_or_date if isinstance(year_or_date, datetime.date) else datetime.date(year_or_date, 12, 31)
    era = era_for_date(d)
    if era is None:
        return f"{d.year}年"
    return _era_year_label(era, era.era_year(d.year))


def format_fiscal_year(fiscal_year: int, style: DateStyle = "wareki") -> str:
    """'令和3年度' (era in effect on April 1 of the year, so FY2019 is 平成31年度) or '2021年度' (western,
    translated: 'FY2021' in English)."""
    _check_style(style)
    era = era_for_date(fiscal_year_start(fiscal_year)) if style == "wareki" else None
    if era is None:
        return gettext("%(year)s年度") % {"year": fiscal_year}
    return f"{_era_year_label(era, era.era_year(fiscal_year))}度"


def _check_style(style: str) -> None:
    """Reject a style other than 'wareki' or 'western' (a programming error, not user input)."""
    if style not in ("wareki", "western"):
        raise ValueError(f"style must be 'wareki' or 'western', not {style!r}")


def fiscal_year_of(d: datetime.date) -> int:
    """Fiscal year (年度) a date falls in, named by the year of its April."""
    return d.year if d.month >= FISCAL_YEAR_START_MONTH else d.year - 1


def fiscal_year_start(fiscal_year: int) -> datetime.date:
    """First day of a fiscal year: April 1."""
    return datetime.date(fiscal_year, FISCAL_YEAR_START_MONTH, 1)


def fiscal_year_end(fiscal_year: int) -> datetime.date:
    """Last day of a fiscal year: March 31 of the next year."""
    return fiscal_year_start(fiscal_year + 1) - datetime.timedelta(days=1)


def fiscal_year_range(start_fiscal_year: int, end_fiscal_year: int) -> range:
    """Fiscal years from start to end, both included (FY2019–FY2021 → 2019, 2020, 2021)."""
    if end_fiscal_year < start_fiscal_year:
        raise ValueError(f"fiscal year range ends ({end_fiscal_year}) before it starts ({start_fiscal_year})")
    return range(start_fiscal_year, end_fiscal_year + 1)


def is_business_day(d: datetime.date) -> bool:
    """Not a weekend, not a national holiday (jpholiday), not in the 12/29–1/3 closure."""
    if d.weekday() >= 5:
        return False
    if (d.month, d.day) in YEAR_END_CLOSURE_DAYS:
        return False
    return not jpholiday.is_holiday(d)


def _days(start: datetime.date, step: int) -> Iterator[datetime.date]:
    """Days after start (not including it), one step of ±1 day at a time."""
    delta = datetime.timedelta(days=step)
    d = start
    while True:
        d += delta
        yield d


def add_business_days(d: datetime.date, n: int) -> datetime.date:
    """The n-th business day after d (before d if n < 0); n = 0 gives d, or the next business day."""
    if n == 0:
        return d if is_business_day(d) else add_business_days(d, 1)
    business_days = (day for day in _days(d, 1 if n > 0 else -1) if is_business_day(day))
    return next(itertools.islice(business_days, abs(n) - 1, None))


def business_days_between(a: datetime.date, b: datetime.date) -> int:
    """Business days in (a, b]; if b < a, minus those in [b, a); add_business_days(a, result) lands on b."""
    if b >= a:
        days = (a + datetime.timedelta(days=k) for k in range(1, (b - a).days + 1))
        return sum(1 for day in days if is_business_day(day))
    days = (b + datetime.timedelta(days=k) for k in range((a - b).days))
    return -sum(1 for day in days if is_business_day(day))
