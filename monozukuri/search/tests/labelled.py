"""The labelled set: a small directory written to exercise every class of variant, and queries with the
records that must and must not come back. Used by test_labelled_set.py (both engines) and by
bench/search_quality.py (precision and recall).

Each profile is keyed by a short label; ``QUERIES`` name labels. ``exact=True`` means the result set
must be exactly ``must`` (the whole directory was checked by hand for that query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROFILES: dict[str, dict[str, Any]] = {
    "nc": {
        "name": "株式会社青木精機",
        "kana": "あおきせいき",
        "summary": "ＮＣ旋盤による精密部品の切削加工。",
    },
    "press_hw": {
        "name": "ﾏﾙｻﾝﾌﾟﾚｽ工業株式会社",
        "kana": "ﾏﾙｻﾝﾌﾟﾚｽｺｳｷﾞｮｳ",
        "summary": "ﾌﾟﾚｽ加工と順送金型の製作を行っています。",
    },
    "press": {
        "name": "株式会社東和工業",
        "kana": "とうわこうぎょう",
        "summary": "プレス加工、深絞りが得意です。",
    },
    "axis5": {
        "name": "株式会社五十嵐製作所",
        "kana": "いがらしせいさくしょ",
        "summary": "5軸マシニングセンタで航空機部品の複雑形状を削り出します。",
    },
    "axis15": {"name": "株式会社ロボテック", "kana": "ろぼてっく", "summary": "15軸の多関節ロボットを開発。"},
    "mekki_kata": {
        "name": "株式会社城東メッキ",
        "kana": "じょうとうめっき",
        "summary": "亜鉛メッキとニッケルメッキの専門工場です。",
    },
    "mekki_hira": {
        "name": "有限会社荒川化工",
        "kana": "あらかわかこう",
        "summary": "無電解めっき処理を承ります。",
    },
    "mekki_kanji": {
        "name": "墨田鍍金工業株式会社",
        "kana": "すみだめっきこうぎょう",
        "summary": "装飾用の鍍金を手がけます。",
    },
    "hyomen": {
        "name": "株式会社江東表面技研",
        "kana": "こうとうひょうめんぎけん",
        "summary": "各種の表面処理の相談窓口です。",
    },
    "bankin_variant": {
        "name": "株式会社髙橋製作所",
        "kana": "たかはしせいさくしょ",
        "summary": "精密鈑金加工とTIG溶接。SUS304の薄板が得意です。",
    },
    "bankin_paint": {
        "name": "有限会社田中鉄工",
        "kana": "タナカテッコウ",
        "summary": "自動車の板金塗装をしています。",
    },
    "watanabe": {"name": "渡邊製作所", "kana": "わたなべせいさくしょ", "summary": "治具と検査具の設計製作。"},
    "alumi_long": {
        "name": "株式会社北斗金属",
        "kana": "ほくときんぞく",
        "summary": "アルミニウム合金の切削加工を行います。",
    },
    "alumi_short": {
        "name": "株式会社三和アルテック",
        "kana": "さんわあるてっく",
        "summary": "アルミ押出材の加工と販売。",
    },
    "a5052": {
        "name": "株式会社大和精工",
        "kana": "やまとせいこう",
        "summary": "A5052の板材からケースを製作します。",
    },
    "stainless": {
        "name": "株式会社富士ステンレス",
        "kana": "ふじすてんれす",
        "summary": "ステンレスの溶接構造物を製作。",
    },
    "brass": {
        "name": "有限会社中村製作所",
        "kana": "なかむらせいさくしょ",
        "summary": "C3604の自動盤加工でねじ部品を量産。",
    },
    "ss400": {"name": "株式会社東洋製缶", "kana": "とうようせいかん", "summary": "SS400の製缶と架台の溶接。"},
    "yamada": {
        "name": "株式会社山田製作所",
        "kana": "やまだせいさくしょ",
        "summary": "小物部品の組立とプレス。",
    },
    "sumida_kana": {"name": "墨田精機株式会社", "kana": "スミダセイキ", "summary": "測定器の修理と校正。"},
    "mold": {
        "name": "株式会社城南モールド",
        "kana": "じょうなんもーるど",
        "summary": "射出成形金型の設計と製作。",
    },
    "prototype": {
        "name": "株式会社プロトラボ",
        "kana": "ぷろとらぼ",
        "summary": "試作品を最短3日でお届けします。",
    },
    "laser": {
        "name": "株式会社光レーザ",
        "kana": "ひかりれーざ",
        "summary": "ファイバーレーザ加工機による切断。",
    },
    "phrase": {
        "name": "株式会社三本柱",
        "kana": "さんぼんばしら",
        "summary": "精密、板金、溶接の三本柱で支えます。",
    },
    "capability_only": {
        "name": "株式会社西新井工作所",
        "kana": "にしあらいこうさくしょ",
        "summary": "町工場です。",
        "capabilities": ["welding"],
    },
    "casting": {
        "name": "株式会社川口鋳物",
        "kana": "かわぐちいもの",
        "summary": "鋳物の製造、砂型から仕上げまで。",
    },
    "staff_secret": {
        "name": "株式会社秘密工業",
        "kana": "ひみつこうぎょう",
        "summary": "一般的な機械加工。",
        "staff_notes": "極秘メモ 溶射ライン導入予定",
    },
    "closed": {
        "name": "株式会社旧町工場",
        "kana": "きゅうまちこうば",
        "summary": "研削盤による円筒研削。",
        "status": "closed",
    },
}


@dataclass(frozen=True)
class Case:
    query: str
    variant_class: str
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()
    exact: bool = False
    params: dict[str, Any] = field(default_factory=dict)


QUERIES: tuple[Case, ...] = (
    # width (全角・半角)
    Case("ＮＣ旋盤", "width", must=("nc",), exact=True),
    Case("NC旋盤", "width", must=("nc",), exact=True),
    Case("プレス", "width", must=("press_hw", "press", "yamada"), exact=True),
    Case("ﾌﾟﾚｽ", "width", must=("press_hw", "press", "yamada"), exact=True),
    Case("５軸", "width", must=("axis5",), must_not=("axis15",), exact=True),
    # kana script
    Case(
        "めっき", "kana", must=("mekki_kata", "mekki_hira", "mekki_kanji"), must_not=("hyomen",), exact=True
    ),
    Case("メッキ", "kana", must=("mekki_kata", "mekki_hira", "mekki_kanji"), exact=True),
    # variant kanji (異体字・表記)
    Case("板金", "variant kanji", must=("bankin_variant", "bankin_paint", "phrase"), exact=True),
    Case("鈑金", "variant kanji", must=("bankin_variant", "bankin_paint", "phrase"), exact=True),
    Case("鍍金", "variant kanji", must=("mekki_kata", "mekki_hira", "mekki_kanji"), exact=True),
    Case("高橋製作所", "variant kanji", must=("bankin_variant",), exact=True),
    Case("渡辺", "variant kanji", must=("watanabe",), exact=True),
    # long / short forms
    Case("アルミ", "long/short form", must=("alumi_long", "alumi_short", "a5052"), exact=True),
    Case("アルミニウム", "long/short form", must=("alumi_long", "alumi_short", "a5052"), exact=True),
    Case("レーザー", "long/short form", must=("laser",), exact=True),
    # material designations (one-way synonyms)
    Case("ステンレス", "material designation", must=("stainless", "bankin_variant"), exact=True),
    Case("SUS304", "material designation", must=("bankin_variant",), must_not=("stainless",), exact=True),
    Case("真鍮", "material designation", must=("brass",), exact=True),
    Case("黄銅", "material designation", must=("brass",), exact=True),
    Case("鉄", "material designation", must=("ss400", "bankin_paint"), must_not=("stainless",)),
    Case(
        "表面処理",
        "material designation",
        must=("hyomen", "mekki_kata", "mekki_hira", "mekki_kanji", "bankin_paint"),
        exact=True,
    ),
    Case("鋳造", "material designation", must=("casting",), exact=True),
    # company forms in names
    Case("山田製作所", "company form", must=("yamada",), exact=True),
    Case("(株)山田製作所", "company form", must=("yamada",), exact=True),
    Case("㈱山田", "company form", must=("yamada",), exact=True),
    Case("（有）田中鉄工", "company form", must=("bankin_paint",), exact=True),
    # readings in either script
    Case("ヤマダセイサクショ", "reading", must=("yamada",), exact=True),
    Case("やまだ", "reading", must=("yamada",), exact=True),
    Case("すみだせいき", "reading", must=("sumida_kana",), exact=True),
    Case("たなかてっこう", "reading", must=("bankin_paint",), exact=True),
    Case("ﾀｶﾊｼ", "reading", must=("bankin_variant",), exact=True),
    # two-character terms inside compounds
    Case("金型", "two characters in a compound", must=("mold", "press_hw"), exact=True),
    Case("試作", "two characters in a compound", must=("prototype",), exact=True),
    Case(
        "溶接",
        "two characters in a compound",
        must=("bankin_variant", "stainless", "ss400", "phrase", "capability_only"),
        exact=True,
    ),
    # U+3000 and other separators: every term required
    Case(
        "溶接\u3000ステンレス",
        "separators",
        must=("stainless", "bankin_variant"),
        must_not=("ss400",),
        exact=True,
    ),
    Case("精密　板金", "separators", must=("bankin_variant", "phrase"), exact=True),
    # quoted phrases: the words in this order, as separate words
    Case('"精密 板金"', "quoted phrase", must=("phrase",), must_not=("bankin_variant",), exact=True),
    Case("「板金 溶接」", "quoted phrase", must=("phrase",), exact=True),
    # exclusions
    Case(
        "板金 -塗装", "exclusion", must=("bankin_variant", "phrase"), must_not=("bankin_paint",), exact=True
    ),
    Case(
        "めっき －亜鉛", "exclusion", must=("mekki_hira", "mekki_kanji"), must_not=("mekki_kata",), exact=True
    ),
    # capabilities, English, staff-only text never indexed, filters
    Case("welding", "capability and English", must=("capability_only",), exact=True),
    Case("極秘メモ", "not public", must_not=("staff_secret",), exact=True),
    Case("円筒研削", "status filter", must=("closed",), exact=True),
    Case("円筒研削", "status filter", must_not=("closed",), exact=True, params={"status": "active"}),
)
