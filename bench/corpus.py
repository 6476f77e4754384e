"""A synthetic company directory for the search benchmarks: realistic Japanese manufacturing profiles.

Used until `seed_demo --organizations N` exists (monozukuri/demo/organizations.py), and kept because
it is fast (a few thousand profiles a second per core) and deterministic: the same seed gives the
same corpus on SQLite and PostgreSQL.

Profiles mix what real directory text mixes: company forms in every spelling (株式会社 / (株) / ㈱ /
有限会社), old kanji in surnames (髙橋, 渡邊, 齋藤), full- and half-width characters (ＳＵＳ３０４, ﾌﾟﾚｽ),
kana / kanji spellings of the same process (めっき / メッキ / 鍍金, 板金 / 鈑金), material designations
(SUS304, A5052, C3604), readings in hiragana or katakana, 200–600 characters of description built
from the capability taxonomy (monozukuri/directory/data/capabilities.json), JSIC 中分類 codes,
Tokyo's municipalities weighted towards the manufacturing wards.

`generate(n, seed)` yields plain dicts (no Django); `load(n, seed)` writes them to the directory
tables (Organization, OrganizationCapability, Certification) with bulk inserts.
"""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CAPABILITIES_JSON = ROOT / "monozukuri" / "directory" / "data" / "capabilities.json"
CENTROIDS_CSV = ROOT / "monozukuri" / "search" / "data" / "municipality_centroids.csv"

