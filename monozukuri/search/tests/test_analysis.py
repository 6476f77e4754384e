"""The analysis pipeline: normalisation, the domain dictionary, index tokens and substring semantics.

``finds`` is a tiny in-memory engine with the semantics both databases implement: every required
clause's tokens appear consecutively (the last one as a prefix where marked), no excluded clause does.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from monozukuri.search.analysis import (
    MAX_TOKENS,
    SEGMENT_BREAK,
    Vocabulary,
    VocabularyError,
    VocabularyRow,
    analyzed_text,
    load_seed_vocabulary,
    normalize,
    parse_vocabulary_tsv,
    query_tokens,
    reading_tokens,
    tokens,
    tsvector_literal,
)
from monozukuri.search.query import ParsedQuery, TermQuery, parse_query

SEED = load_seed_vocabulary()
NONE = Vocabulary()


def phrase_in(doc: Sequence[str], clause: TermQuery) -> bool:
    """True if the clause's tokens occur consecutively in ``doc`` (last one as a prefix if marked)."""
    *head, last = clause.tokens
    for start in range(len(doc) - len(clause.tokens) + 1):
        if list(doc[start : start + len(head)]) != head:
            continue
        candidate = doc[start + len(head)]
        if candidate.startswith(last) if clause.prefix else candidate == last:
            return True
    return False


def matches(doc: Sequence[str], parsed: ParsedQuery) -> bool:
    return (
        bool(parsed.required)
        and all(phrase_in(doc, clause) for clause in parsed.required)
        and not any(phrase_in(doc, clause) for clause in parsed.excluded)
    )


def finds(document: str, query: str, vocabulary: Vocabulary = SEED, *, for_name: bool = False) -> bool:
    return matches(tokens(document, vocabulary, for_name=for_name), parse_query(query, vocabulary))


# --- normalisation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ＮＣ旋盤", "nc旋盤"),
        ("ﾌﾟﾚｽ加工", "ぷれす加工"),
        ("５軸加工", "5軸加工"),
        ("メッキ", "めっき"),
        ("ﾒｯｷ", "めっき"),
        ("ＳＵＳ３０４", "sus304"),
        ("精密\u3000板金\t 加工\n", "精密 板金 加工"),
        ("レーザー加工", "れーざ加工"),  # a run's final ー is dropped …
        ("レーザ加工", "れーざ加工"),
        ("レーザーカッター", "れーざーかった"),  # … an inner one is kept
        ("データ", "でーた"),
        ("ビール", "びーる"),
        ("コンピュ－タ", "こんぴゅーた"),  # a dash after katakana is a long-vowel mark (CP932 data)
        ("コンピュ-タ", "こんぴゅーた"),
        ("ｺﾝﾋﾟｭｰﾀｰ", "こんぴゅーた"),
        ("カーー", "か"),
        ("ー鉄ー", "鉄"),  # a ー after no kana is a separator
        ("レーザー・カッター", "れーざーかった"),  # a middle dot between kana joins
        ("切削・研削", "切削・研削"),  # … elsewhere it stays (and separates runs)
        ("霞ヶ関", "霞け関"),
        ("霞ケ関", "霞け関"),
        ("ヴ", "ゔ"),
        ("いすゞ", "いすゞ"),
        ("A\u200bB\ufeffC", "abc"),  # zero-width characters vanish
        ("葛\U000e0100飾", "葛飾"),  # ideographic variation selector
        ("a\x00b\x1fc", "a b c"),
        ("Café", "cafe"),
        ("①Ⅱ", "1ii"),
        ("", ""),
    ],
)
def test_normalize_folds_width_case_kana_and_long_vowels(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("株式会社スミダ精機", "すみだ精機"),
        ("スミダ精機株式会社", "すみだ精機"),
        ("(株)スミダ精機", "すみだ精機"),
        ("（株）スミダ精機", "すみだ精機"),
        ("㈱スミダ精機", "すみだ精機"),
        ("( 株 )スミダ精機", "すみだ精機"),
        ("㍿スミダ精機", "すみだ精機"),
        ("有限会社スミダ精機", "すみだ精機"),
        ("(有)スミダ精機", "すみだ精機"),
        ("㈲スミダ精機", "すみだ精機"),
        ("合同会社スミダ精機", "すみだ精機"),
        ("一般社団法人 東京ものづくり協会", "東京ものづくり協会"),
        ("Sumida Seiki Co., Ltd.", "sumida seiki"),
        ("SUMIDA SEIKI CO.,LTD", "sumida seiki"),
        ("Sumida Inc.", "sumida"),
        ("Incline Works", "incline works"),  # only whole words
        ("会社概要", "会社概要"),  # 会社 alone is not a company form
    ],
)
def test_normalize_for_name_drops_company_forms(name, expected):
    assert normalize(name, for_name=True) == expected


