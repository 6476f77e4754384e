"""SME classification per 中小企業基本法 第2条 (and its ordinance exceptions), as named data.

An enterprise is an SME (中小企業者) when its capital is at most the limit OR its regular employees
are at most the limit for its industry group; a small enterprise (小規模企業者) by employees only.
Industry groups are decided on JSIC codes (中分類, and 小分類/細分類 where an exception needs it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SmeLimits:
    key: str
    label: str | Promise  # name of the industry group as the law writes it (Japanese msgid, translated)
    capital_yen: int
    employees: int
    small_employees: int


MANUFACTURING_ETC = SmeLimits("manufacturing", gettext_lazy("製造業・建設業・運輸業その他"),
                              300_000_000, 300, 20)
WHOLESALE = SmeLimits("wholesale", gettext_lazy("卸売業"), 100_000_000, 100, 5)
SERVICES = SmeLimits("services", gettext_lazy("サービス業"), 50_000_000, 100, 5)
RETAIL = SmeLimits("retail", gettext_lazy("小売業"), 50_000_000, 50, 5)
# Ordinance (政令) exceptions.
RUBBER = SmeLimits("rubber", gettext_lazy("ゴム製品製造業（政令による特例）"), 300_000_000, 900, 20)
SOFTWARE = SmeLimits("software", gettext_lazy("ソフトウェア業・情報処理サービス業（政令による特例）"),
                     300_000_000, 300, 5)
INNS = SmeLimits("inns", gettext_lazy("旅館業（政令による特例）"), 50_000_000, 200, 20)
ENTERTAINMENT = SmeLimits("entertainment", gettext_lazy("娯楽業（小規模企業者の特例）"), 50_000_000, 100, 20)

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
    """An amount as the law writes its limits: 3億円, 5,000万円 (English: ¥300,000,000).

    Every form's numbers are passed, so that a translation may use whichever suits its language.
    """
    numbers = {"oku": f"{n // 100_000_000:,}", "man": f"{n // 10_000:,}", "yen": f"{n:,}"}
    if n % 100_000_000:
        # Translators: %(man)s is the amount in 万 (10,000 yen), %(yen)s the same amount in yen: "¥%(yen)s".
        return _("%(man)s万円") % numbers
    # Translators: %(oku)s is the amount in 億 (100 million yen), %(yen)s the same amount in yen: "¥%(yen)s".
    return _("%(oku)s億円") % numbers


def _employees(n: int) -> str:
    return ngettext("従業員%(n)s人以下", "従業員%(n)s人以下", n) % {"n": f"{n:,}"}


def _rule_text(limits: SmeLimits | None, outcome: str) -> str:
    """The sentence that states a rule's outcome, in the active language."""
    if limits is None:
        return _("業種が未設定のため判定できません。")
    group = str(limits.label)
    if outcome == "no_figures":
        return _("資本金と従業員数が不明のため判定できません（%(group)s）。") % {"group": group}
    if outcome == "small":
        return _("%(group)s: %(employees)sのため小規模企業者") % {
            "group": group, "employees": _employees(limits.small_employees)}
    if outcome in ("sme_capital", "sme_employees"):
        reason = (_("資本金%(cap)s以下") % {"cap": _yen(limits.capital_yen)} if outcome == "sme_capital"
                  else _employees(limits.employees))
        return _("%(group)s: %(reason)sのため中小企業者") % {"group": group, "reason": reason}
    if outcome == "partial":
        return _("%(group)s: 資本金または従業員数が不明のため判定できません。") % {"group": group}
    return _("%(group)s: 資本金%(cap)s超かつ%(employees)s超のため大企業") % {
        "group": group, "cap": _yen(limits.capital_yen),
        "employees": ngettext("従業員%(n)s人", "従業員%(n)s人", limits.employees)
        % {"n": f"{limits.employees:,}"}}


# Rule sentences by (language, industry group, outcome): a handful of strings, the same for every
# process and tenant, built once instead of with several gettext calls per classified enterprise.
_RULES: dict[tuple[str | None, str, str], str] = {}


def _rule(limits: SmeLimits | None, outcome: str, language: str | None) -> str:
    key = (language or get_language(), limits.key if limits else "", outcome)
    text = _RULES.get(key)
    if text is None:
        text = _RULES[key] = _rule_text(limits, outcome)
    return text


def classify(*, division_code: str | None, detail_code: str = "", capital: int | None,
             employees: int | None, language: str | None = None) -> SmeResult:
    """Classify an enterprise as 小規模企業者 / 中小企業者 / 大企業, with the rule that decided it.

    The rule is in the active language; a caller that classifies many enterprises may pass that
    language (`get_language()`) once instead of having it looked up for each.
    """
    limits = limits_for(division_code, detail_code)
    if limits is None:
        return SmeResult("unknown", _rule(None, "no_industry", language))
    if capital is None and employees is None:
        return SmeResult("unknown", _rule(limits, "no_figures", language))
    if employees is not None and employees <= limits.small_employees:
        return SmeResult("small", _rule(limits, "small", language))
    if capital is not None and capital <= limits.capital_yen:
        return SmeResult("sme", _rule(limits, "sme_capital", language))
    if employees is not None and employees <= limits.employees:
        return SmeResult("sme", _rule(limits, "sme_employees", language))
    if capital is None or employees is None:
        return SmeResult("unknown", _rule(limits, "partial", language))
    return SmeResult("large", _rule(limits, "large", language))