# (surname, reading); a few in old forms (異体字), which the search folds.
SURNAMES = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
    ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
    ("吉田", "よしだ"), ("山田", "やまだ"), ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"),
    ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
    ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"), ("橋本", "はしもと"), ("阿部", "あべ"),
    ("石川", "いしかわ"), ("山下", "やました"), ("中島", "なかじま"), ("石井", "いしい"), ("小川", "おがわ"),
    ("前田", "まえだ"), ("岡田", "おかだ"), ("長谷川", "はせがわ"), ("藤田", "ふじた"), ("後藤", "ごとう"),
    ("近藤", "こんどう"), ("村上", "むらかみ"), ("遠藤", "えんどう"), ("青木", "あおき"), ("坂本", "さかもと"),
    ("福田", "ふくだ"), ("太田", "おおた"), ("西村", "にしむら"), ("藤井", "ふじい"), ("金子", "かねこ"),
    ("岡本", "おかもと"), ("藤原", "ふじわら"), ("中野", "なかの"), ("三浦", "みうら"), ("原田", "はらだ"),
    ("松田", "まつだ"), ("竹内", "たけうち"), ("中川", "なかがわ"), ("小野", "おの"), ("田村", "たむら"),
    ("和田", "わだ"), ("石田", "いしだ"), ("森田", "もりた"), ("上田", "うえだ"), ("柴田", "しばた"),
    ("酒井", "さかい"), ("工藤", "くどう"), ("横山", "よこやま"), ("宮崎", "みやざき"), ("宮本", "みやもと"),
    ("内田", "うちだ"), ("高木", "たかぎ"), ("安藤", "あんどう"), ("島田", "しまだ"), ("谷口", "たにぐち"),
    ("大野", "おおの"), ("丸山", "まるやま"), ("今井", "いまい"), ("高田", "たかだ"), ("武田", "たけだ"),
    ("村田", "むらた"), ("上野", "うえの"), ("杉山", "すぎやま"), ("増田", "ますだ"), ("小山", "こやま"),
    ("大塚", "おおつか"), ("平野", "ひらの"), ("久保", "くぼ"), ("松井", "まつい"), ("千葉", "ちば"),
    ("岩崎", "いわさき"), ("桜井", "さくらい"), ("木下", "きのした"), ("野口", "のぐち"), ("松尾", "まつお"),
    ("野村", "のむら"), ("新井", "あらい"), ("髙橋", "たかはし"), ("渡邊", "わたなべ"), ("齋藤", "さいとう"),
    ("澤田", "さわだ"), ("濱田", "はまだ"), ("廣瀬", "ひろせ"), ("櫻井", "さくらい"), ("山﨑", "やまざき"),
]
# Place and good-luck words used as company name stems.
STEMS = [
    ("墨田", "すみだ"), ("城東", "じょうとう"), ("東京", "とうきょう"), ("大和", "やまと"), ("日本", "にほん"),
    ("昭和", "しょうわ"), ("平和", "へいわ"), ("三和", "さんわ"), ("共栄", "きょうえい"), ("協和", "きょうわ"),
    ("富士", "ふじ"), ("旭", "あさひ"), ("太陽", "たいよう"), ("新光", "しんこう"), ("東洋", "とうよう"),
    ("大東", "だいとう"), ("北斗", "ほくと"), ("隅田川", "すみだがわ"), ("荒川", "あらかわ"), ("板橋", "いたばし"),
    ("青梅", "おうめ"), ("多摩", "たま"), ("武蔵", "むさし"), ("江戸", "えど"), ("浅草", "あさくさ"),
    ("蒲田", "かまた"), ("京浜", "けいひん"), ("城南", "じょうなん"), ("丸三", "まるさん"), ("山一", "やまいち"),
]
KATAKANA_STEMS = [
    ("テクノ", "てくの"), ("エース", "えーす"), ("サンライズ", "さんらいず"), ("ミライ", "みらい"),
    ("アクシス", "あくしす"), ("ネクスト", "ねくすと"), ("プレシジョン", "ぷれしじょん"), ("オメガ", "おめが"),
    ("ユニオン", "ゆにおん"), ("フロンティア", "ふろんてぃあ"), ("スマート", "すまーと"), ("ノヴァ", "のゔぁ"),
]
# Name endings by kind: (ending, reading, English).
ENDINGS = {
    "manufacturer": [
        ("製作所", "せいさくしょ", "Works"), ("工業", "こうぎょう", "Industries"), ("精工", "せいこう", "Seiko"),
        ("鉄工所", "てっこうしょ", "Iron Works"), ("金属", "きんぞく", "Metal"), ("精機", "せいき", "Precision"),
        ("工作所", "こうさくしょ", "Works"), ("産業", "さんぎょう", "Industry"), ("化学工業", "かがくこうぎょう",
                                                                            "Chemical"),
        ("電機", "でんき", "Electric"), ("技研", "ぎけん", "Engineering"), ("樹脂工業", "じゅしこうぎょう", "Plastics"),
        ("金型製作所", "かながたせいさくしょ", "Mold Works"), ("鍍金工業", "めっきこうぎょう", "Plating"),
        ("メッキ工業", "めっきこうぎょう", "Plating"), ("塗装", "とそう", "Coating"), ("印刷", "いんさつ", "Printing"),
        ("縫製", "ほうせい", "Sewing"), ("板金工業", "ばんきんこうぎょう", "Sheet Metal"),
        ("鈑金", "ばんきん", "Sheet Metal"), ("プレス工業", "ぷれすこうぎょう", "Press"),
        ("ゴム工業", "ごむこうぎょう", "Rubber"), ("硝子", "がらす", "Glass"), ("製菓", "せいか", "Confectionery"),
        ("皮革", "ひかく", "Leather"), ("精密", "せいみつ", "Precision"), ("鋳造所", "ちゅうぞうしょ", "Foundry"),
    ],
    "startup": [
        ("ロボティクス", "ろぼてぃくす", "Robotics"), ("テクノロジーズ", "てくのろじーず", "Technologies"),
        ("ラボ", "らぼ", "Lab"), ("デザインズ", "でざいんず", "Designs"), ("ファクトリー", "ふぁくとりー", "Factory"),
        ("マテリアルズ", "まてりあるず", "Materials"), ("エナジー", "えなじー", "Energy"),
    ],
    "designer": [("デザイン事務所", "でざいんじむしょ", "Design Office"), ("デザイン", "でざいん", "Design"),
                 ("クリエイティブ", "くりえいてぃぶ", "Creative"), ("スタジオ", "すたじお", "Studio")],
    "research": [("技術研究所", "ぎじゅつけんきゅうじょ", "Technical Research Institute"),
                 ("産業技術センター", "さんぎょうぎじゅつせんたー", "Industrial Technology Center")],
    "financial": [("信用金庫", "しんようきんこ", "Shinkin Bank"), ("信用組合", "しんようくみあい", "Credit Union")],
    "support": [("産業振興会", "さんぎょうしんこうかい", "Industry Promotion Association"),
                ("ものづくり支援センター", "ものづくりしえんせんたー", "Monozukuri Support Center")],
    "large_company": [("重工業", "じゅうこうぎょう", "Heavy Industries"), ("電機", "でんき", "Electric"),
                      ("ホールディングス", "ほーるでぃんぐす", "Holdings")],
    "school": [("工業高等専門学校", "こうぎょうこうとうせんもんがっこう", "College of Technology"),
               ("職業能力開発校", "しょくぎょうのうりょくかいはつこう", "Vocational School")],
    "other": [("商店", "しょうてん", "Shoten"), ("商会", "しょうかい", "Shokai"), ("工房", "こうぼう", "Kobo"),
              ("堂", "どう", "Do"), ("屋", "や", "Ya")],
}
KIND_WEIGHTS = [("manufacturer", 70), ("startup", 8), ("designer", 5), ("research", 2), ("financial", 1),
                ("support", 2), ("large_company", 3), ("school", 1), ("other", 8)]