def test_normalize_keeps_company_forms_outside_names():
    assert normalize("株式会社スミダ精機") == "株式会社すみだ精機"


def test_normalize_is_idempotent_on_nasty_text():
    text = "ｶﾞｰﾄﾞ　ＮＣ—ーー・㈱\u3000\ud800x\u0301 ✓🔩"
    once = normalize(text, for_name=True)
    assert normalize(once, for_name=True) == once


# --- equivalences ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ＮＣ旋盤", "NC旋盤"),
        ("ﾌﾟﾚｽ加工", "プレス加工"),
        ("５軸加工", "5軸加工"),
        ("五軸加工", "5軸加工"),
        ("めっき加工", "メッキ加工"),
        ("鍍金加工", "めっき加工"),
        ("ﾒｯｷ", "鍍金"),
        ("鈑金", "板金"),
        ("精密鈑金加工", "精密板金加工"),
        ("アルミニウム", "アルミ"),
        ("アルミニウム合金", "アルミ合金"),
        ("レーザー加工", "レーザ加工"),
        ("マシニングセンター", "マシニングセンタ"),
        ("3Dプリンター", "3Dプリンタ"),
        ("三次元プリンター", "3Dプリンタ"),
        ("ワイヤーカット", "ワイヤカット"),
        ("アッセンブリー", "アセンブリ"),
        ("ダイキャスト", "ダイカスト"),
        ("熔接", "溶接"),
        ("冶具", "治具"),
        ("射出成型", "射出成形"),
        ("焼き入れ", "焼入れ"),
        ("焼入れ", "焼入"),
        ("組み立て", "組立"),
        ("半田付け", "はんだ付け"),
        ("ギヤ", "ギア"),
        ("ＳＵＳ３０４", "sus304"),
        ("Aluminium", "aluminum"),
    ],
)
def test_equivalent_spellings_give_identical_tokens(one, other):
    assert tokens(one, SEED) == tokens(other, SEED)
    assert query_tokens(one, SEED) == query_tokens(other, SEED)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("株式会社スミダ精機", "スミダ精機"),
        ("(株)スミダ精機", "スミダ精機"),
        ("㈱スミダ精機", "スミダ精機"),
        ("スミダ精機㈱", "スミダ精機"),
        ("有限会社スミダ精機", "スミダ精機"),
        ("(有)スミダ精機", "スミダ精機"),
        ("合同会社スミダ精機", "スミダ精機"),
        ("株式会社髙橋製作所", "高橋製作所"),
        ("山﨑工業(株)", "山崎工業"),
    ],
)
def test_company_names_match_with_any_company_form(one, other):
    assert tokens(one, SEED, for_name=True) == tokens(other, SEED, for_name=True)
    assert finds(one, other, for_name=True)
    assert finds(other, one, for_name=True)  # queries drop company forms too


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("スミダセイキ", "すみだせいき"),
        ("ｽﾐﾀﾞｾｲｷ", "すみだせいき"),
        ("スミダ セイキ", "すみだせいき"),
        ("カブシキガイシャスミダセイキ", "すみだせいき"),
        ("スミダセイキカブシキガイシャ", "すみだせいき"),
        ("ｶ)ｽﾐﾀﾞｾｲｷ", "すみだせいき"),
        ("ｽﾐﾀﾞｾｲｷ(ｶ", "すみだせいき"),
        ("ユウゲンガイシャ　スミダ", "すみだ"),
    ],
)
def test_readings_match_in_either_kana_script(one, other):
    assert reading_tokens(one, SEED) == reading_tokens(other, SEED)


