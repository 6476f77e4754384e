"""SME classification per 中小企業基本法 第2条 (and its ordinance exceptions), as named data.

An enterprise is an SME (中小企業者) when its capital is at most the limit OR its regular employees
are at most the limit for its industry group; a small enterprise (小規模企業者) by employees only.
Industry groups are decided on JSIC codes (中分類, and 小分類/細分類 where an exception needs it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SmeLimits:
    key: str
    label: str  # Japanese name of the industry group as the law writes it
    capital_yen: int
    employees: int
    small_employees: int


MANUFACTURING_ETC = SmeLimits("manufacturing", "製造業・建設業・運輸業その他", 300_000_000, 300, 20)
WHOLESALE = SmeLimits("wholesale", "卸売業", 100_000_000, 100, 5)
SERVICES = SmeLimits("services", "サービス業", 50_000_000, 100, 5)
RETAIL = SmeLimits("retail", "小売業", 50_000_000, 50, 5)
# Ordinance (政令) exceptions.
RUBBER = SmeLimits("rubber", "ゴム製品製造業（政令による特例）", 300_000_000, 900, 20)
SOFTWARE = SmeLimits("software", "ソフトウェア業・情報処理サービス業（政令による特例）", 300_000_000, 300, 5)
INNS = SmeLimits("inns", "旅館業（政令による特例）", 50_000_000, 200, 20)
ENTERTAINMENT = SmeLimits("entertainment", "娯楽業（小規模企業者の特例）", 50_000_000, 100, 20)

WHOLESALE_DIVISIONS = frozenset({"50", "51", "52", "53", "54", "55"})
RETAIL_DIVISIONS = frozenset({"56", "57", "58", "59", "60", "61", "76", "77"})  # 飲食店 counts as retail
# Services: G 38–41 (broadcasting, information services, internet, content), K 693/70, L, M 75, N, O, P, Q, R.
SERVICE_DIVISIONS = frozenset(
    {"38", "39", "40", "41", "70", "71", "72", "73", "74", "75", "78", "79", "80", "81", "82", "83",
     "84", "85", "86", "87", "88", "89", "90", "91", "92", "93", "94", "95"}
)
SERVICE_DETAIL_PREFIXES = ("693",)  # 駐車場業
RUBBER_DIVISION = "19"
RUBBER_EXCLUDED_DETAIL_PREFIXES = ("1911", "1931")  # tyres and tubes for cars/aircraft; industrial belts
SOFTWARE_DETAIL_PREFIXES = ("391", "392")  # ソフトウェア業, 情報処理・提供サービス業
INNS_DETAIL_PREFIXES = ("751",)  # 旅館，ホテル
ENTERTAINMENT_DIVISION = "80"


def limits_for(division_code: str | None, detail_code: str = "") -> SmeLimits | None:
    """The limits that apply to a JSIC 中分類 (and optional 小分類/細分類); None if unknown."""
    if not division_code:
        return None
    detail = detail_code or ""
    if division_code == RUBBER_DIVISION and not detail.startswith(RUBBER_EXCLUDED_DETAIL_PREFIXES):
        return RUBBER
    if detail.startswith(SOFTWARE_DETAIL_PREFIXES):
        return SOFTWARE
    if detail.startswith(INNS_DETAIL_PREFIXES):
        return INNS
    if division_code in WHOLESALE_DIVISIONS:
        return WHOLESALE
    if division_code in RETAIL_DIVISIONS:
        return RETAIL
    if division_code == ENTERTAINMENT_DIVISION:
        return ENTERTAINMENT
    if division_code in SERVICE_DIVISIONS or detail.startswith(SERVICE_DETAIL_PREFIXES):
        return SERVICES
    return MANUFACTURING_ETC


@dataclass(frozen=True)
class SmeResult:
    sme_class: str  # one of directory.models.SmeClass values
    rule: str  # the rule that decided it, in the active language


def _yen(n: int) -> str:
    return f"{n // 10_000:,}万円" if n % 100_000_000 else f"{n // 100_000_000:,}億円"


def classify(*, division_code: str | None, detail_code: str = "", capital: int | None,
             employees: int | None) -> SmeResult:
    """Classify an enterprise as 小規模企業者 / 中小企業者 / 大企業, with the rule that decided it."""
    limits = limits_for(division_code, detail_code)
    if limits is None:
        return SmeResult("unknown", _("業種が未設定のため判定できません。"))
    if capital is None and employees is None:
        return SmeResult("unknown", _("資本金と従業員数が不明のため判定できません（%(group)s）。")
                         % {"group": limits.label})
    if employees is not None and employees <= limits.small_employees:
        return SmeResult("small", _("%(group)s: 従業員%(n)s人以下のため小規模企業者") % {
            "group": limits.label, "n": limits.small_employees})
    capital_ok = capital is not None and capital <= limits.capital_yen
    employees_ok = employees is not None and employees <= limits.employees
    if capital_ok or employees_ok:
        reason = (_("資本金%(cap)s以下") % {"cap": _yen(limits.capital_yen)} if capital_ok
                  else _("従業員%(n)s人以下") % {"n": limits.employees})
        return SmeResult("sme", _("%(group)s: %(reason)sのため中小企業者") % {
            "group": limits.label, "reason": reason})
    if capital is None or employees is None:
        return SmeResult("unknown", _("%(group)s: 資本金または従業員数が不明のため判定できません。")
                         % {"group": limits.label})
    return SmeResult("large", _("%(group)s: 資本金%(cap)s超かつ従業員%(n)s人超のため大企業") % {
        "group": limits.label, "cap": _yen(limits.capital_yen), "n": limits.employees})