JSIC_BY_KIND = {
    "manufacturer": [f"{n:02d}" for n in range(9, 33)],
    "startup": ["39", "40", "26", "29", "30", "74"], "designer": ["72", "73", "41"], "research": ["71"],
    "financial": ["62", "63"], "support": ["93", "87"], "large_company": ["29", "31", "25", "26", "30"],
    "school": ["81"], "other": ["57", "58", "60", "55", "76"],
}
# Municipalities by weight: the manufacturing wards and cities get most firms.
MUNICIPALITY_WEIGHTS = {
    "131113": 14, "131075": 9, "131199": 8, "131211": 8, "131229": 7, "131237": 6, "131181": 6,
    "131083": 5, "132012": 5, "131067": 4, "131172": 3, "131091": 3, "132055": 3, "132021": 2,
    "132098": 2, "132063": 2, "132128": 2, "131202": 2, "131121": 2, "131024": 2, "131016": 2,
}
PRODUCTS = ["自動車部品", "医療機器", "半導体製造装置", "産業用ロボット", "航空機部品", "食品機械", "精密機器",
            "家電製品", "建築金物", "光学機器", "計測機器", "住宅設備", "鉄道車両部品", "通信機器", "電子部品",
            "工作機械", "理化学機器", "包装機械", "照明器具", "スポーツ用品", "文具", "玩具", "アクセサリー", "革小物",
            "ニット製品", "化粧品容器", "印刷物", "眼鏡フレーム", "時計部品", "釣具"]
PARTS = ["筐体", "フレーム", "シャフト", "ブラケット", "カバー", "ギア", "ノズル", "ピン", "ねじ", "ばね", "プレート",
         "ハウジング", "継手", "金具", "パネル", "ケース", "治具", "配管部品", "電極", "コネクタ"]
MATERIALS = ["SUS304", "SUS316L", "SUS303", "SS400", "S45C", "SPCC", "SECC", "A5052", "A6061", "A7075",
             "C3604", "C1100", "SKD11", "SCM440", "FC250", "チタン", "真鍮", "銅", "アルミ", "アルミニウム",
             "ステンレス", "鉄", "樹脂", "POM", "PEEK", "ABS", "MCナイロン", "テフロン", "アクリル", "ゴム",
             "ＳＵＳ３０４", "ｱﾙﾐ", "マグネシウム", "インコネル", "超硬合金", "セラミックス", "ガラス", "木材", "革"]
TECH_PHRASES = ["試作品から量産まで", "一品物から中ロットまで", "短納期", "小ロット", "多品種少量生産", "特急対応",
                "図面がなくても現物から", "設計段階から", "材料調達から表面処理まで", "24時間稼働"]
CERTIFICATIONS = ["ISO 9001", "ISO 14001", "JIS Q 9100", "ISO 13485", "IATF 16949", "エコアクション21"]
EQUIPMENT = ["5軸マシニングセンタ", "ＮＣ旋盤", "CNC旋盤", "ワイヤーカット放電加工機", "ファイバーレーザー加工機",
             "三次元測定機", "ﾌﾟﾚｽ機", "ベンダー", "タレパン", "射出成形機", "平面研削盤", "溶接ロボット",
             "金属3Dプリンタ", "チップマウンター", "画像測定機"]
ERAS = [("昭和", 1925), ("平成", 1988)]