@pytest.mark.parametrize(
    "query", ["スミダ", "すみだ", "ｽﾐﾀﾞ", "セイキ", "すみだせいき", "スミダ セイキ", "ダセ"]
)
def test_a_name_is_found_by_its_reading(query):
    assert matches(reading_tokens("カブシキガイシャ スミダセイキ", SEED), parse_query(query, SEED))


def test_a_reading_does_not_match_other_kana():
    assert not matches(reading_tokens("スミダセイキ", SEED), parse_query("すみよし", SEED))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("メーカー", "メカ"),  # an inner ー is kept: a very common word must not match メカ
        ("ビール", "ビル"),
        ("シリコーン", "シリコン"),
        ("SUS304", "SUS316"),
        ("鋳物", "鋳造"),  # related by synonyms, but spelled differently
    ],
)
def test_different_words_stay_different(one, other):
    assert query_tokens(one, SEED) != query_tokens(other, SEED)


# --- substring semantics ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("精密板金加工", "板金"),
        ("射出成形金型の設計", "金型"),
        ("試作品の製作", "試作"),
        ("TIG溶接・アーク溶接", "溶接"),
        ("鏡面研磨仕上げ", "研磨"),
        ("アルミ鋳造品", "鋳造"),
        ("冷間鍛造部品", "鍛造"),
        ("粉体塗装ライン", "塗装"),
        ("鉄工所", "鉄"),
        ("鋳鉄", "鉄"),
        ("精密板金加工", "精密板金加工"),
        ("精密板金加工", "密板金加"),
        ("精密板金加工", "工"),
        ("5軸マシニング加工", "5軸"),
        ("５軸加工", "5軸"),
        ("5軸加工", "５軸"),
        ("5軸加工", "軸"),
        ("SUS304L", "SUS"),
        ("SUS304L", "304"),
        ("SUS304L", "SUS304"),
        ("SUS304L", "sus304l"),
        ("A5052P", "A5052"),
        ("A-5052", "A5052"),
        ("レーザーカッター", "レーザー"),
        ("レーザカッタ", "レーザー"),
        ("ガイドローラー", "ローラ"),
        ("ローラーコンベア", "ローラー"),
        ("3Dプリンター", "3Dプリンタ"),
        ("金属3Dプリンタによる造形", "3Dプリンター"),
        ("ﾌﾟﾚｽ金型", "プレス"),
        ("精密、板金", '"精密 板金"'),
        ("精密板金加工 SUS304", "板金　SUS304"),  # two terms, separated by U+3000
    ],
)
def test_a_term_finds_documents_containing_it(document, query):
    assert finds(document, query)


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("金属加工 型抜き", "金型"),  # the characters exist, but not next to each other
        ("板 金", "板金"),
        ("鉄工所", "鋼"),
        ("精密板金加工", "板金工"),
        ("15軸", "5軸"),  # digits are whole words …
        ("SUS304", "SUS30"),  # … and so are letter runs
        ("versus", "SUS"),
        ("CNC旋盤", "cn"),
        ("メーカー", "メカ"),
        ("精密板金", '"精密 板金"'),  # a quoted phrase keeps its words apart
        ("精密板金加工", "板金 -加工"),
        ("精密板金加工", "板金 溶接"),
        ("", "板金"),
    ],
)
def test_a_term_does_not_find_documents_without_it(document, query):
    assert not finds(document, query)


KANJI = "板金型鉄工所精密加試作品"
MIXED = KANJI[:6] + "アイウカキーッ" + "あいう" + "12" + " ・"


