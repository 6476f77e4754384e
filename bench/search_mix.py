"""The benchmark's query mix (issue 4) and the terms of the substring count check."""

from __future__ import annotations

import random
import re
from typing import Any

# (class label, requests). Classes 1–5 are the issue's mix; the rest are reported on their own.
TWO_CHARACTER = ["溶接", "研磨", "鋳造", "鍛造", "塗装", "金型", "板金", "旋盤",
                 "試作", "切削", "樹脂", "検査", "めっき", "治具", "組立", "設計"]
LONG_COMPOUNDS = ["精密板金加工", "射出成形金型", "五軸マシニングセンタ", "無電解ニッケルめっき",
                  "ワイヤーカット放電加工", "半導体製造装置", "医療機器部品", "三次元測定機",
                  "ファイバーレーザー加工機", "アルミダイカスト"]
TWO_TERMS = ["溶接 ステンレス", "切削 アルミ", "試作 医療機器", "金型 樹脂", "研磨 SUS304",
             "めっき 自動車部品", "レーザー　板金", "ﾌﾟﾚｽ 金型", "旋盤 真鍮", "塗装 鉄"]
FILTERED = [
    {"q": "加工", "municipality": "131113", "kind": "manufacturer", "jsic": "24"},
    {"q": "溶接", "municipality": "131075", "kind": "manufacturer", "sme_class": "small"},
    {"q": "試作", "municipality": "131199", "kind": "manufacturer", "capability": "cutting"},
    {"q": "金型", "municipality": "131211", "jsic": "E", "employees": "3"},
    {"q": "めっき", "municipality": "131229", "kind": "manufacturer", "material": "stainless-steel"},
    {"q": "研磨", "municipality": "131181", "kind": "manufacturer", "certification": "ISO 9001"},
    {"q": "樹脂", "municipality": "132012", "kind": "manufacturer", "jsic": "18"},
    {"q": "精密", "municipality": "131237", "kind": "startup", "sme_class": "sme"},
]
# Terms that match about half of the directory in the generated corpus (checked by `bench_search.py df`).
BROAD = ["対応", "当社", "実績", "品質", "部品", "製造"]
NAMES = ["たなか", "スミダ", "髙橋", "渡邉製作所", "㈱山田", "さいとうせいき", "テクノ"]

QUERY_MIX: list[tuple[str, list[dict[str, Any]]]] = [
    ("1 two-character term", [{"q": t} for t in TWO_CHARACTER]),
    ("2 long compound", [{"q": t} for t in LONG_COMPOUNDS]),
    ("3 two-term AND", [{"q": t} for t in TWO_TERMS]),
    ("4 text + 3 filters", FILTERED),
    ("5 broad, relevance", [{"q": t, "sort": "relevance"} for t in BROAD]),
    ("x names and readings", [{"q": t} for t in NAMES]),
    ("x sort by name", [{"q": t, "sort": "name"} for t in ("加工", "溶接", "精密板金")]),
    ("x within 5 km, by distance", [{"q": t, "near": "35.7107,139.8015", "km": "5", "sort": "distance"}
                                    for t in ("切削", "加工", "めっき")]),
    ("x empty query, filters", [{"municipality": "131075"}, {"kind": "startup"}, {}]),
]
ISSUE_CLASSES = {label for label, _ in QUERY_MIX if label[0].isdigit()}


def query_requests(*, seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """Every request of the mix, shuffled (the same order for the same seed)."""
    items = [(label, dict(params)) for label, group in QUERY_MIX for params in group]
    random.Random(seed).shuffle(items)
    return items


_CJK_ONLY = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u3005\u4e00-\u9fff]{1,4}")
FIXED_TERMS = ["板金", "金型", "試作", "鉄", "アルミ", "溶接", "研磨", "鋳造", "塗装", "めっき",
               "精密", "加工", "工", "ステンレス", "樹脂", "真鍮", "すみだ", "たなか"]


def substring_terms(corpus: Any, *, count: int = 200, seed: int = 7) -> list[str]:
    """Terms of 1–4 kana/kanji characters drawn from random places of the indexed text, plus fixed ones."""
    from monozukuri.search.analysis import normalize

    rng = random.Random(seed)
    terms: dict[str, None] = {normalize(t): None for t in FIXED_TERMS}
    texts = corpus.texts
    attempts = 0
    while len(terms) < count and attempts < count * 200:
        attempts += 1
        text = texts[rng.randrange(len(texts))]
        if not text:
            continue
        length = rng.randint(1, 4)
        start = rng.randrange(max(1, len(text) - length))
        candidate = text[start:start + length]
        if _CJK_ONLY.fullmatch(candidate):
            terms.setdefault(candidate)
    return list(terms)[:count]