SENTENCES = [
    "当社は{year}創業の{proc}を得意とする{kind_word}です。",
    "{mat}を中心に、{proc}から{proc2}まで一貫して対応しています。",
    "{product}向けの{part}を多数手掛けてきました。",
    "{equip}を{n}台保有し、{tech}に対応します。",
    "主な加工材料は{mat}、{mat2}、{mat3}です。",
    "{proc}と{proc2}を組み合わせた複合加工で、部品点数の削減をご提案します。",
    "{tech}、お客様のご要望にお応えします。",
    "熟練の職人が{proc}の品質を守り、{equip}による全数検査を行っています。",
    "{product}メーカー様との取引実績が豊富です。",
    "近年は{product}分野の{proc}にも力を入れています。",
    "{mat}の{proc}では、精度±{tol}mmを実現しています。",
    "{cert}認証を取得し、品質管理体制を整えています。",
    "地域の協力工場と連携し、{proc}、{proc2}、{proc3}などの工程もまとめてお引き受けします。",
    "{proc}に関するご相談は、お気軽にお問い合わせください。",
    "創業以来、{product}の{part}製造を通じて日本のものづくりを支えてきました。",
    "最新の{equip}を導入し、生産性と品質の向上に努めています。",
    "{mat}や{mat2}などの難削材の加工も承ります。",
    "若手技術者の育成にも取り組み、技能検定の取得を奨励しています。",
    "環境に配慮した{proc}工程への転換を進めています。",
    "デザイナーやスタートアップとの共同開発の実績もあります。",
]
KIND_WORDS = {"manufacturer": "町工場", "startup": "スタートアップ", "designer": "デザイン事務所",
              "research": "研究機関", "financial": "金融機関", "support": "支援機関", "large_company": "メーカー",
              "school": "教育機関", "other": "企業"}


@dataclass(frozen=True)
class Taxonomy:
    slugs: list[str]
    kinds: dict[str, str]
    parents: dict[str, str | None]
    labels: dict[str, list[str]]  # label and synonyms: how people write the capability
    processes: list[str]
    materials: list[str]
    fields: list[str]


def taxonomy() -> Taxonomy:
    nodes = json.loads(CAPABILITIES_JSON.read_text(encoding="utf-8"))["capabilities"]
    labels = {n["slug"]: [n["label"], *n.get("synonyms", [])] for n in nodes}
    return Taxonomy(
        slugs=[n["slug"] for n in nodes], kinds={n["slug"]: n["kind"] for n in nodes},
        parents={n["slug"]: n.get("parent") for n in nodes}, labels=labels,
        processes=[n["slug"] for n in nodes if n["kind"] == "process"],
        materials=[n["slug"] for n in nodes if n["kind"] == "material"],
        fields=[n["slug"] for n in nodes if n["kind"] == "field"],
    )


def centroids() -> dict[str, tuple[float, float]]:
    out = {}
    for line in CENTROIDS_CSV.read_text(encoding="utf-8").splitlines()[1:]:
        code, _name, lat, lon, _place = line.split(",", 4)
        out[code] = (float(lat), float(lon))
    return out


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def _wareki(rng: random.Random) -> tuple[str, int]:
    year = rng.randint(1935, 2022)
    if rng.random() < 0.5:
        return f"{year}年", year
    era, base = ERAS[1] if year >= 1989 else ERAS[0]
    number = year - base
    return (f"{era}{'元' if number == 1 else number}年", year)


def _name(rng: random.Random, kind: str) -> tuple[str, str, str]:
    ending, ending_kana, ending_en = rng.choice(ENDINGS[kind])
    roll = rng.random()
    if kind in ("startup", "designer") or roll < 0.15:
        stem, stem_kana = rng.choice(KATAKANA_STEMS)
    elif roll < 0.65:
        stem, stem_kana = rng.choice(SURNAMES)
    else:
        stem, stem_kana = rng.choice(STEMS)
    if rng.random() < 0.25:  # a second stem makes names more distinct (山田精密 → 山田富士精工)
        extra, extra_kana = rng.choice(STEMS)
        stem, stem_kana = stem + extra, stem_kana + extra_kana
    base, base_kana = stem + ending, stem_kana + ending_kana
    en = f"{_romanish(stem_kana)} {ending_en}".strip()
    if kind in ("financial", "support", "research", "school"):
        return base, base_kana, en
    form = rng.choices(["株式会社", "(株)", "㈱", "有限会社", "(有)", "合同会社", ""], [55, 8, 4, 14, 3, 4, 12])[0]
    name = f"{form}{base}" if rng.random() < 0.7 else f"{base}{form}"
    kana = base_kana if rng.random() < 0.7 else _katakana(base_kana)
    return name, kana, f"{en} Co., Ltd." if form in ("株式会社", "(株)", "㈱") else en