def _random_text(rng: random.Random, alphabet: str, size: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def test_kanji_query_matches_exactly_when_it_is_a_substring():
    """Over kanji-only text, the bigram phrase (or one-character prefix) match is exactly substring."""
    rng = random.Random(20240401)
    for _ in range(2000):
        document = _random_text(rng, KANJI + " ", rng.randint(0, 12))
        query = _random_text(rng, KANJI[:6], rng.randint(1, 4))
        assert finds(document, query, NONE) == (query in document), (document, query)


def test_every_substring_of_mixed_text_finds_the_text():
    """Kana, ー, digits, spaces and dots included: normalising a substring keeps it a substring."""
    rng = random.Random(7)
    for _ in range(1500):
        document = _random_text(rng, MIXED, rng.randint(1, 14))
        start = rng.randrange(len(document))
        end = rng.randint(start + 1, len(document))
        if (start > 0 and document[start - 1 : start + 1].isdigit()) or (
            end < len(document) and document[end - 1 : end + 1].isdigit()
        ):
            continue  # digit runs are whole words, so a query may not cut one
        query = document[start:end]
        parsed = parse_query(f'"{query}"', NONE)
        if parsed.required:
            assert matches(tokens(document, NONE), parsed), (document, query)


# --- synonyms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("SUS304の精密部品", "ステンレス"),
        ("SUS316L", "ステンレス"),
        ("SUS304", "stainless"),  # relations chain
        ("SS400", "鉄"),
        ("SS400", "鋼"),
        ("S45C", "炭素鋼"),
        ("S45C", "鉄"),
        ("A5052", "アルミ"),
        ("A5052", "アルミニウム"),
        ("A7075-T6", "アルミ"),
        ("ADC12", "ダイカスト"),
        ("ADC12", "アルミ"),
        ("C3604", "真鍮"),
        ("C3604", "黄銅"),
        ("C3604", "銅"),  # 黄銅 contains 銅
        ("真鍮", "黄銅"),
        ("黄銅", "真鍮"),
        ("鋳物", "鋳造"),
        ("鋳造", "鋳物"),
        ("FC250", "鋳物"),
        ("CNC旋盤", "NC"),
        ("CNC旋盤", "NC旋盤"),
        ("CNC旋盤", "旋削"),
        ("MC加工", "マシニング"),
        ("MCナイロン", "樹脂"),
        ("POM", "樹脂"),
        ("ジュラコン", "樹脂"),
        ("焼き入れ", "熱処理"),
        ("ワイヤーカット", "放電加工"),
        ("めっき", "表面処理"),
        ("鍍金", "表面処理"),
        ("ABS樹脂", "プラスチック"),
        ("鋳物工場", "鋳造工場"),  # the snippet keeps the term's neighbourhood
        ("SUS304", "ステンレス304"),
    ],
)
def test_synonyms_expand_documents_towards_their_targets(document, query):
    assert finds(document, query)


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("ステンレス", "SUS304"),  # one-way: the general word does not find the designation
        ("鉄", "SS400"),
        ("アルミ", "A5052"),
        ("NC旋盤", "CNC"),
        ("MCナイロン", "マシニング"),  # the longer term MCナイロン shadows MC
        ("versus", "ステンレス"),  # whole words only
        ("表面処理", "めっき"),
        ("SUS304", "鉄"),  # stainless is not searched as 鉄
    ],
)
def test_synonyms_do_not_expand_backwards_or_inside_words(document, query):
    assert not finds(document, query)


def test_expansions_follow_a_segment_break():
    found = tokens("SS400", SEED)
    assert found[:2] == ["ss", "400"]
    assert found[2] == SEGMENT_BREAK
    assert found.count(SEGMENT_BREAK) == 2  # 鉄 and 鋼


def test_expansion_context_never_keeps_half_a_word():
    found = tokens("ABCDEFGHIJ鋳物", SEED)
    assert "cdefghij" not in found
    assert found.count("abcdefghij") == 1


def test_repeated_terms_expand_once():
    assert tokens("SS400 SS400 SS400", SEED).count(SEGMENT_BREAK) == 2


# --- token format -------------------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\u3000\u3000",
    '"',
    "'; DROP TABLE x; --",
    'a"b\'c:d*e^f(g)h{i}j[k]l<m>n|o&p!q\\r',
    "NEAR(a b) AND c OR d NOT e",
    "🔩🏭⚙️" * 50,
    "\x00\x01\x02\x7f\x9f",
    "\ud800\udfff",
    "\ue000外字\uf8ff",
    "ｱｲｳｴｵ" * 400,
    "x" * 10_000,
    "鉄" * 10_000,
    "１２３ＡＢＣ　ａｂｃ",
    "한국어 ελληνικά русский עברית العربية ٣٤٥",
    "﨑𠮷野家々〆〇ゝゞヽヾヿ",
    "ー" * 20,
    "-" * 20,
]


