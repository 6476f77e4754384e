"""Write N rows of gBizINFO-format CSV: realistic Japanese firms with real postcodes and towns.

    python bench/make_gbizinfo.py 1000000 /tmp/gbizinfo-1m.csv --encoding cp932 --seed 1

Firms are spread over Sumida, Arakawa, Itabashi and Ome and their neighbours, with postcodes and
towns from Japan Post's data; names, readings, capital, employees, dates and descriptions vary the way
real files do (株式会社 / (株) / ㈱, full-width digits, 和暦 and western dates, 1000万円 and 10,000,000)
in a share of the rows (`--messy`). Every 法人番号 is valid and unique. The same seed gives the same file.
Also importable: tests use `gbizinfo_rows` / `write_gbizinfo` to make their fixtures.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HEADER = [
    "法人番号", "法人名", "法人名ふりがな", "法人名英語", "郵便番号", "本社所在地", "ステータス",
    "登記記録の閉鎖等年月日", "登記記録の閉鎖等の事由", "法人代表者名", "法人代表者役職", "資本金",
    "従業員数", "企業規模詳細(男性)", "企業規模詳細(女性)", "営業品目リスト", "事業概要",
    "企業ホームページ", "設立年月日", "創業年", "最終更新日", "資格等級",
]

# (municipality code, city, [(postcode, town)]) — real postcodes and towns (Japan Post).
PLACES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("131075", "墨田区", [
        ("1300001", "吾妻橋"), ("1300002", "業平"), ("1300003", "横川"), ("1300004", "本所"),
        ("1300005", "東駒形"), ("1300011", "石原"), ("1300012", "太平"), ("1300013", "錦糸"),
        ("1300014", "亀沢"), ("1300021", "緑"), ("1300022", "江東橋"), ("1300023", "立川"),
        ("1300024", "菊川"), ("1300025", "千歳"), ("1300026", "両国"), ("1310031", "墨田"),
        ("1310032", "東向島"), ("1310033", "向島"), ("1310034", "堤通"), ("1310041", "八広"),
        ("1310042", "東墨田"), ("1310043", "立花"), ("1310044", "文花"), ("1310045", "押上"),
        ("1310046", "京島"),
    ]),
    ("131181", "荒川区", [
        ("1160001", "町屋"), ("1160002", "荒川"), ("1160003", "南千住"), ("1160011", "西尾久"),
        ("1160012", "東尾久"), ("1160013", "西日暮里"), ("1160014", "東日暮里"),
    ]),
    ("131199", "板橋区", [
        ("1730001", "本町"), ("1730003", "加賀"), ("1730004", "板橋"), ("1730005", "仲宿"),
        ("1730016", "中板橋"), ("1730025", "熊野町"), ("1740041", "舟渡"), ("1740042", "東坂下"),
        ("1740043", "坂下"), ("1740046", "蓮根"), ("1740051", "小豆沢"), ("1740056", "志村"),
        ("1740063", "前野町"), ("1740064", "中台"), ("1740071", "常盤台"), ("1750081", "新河岸"),
        ("1750082", "高島平"), ("1750083", "徳丸"), ("1750092", "赤塚"), ("1750094", "成増"),
    ]),
    ("132055", "青梅市", [
        ("1980001", "成木"), ("1980004", "根ケ布"), ("1980011", "塩船"), ("1980021", "今寺"),
        ("1980022", "藤橋"), ("1980023", "今井"), ("1980024", "新町"), ("1980025", "末広町"),
        ("1980031", "師岡町"), ("1980036", "河辺町"), ("1980041", "勝沼"), ("1980042", "東青梅"),
        ("1980043", "千ケ瀬町"), ("1980051", "友田町"), ("1980052", "長淵"), ("1980063", "梅郷"),
        ("1980081", "上町"), ("1980083", "本町"),
    ]),
    ("131067", "台東区", [("1100016", "台東"), ("1110032", "浅草"), ("1110053", "浅草橋")]),
    ("131211", "足立区", [("1200034", "千住"), ("1200005", "綾瀬"), ("1210813", "竹の塚")]),
    ("131172", "北区", [("1140002", "王子"), ("1150045", "赤羽"), ("1140023", "滝野川")]),
    ("131083", "江東区", [("1350016", "東陽"), ("1350042", "木場"), ("1350002", "住吉")]),
]
# Weight of each place: the four municipalities of the plans hold most firms.
PLACE_WEIGHTS = [30, 15, 25, 15, 4, 4, 4, 3]

SURNAMES = [
    ("山田", "やまだ", "Yamada"), ("鈴木", "すずき", "Suzuki"), ("佐藤", "さとう", "Sato"),
    ("高橋", "たかはし", "Takahashi"), ("田中", "たなか", "Tanaka"), ("渡辺", "わたなべ", "Watanabe"),
    ("伊藤", "いとう", "Ito"), ("中村", "なかむら", "Nakamura"), ("小林", "こばやし", "Kobayashi"),
    ("加藤", "かとう", "Kato"), ("吉田", "よしだ", "Yoshida"), ("松本", "まつもと", "Matsumoto"),
    ("井上", "いのうえ", "Inoue"), ("木村", "きむら", "Kimura"), ("清水", "しみず", "Shimizu"),
    ("石川", "いしかわ", "Ishikawa"), ("森", "もり", "Mori"), ("池田", "いけだ", "Ikeda"),
    ("橋本", "はしもと", "Hashimoto"), ("髙野", "たかの", "Takano"), ("大和", "やまと", "Yamato"),
    ("東京", "とうきょう", "Tokyo"), ("隅田", "すみだ", "Sumida"), ("城北", "じょうほく", "Johoku"),
    ("多摩", "たま", "Tama"), ("三栄", "さんえい", "San-ei"), ("協和", "きょうわ", "Kyowa"),
    ("日進", "にっしん", "Nisshin"), ("昭和", "しょうわ", "Showa"), ("富士", "ふじ", "Fuji"),
]
TRADES = [
    ("製作所", "せいさくしょ", "Works", "精密部品の切削加工"),
    ("精機", "せいき", "Seiki", "産業機械部品の精密加工"),
    ("工業", "こうぎょう", "Industries", "金属プレス加工と溶接"),
    ("金型", "かながた", "Mold", "射出成形金型の設計・製作"),
    ("鍍金工業所", "めっきこうぎょうしょ", "Plating", "電気めっき・表面処理"),
    ("板金", "ばんきん", "Sheet Metal", "精密板金加工"),
    ("鋳造所", "ちゅうぞうしょ", "Foundry", "アルミ鋳造・鋳物"),
    ("印刷", "いんさつ", "Printing", "オフセット印刷・製本"),
    ("化成", "かせい", "Chemical", "プラスチック成形"),
    ("ゴム工業", "ごむこうぎょう", "Rubber", "工業用ゴム製品の製造"),
    ("電機", "でんき", "Electric", "制御盤・電子機器の組立"),
    ("硝子", "がらす", "Glass", "理化学ガラスの加工"),
    ("製靴", "せいか", "Shoes", "革靴・ケミカルシューズの製造"),
    ("ニット", "にっと", "Knit", "ニット製品の企画・製造"),
    ("木工所", "もっこうしょ", "Woodworks", "家具・木製品の製作"),
]
FORMS = [("株式会社", "Co., Ltd."), ("有限会社", "Ltd."), ("合同会社", "LLC")]
GIVEN = ["太郎", "一郎", "健二", "誠", "浩", "正人", "和子", "恵子", "裕子", "大輔", "翔", "明美"]
TITLES = ["代表取締役", "代表取締役社長", "取締役", "代表社員", "代表取締役会長"]
PRODUCTS = ["物品の製造", "物品の販売", "役務の提供その他", "物品の買受け"]
ERAS = [("昭和", "S", 1925), ("平成", "H", 1988), ("令和", "R", 2018)]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def corporate_number(n: int) -> str:
    """A valid 法人番号 from a running number (12 digits plus the check digit in front)."""
    body = f"{10601000000 + n:012d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(reversed(body)))
    return f"{9 - total % 9}{body}"


def _wareki(year: int, month: int, day: int, rnd: random.Random) -> str:
    name, letter, offset = next(e for e in reversed(ERAS) if year > e[2])
    era_year = year - offset
    if rnd.random() < 0.5:
        return f"{name}{'元' if era_year == 1 else era_year}年{month}月{day}日"
    return f"{letter}{era_year}.{month}.{day}"


@dataclass(frozen=True)
class Firm:
    """What a generated row means, for tests to compare the import with."""

    corporate_number: str
    name: str  # as written in the row
    municipality_code: str
    postcode: str
    town: str
    founded_on: datetime.date
    capital: int | None
    employees: int | None
    closed: bool


def gbizinfo_rows(n: int, *, seed: int = 0, start: int = 0, messy: float = 0.2) -> Iterator[list[str]]:
    """`n` data rows (no header) of gBizINFO CSV; `messy` is the share written in variant forms."""
    for row, _firm in gbizinfo_firms(n, seed=seed, start=start, messy=messy):
        yield row


def gbizinfo_firms(n: int, *, seed: int = 0, start: int = 0, messy: float = 0.2
                   ) -> Iterator[tuple[list[str], Firm]]:
    """Like `gbizinfo_rows`, each row with the `Firm` it describes."""
    rnd = random.Random(seed)
    for i in range(start, start + n):
        surname, surname_kana, surname_en = rnd.choice(SURNAMES)
        trade, trade_kana, trade_en, activity = rnd.choice(TRADES)
        form, form_en = FORMS[0] if rnd.random() < 0.8 else rnd.choice(FORMS[1:])
        messy_row = rnd.random() < messy
        suffix = f"{i}" if i >= len(SURNAMES) * len(TRADES) else ""
        base = f"{surname}{trade}{suffix}"
        name = f"{form}{base}" if rnd.random() < 0.6 else f"{base}{form}"
        if messy_row and form == "株式会社":
            name = name.replace("株式会社", rnd.choice(["(株)", "㈱", "（株）"]))
        code, city, towns = rnd.choices(PLACES, weights=PLACE_WEIGHTS)[0]
        postcode, town = rnd.choice(towns)
        chome, ban, go = rnd.randint(1, 6), rnd.randint(1, 30), rnd.randint(1, 20)
        street = f"{chome}丁目{ban}番{go}号" if rnd.random() < 0.5 else f"{chome}-{ban}-{go}"
        if messy_row:
            street = street.translate(FULL_WIDTH)
        address = f"東京都{city}{town}{street}"
        shown_postcode = f"{postcode[:3]}-{postcode[3:]}" if rnd.random() < 0.5 else postcode
        closed = rnd.random() < 0.03
        founded = (rnd.randint(1946, 2022), rnd.randint(1, 12), rnd.randint(1, 28))
        founded_text = f"{founded[0]}-{founded[1]:02d}-{founded[2]:02d}"
        if messy_row:
            founded_text = _wareki(*founded, rnd) if rnd.random() < 0.6 else \
                f"{founded[0]}/{founded[1]}/{founded[2]}"
        employees = rnd.choice([1, 2, 3, 5, 8, 12, 18, 25, 40, 60, 120, 350])
        capital = rnd.choice([3_000_000, 5_000_000, 10_000_000, 20_000_000, 30_000_000, 50_000_000,
                              100_000_000, 350_000_000])
        capital_text = str(capital)
        employees_text = str(employees)
        if messy_row:
            capital_text = rnd.choice([f"{capital:,}", f"{capital // 10_000}万円".translate(FULL_WIDTH)])
            employees_text = rnd.choice([f"{employees}人", str(employees).translate(FULL_WIDTH)])
        has_capital, has_employees = rnd.random() < 0.9, rnd.random() < 0.8
        kana = f"{surname_kana}{trade_kana}"
        summary = (f"{city}{town}で{activity}を行っています。{founded[0]}年の創業以来、"
                   f"試作から量産まで一貫して対応し、短納期の小ロットにも応じます。")
        firm = Firm(corporate_number(i), name, code, postcode, town, datetime.date(*founded),
                    capital if has_capital else None, employees if has_employees else None, closed)
        yield [
            corporate_number(i),
            name,
            kana,
            f"{surname_en} {trade_en} {form_en}",
            shown_postcode if rnd.random() < 0.97 else "",
            address,
            "閉鎖" if closed else "",
            f"{rnd.randint(2015, 2024)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}" if closed else "",
            "清算の結了等" if closed else "",
            f"{rnd.choice(SURNAMES)[0]}{rnd.choice(GIVEN)}",
            rnd.choice(TITLES),
            capital_text if has_capital else "",
            employees_text if has_employees else "",
            "", "",
            rnd.choice(PRODUCTS) if rnd.random() < 0.3 else "",
            summary,
            f"https://www.{surname_en.lower()}-{i}.example.co.jp/" if rnd.random() < 0.5 else "",
            founded_text,
            str(founded[0] - rnd.choice([0, 0, 5, 10])) if rnd.random() < 0.5 else "",
            f"{rnd.randint(2022, 2024)}-0{rnd.randint(1, 9)}-2{rnd.randint(0, 8)}T00:00:00+09:00",
            "",
        ], firm


def write_gbizinfo(path: str | Path, n: int, *, encoding: str = "cp932", seed: int = 0,
                   messy: float = 0.2, start: int = 0) -> Path:
    """Write a gBizINFO CSV of `n` firms to `path` (cp932, utf-8 or utf-8-sig) and return the path."""
    target = Path(path)
    with target.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(HEADER)
        for row in gbizinfo_rows(n, seed=seed, messy=messy, start=start):
            writer.writerow(row)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("path")
    parser.add_argument("--encoding", default="cp932", choices=["cp932", "utf-8", "utf-8-sig"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--messy", type=float, default=0.2)
    args = parser.parse_args(argv)
    write_gbizinfo(args.path, args.rows, encoding=args.encoding, seed=args.seed, messy=args.messy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