_ROMAJI = {"あ": "a", "い": "i", "う": "u", "え": "e", "お": "o"}


def _romanish(kana: str) -> str:
    """A rough Latin rendering (only for the English name field; exactness does not matter)."""
    return "".join(_ROMAJI.get(c, "") or "k" for c in kana[:4]).capitalize() or "Tokyo"


def _summary(rng: random.Random, kind: str, tax: Taxonomy, procs: list[str], mats: list[str],
             fields: list[str], target: int) -> str:
    r = rng.random

    def pick(seq: list[Any]) -> Any:
        return seq[int(r() * len(seq))]

    def proc() -> str:
        return pick(tax.labels[pick(procs)]) if procs and r() < 0.8 else pick(tax.labels[pick(tax.processes)])

    def mat() -> str:
        return pick(tax.labels[pick(mats)]) if mats and r() < 0.5 else pick(MATERIALS)

    def product() -> str:
        return pick(tax.labels[pick(fields)]) if fields and r() < 0.5 else pick(PRODUCTS)

    makers = {
        "year": lambda: _wareki(rng)[0], "proc": proc, "proc2": proc, "proc3": proc,
        "kind_word": lambda: KIND_WORDS[kind], "mat": mat, "mat2": mat, "mat3": mat, "product": product,
        "part": lambda: pick(PARTS), "equip": lambda: pick(EQUIPMENT),
        "n": lambda: pick(["2", "3", "５", "10", "十数"]), "tech": lambda: pick(TECH_PHRASES),
        "tol": lambda: pick(["0.01", "0.005", "0.002"]), "cert": lambda: pick(CERTIFICATIONS),
    }

    class Slots(dict):  # type: ignore[type-arg]
        def __missing__(self, key: str) -> str:
            return makers[key]()

    slots = Slots()
    out: list[str] = []
    length = 0
    order = list(range(len(SENTENCES)))
    rng.shuffle(order)
    i = 0
    while length < target:
        sentence = SENTENCES[order[i % len(order)]].format_map(slots)
        i += 1
        out.append(sentence)
        length += len(sentence)
    return "".join(out)


def generate(n: int, seed: int = 1, *, start: int = 0) -> Iterator[dict[str, Any]]:
    """Yield `n` organisation profiles (plain dicts); profile i depends only on (seed, i)."""
    tax = taxonomy()
    points = centroids()
    codes = [c for c in points if c != "130001"]
    weights = [MUNICIPALITY_WEIGHTS.get(c, 1) for c in codes]
    kinds, kind_weights = zip(*KIND_WEIGHTS, strict=True)
    today = datetime.date(2025, 6, 1)
    for i in range(start, start + n):
        rng = random.Random(seed * 1_000_003 + i)
        kind = rng.choices(kinds, kind_weights)[0]
        name, kana, name_en = _name(rng, kind)
        municipality = rng.choices(codes, weights)[0] if rng.random() < 0.97 else None
        procs = rng.sample(tax.processes, rng.randint(1, 5))
        mats = rng.sample(tax.materials, rng.randint(0, 3))
        fields = rng.sample(tax.fields, rng.randint(0, 2))
        target = rng.randint(200, 600)
        summary = _summary(rng, kind, tax, procs, mats, fields, target)
        products = "、".join(f"{rng.choice(PRODUCTS)}用{rng.choice(PARTS)}" for _ in range(rng.randint(0, 4)))
        employees = int(rng.lognormvariate(2.6, 1.1)) if rng.random() < 0.9 else None
        lat = lon = None
        if municipality and rng.random() < 0.15:
            base_lat, base_lon = points[municipality]
            lat, lon = base_lat + rng.uniform(-0.02, 0.02), base_lon + rng.uniform(-0.025, 0.025)
        visibility: dict[str, str] = {}
        if rng.random() < 0.05:
            visibility["address"] = "staff"
        if rng.random() < 0.08:
            visibility["size"] = "staff"
        if rng.random() < 0.05:
            visibility["certifications"] = "staff"
        certs = rng.sample(CERTIFICATIONS, rng.choice([0, 0, 0, 1, 1, 2]))
        confirmed = today - datetime.timedelta(days=rng.randint(0, 1500)) if rng.random() < 0.7 else None
        yield {
            "index": i, "name": name, "kana": kana, "name_en": name_en if rng.random() < 0.6 else "",
            "kind": kind, "municipality": municipality, "jsic": rng.choice(JSIC_BY_KIND[kind]),
            "summary": summary, "products": products, "employees": employees,
            "capital": (employees or 5) * rng.choice([1, 2, 3, 5]) * 1_000_000 if rng.random() < 0.8 else None,
            "founded_year": int(_wareki(rng)[1]), "latitude": lat, "longitude": lon,
            "visibility": visibility, "capabilities": procs + mats + fields, "certifications": certs,
            "last_confirmed_on": confirmed, "status": "closed" if rng.random() < 0.02 else "active",
        }