@pytest.mark.parametrize("text", NASTY)
def test_tokens_are_opaque_words(text):
    found = tokens(text, SEED) + reading_tokens(text, SEED) + list(query_tokens(text, SEED)[0])
    for token in found:
        assert token.isalnum(), repr(token)
        assert len(token) <= 64
    stored = analyzed_text(text, SEED)
    assert "  " not in stored
    assert stored == stored.strip()


def test_tokens_are_capped():
    assert len(tokens("鉄工" * 20_000, NONE)) == MAX_TOKENS


def test_long_words_are_cut():
    assert tokens("a" * 200, NONE) == ["a" * 64]


def test_segment_break_is_never_produced_by_text():
    assert SEGMENT_BREAK not in tokens(SEGMENT_BREAK, SEED)
    assert tokens(SEGMENT_BREAK, NONE) == ["brk", "0"]


def test_cjk_runs_become_bigrams_and_their_last_character():
    assert tokens("精密板金 加工 鉄 SUS304", NONE) == [
        "精密", "密板", "板金", "金", "加工", "工", "鉄", "sus", "304",
    ]


def test_query_tokens_leave_the_final_run_open():
    assert query_tokens("精密板金", NONE) == (("精密", "密板", "板金"), False)
    assert query_tokens("鉄", NONE) == (("鉄",), True)
    assert query_tokens("5軸", NONE) == (("5", "軸"), True)
    assert query_tokens("鉄5", NONE) == (("鉄", "5"), False)
    assert query_tokens("板金 加工", NONE) == (("板金", "金", "加工"), False)


def test_tsvector_literal_lists_positions():
    assert tsvector_literal(["鉄工", "工", "鉄工"]) == "'鉄工':1,3 '工':2"


# --- vocabulary ---------------------------------------------------------------------------------------


def test_seed_vocabulary_is_large_enough_and_loads():
    path = Path(__file__).resolve().parents[1] / "data" / "vocabulary_seed.tsv"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")
    rows = parse_vocabulary_tsv(text)
    assert len(rows) >= 80
    assert {row.kind for row in rows} == {"variant", "synonym"}
    assert Vocabulary.from_rows(rows).variants == SEED.variants


def test_variants_resolve_chains():
    vocabulary = Vocabulary.from_rows([("variant", "A", "B"), ("variant", "B", "C")])
    assert vocabulary.variants == {"a": "c", "b": "c"}


def test_rows_are_normalised_on_load():
    vocabulary = Vocabulary.from_rows(
        [VocabularyRow("variant", "ﾒｯｷ", "めっき", "no-op"), ("synonym", "ＳＵＳ", "ステンレス")]
    )
    assert vocabulary.variants == {}
    assert vocabulary.synonyms == {"sus": ("すてんれす",)}


def test_a_variant_is_not_applied_inside_its_own_canonical_form():
    vocabulary = Vocabulary.from_rows([("variant", "プラ", "プラスチック")])
    assert vocabulary.apply_variants(normalize("プラスチック")) == "ぷらすちっく"
    assert vocabulary.apply_variants(normalize("プラ製")) == "ぷらすちっく製"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("alias", "a", "b")], "kind"),
        ([("variant", "!!", "b")], "letters or digits"),
        ([("variant", "a", "b", "note", "extra")], "expected"),
        ([("variant", "a", "b"), ("variant", "a", "c")], "already maps"),
        ([("variant", "a", "b"), ("variant", "b", "a")], "cycle"),
    ],
)
def test_bad_rows_are_refused(rows, message):
    with pytest.raises(VocabularyError, match=message):
        Vocabulary.from_rows(rows)


def test_a_malformed_dictionary_line_names_its_number():
    with pytest.raises(VocabularyError, match="line 2"):
        parse_vocabulary_tsv("# comment\nvariant only-two-fields")


def test_synonym_cycles_are_harmless():
    vocabulary = Vocabulary.from_rows([("synonym", "鋳物", "鋳造"), ("synonym", "鋳造", "鋳物")])
    assert vocabulary.synonyms == {"鋳物": ("鋳造",), "鋳造": ("鋳物",)}
