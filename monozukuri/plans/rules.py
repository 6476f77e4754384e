"""Rules of TMG's co-funding of plans, kept as named data (DOMAIN.md §1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from monozukuri.core.japanese_calendar import format_fiscal_year

# TMG co-funds a plan for up to this many fiscal years.
MAX_PLAN_YEARS = 3
# TMG's contribution to one plan in one fiscal year is at most this many yen.
TMG_ANNUAL_CAP_YEN = 100_000_000
# Plans are written for fiscal years in this range (sanity bound for input).
EARLIEST_FISCAL_YEAR = 1989
LATEST_FISCAL_YEAR = 2100


def check_plan_period(start: int, end: int) -> None:
    """Raise a ValidationError unless start..end is an ordered period of at most three years."""
    for field, year in (("start_fiscal_year", start), ("end_fiscal_year", end)):
        if not EARLIEST_FISCAL_YEAR <= year <= LATEST_FISCAL_YEAR:
            raise ValidationError({field: _("年度は%(min)s年度から%(max)s年度の間で指定してください。")
                                   % {"min": EARLIEST_FISCAL_YEAR, "max": LATEST_FISCAL_YEAR}})
    if end < start:
        raise ValidationError({"end_fiscal_year": _("終了年度は開始年度と同じかそれより後にしてください。")})
    if end - start + 1 > MAX_PLAN_YEARS:
        raise ValidationError({"end_fiscal_year": _("計画期間は%(n)s年度以内です。") % {"n": MAX_PLAN_YEARS}})


def check_fiscal_year_in_plan(fiscal_year: int, start: int, end: int, field: str = "fiscal_year") -> None:
    """Raise a ValidationError naming the plan period when a fiscal year falls outside it."""
    if not start <= fiscal_year <= end:
        raise ValidationError({field: _(
            "%(fy)s（%(fy_w)s）はこの計画の期間（%(start)s～%(end)s）の外です。"
        ) % {
            "fy": format_fiscal_year(fiscal_year, "western") if 1868 <= fiscal_year <= 9999 else fiscal_year,
            "fy_w": format_fiscal_year(fiscal_year, "wareki") if 1868 <= fiscal_year <= 9999 else "—",
            "start": format_fiscal_year(start, "wareki"),
            "end": format_fiscal_year(end, "wareki"),
        }})