def sme_class_for(employees: int | None, capital: int | None) -> str:
    if employees is None and capital is None:
        return "unknown"
    if employees is not None and employees <= 20:
        return "small"
    if (employees is not None and employees <= 300) or (capital is not None and capital <= 300_000_000):
        return "sme"
    return "large"


def _generate_chunk(args: tuple[int, int, int]) -> list[dict[str, Any]]:
    start, size, seed = args
    return list(generate(size, seed, start=start))


def load(n: int, seed: int = 1, *, batch: int = 5000, jobs: int = 2, progress: Any = None) -> int:
    """Write `n` generated organisations to the directory tables (reference data loaded first).

    Generation runs in `jobs` processes; inserts are bulk, one transaction per batch. Returns the
    number written. Profiles get names, readings, municipality, JSIC 中分類, capabilities (linked to
    the taxonomy), certifications, employees / capital / SME class, coordinates for some.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections, transaction

    from monozukuri.core.models import Municipality
    from monozukuri.core.reference_data import municipalities_load
    from monozukuri.directory.models import (
        Capability,
        Certification,
        IndustryDivision,
        Organization,
        OrganizationCapability,
    )
    from monozukuri.directory.normalize import name_key
    from monozukuri.directory.reference_data import capabilities_load, industry_divisions_load

    municipalities_load()
    industry_divisions_load()
    capabilities_load()
    municipality_ids = dict(Municipality.objects.values_list("code", "id"))
    division_ids = dict(IndustryDivision.objects.values_list("code", "id"))
    capability_ids = dict(Capability.objects.values_list("slug", "id"))
    names = {code: name for code, name in Municipality.objects.values_list("code", "name")}
    start_id = (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0)
    connections.close_all()
    written = 0
    chunks = [(start, min(batch, n - start), seed) for start in range(0, n, batch)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        for profiles in pool.map(_generate_chunk, chunks):
            orgs = []
            for i, p in enumerate(profiles):
                code = p["municipality"]
                orgs.append(Organization(
                    id=start_id + p["index"] + 1, name=p["name"], name_normalized=name_key(p["name"])[:200],
                    kana=p["kana"], name_en=p["name_en"], kind=p["kind"], status=p["status"],
                    prefecture="東京都" if code else "", city=names.get(code, "") if code else "",
                    town="", municipality_id=municipality_ids.get(code) if code else None,
                    latitude=p["latitude"], longitude=p["longitude"],
                    industry_id=division_ids.get(p["jsic"]), employees=p["employees"], capital=p["capital"],
                    founded_year=p["founded_year"], sme_class=sme_class_for(p["employees"], p["capital"]),
                    summary=p["summary"], products=p["products"], visibility=p["visibility"],
                    last_confirmed_on=p["last_confirmed_on"],
                    website=f"https://example{start_id + p['index'] + 1}.jp" if i % 3 else "",
                ))
            links = [OrganizationCapability(organization_id=o.id, capability_id=capability_ids[s])
                     for o, p in zip(orgs, profiles, strict=True) for s in p["capabilities"] if s in capability_ids]
            certs = [Certification(organization_id=o.id, name=c)
                     for o, p in zip(orgs, profiles, strict=True) for c in p["certifications"]]
            with transaction.atomic():
                Organization.objects.bulk_create(orgs, batch_size=1000)
                OrganizationCapability.objects.bulk_create(links, batch_size=2000)
                Certification.objects.bulk_create(certs, batch_size=2000)
            written += len(orgs)
            if progress:
                progress(written, n)
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('directory_organization', 'id'), "
                           "(SELECT max(id) FROM directory_organization))")
    return written
