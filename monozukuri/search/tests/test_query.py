"""Query parsing and rendering; the FTS5 rendering is also run against SQLite's own FTS5 in memory."""

from __future__ import annotations

import re
import sqlite3

import pytest

from monozukuri.search.analysis import Vocabulary, analyzed_text, load_seed_vocabulary, tokens
from monozukuri.search.query import (
    MAX_CLAUSES,
    MAX_QUERY_LENGTH,
    MAX_TOKENS_PER_CLAUSE,
    ParsedQuery,
    TermQuery,
    parse_query,
    to_fts5_match,
    to_tsquery,
)
from monozukuri.search.tests.test_analysis import NASTY, matches

SEED = load_seed_vocabulary()
NONE = Vocabulary()


def clauses(parsed: ParsedQuery) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    return [c.tokens for c in parsed.required], [c.tokens for c in parsed.excluded]


# --- parsing ------------------------------------------------------------------------------------------


def test_terms_are_anded_across_any_whitespace():
    for query in ("板金 溶接", "板金\u3000溶接", "板金\t\n溶接", "　板金　　溶接　"):
        parsed = parse_query(query, SEED)
        assert [c.text for c in parsed.required] == ["板金", "溶接"]
        assert not parsed.excluded


def test_a_quoted_phrase_is_one_clause():
    parsed = parse_query('"精密 板金" 東京', SEED)
    assert [(c.text, c.quoted) for c in parsed.required] == [("精密 板金", True), ("東京", False)]
    assert parsed.phrases[0].tokens == ("精密", "密", "板金")
    assert [c.text for c in parsed.terms] == ["東京"]


@pytest.mark.parametrize("query", ["「精密 板金」", "『精密 板金』", "“精密 板金”", "＂精密 板金＂"])
def test_japanese_and_typographic_quotes_make_phrases(query):
    assert parse_query(query, SEED).required[0].tokens == ("精密", "密", "板金")


def test_an_unclosed_quote_runs_to_the_end():
    parsed = parse_query('鉄 "精密 板金', SEED)
    assert [c.text for c in parsed.required] == ["鉄", "精密 板金"]


@pytest.mark.parametrize("query", ["板金 -鋳造", "板金 －鋳造", "板金 −鋳造", "板金 ー鋳造", "板金 --鋳造"])
def test_a_leading_minus_excludes(query):
    assert clauses(parse_query(query, SEED)) == ([("板金",)], [("鋳造",)])


def test_an_excluded_phrase():
    assert clauses(parse_query('板金 -"精密 加工"', SEED)) == ([("板金",)], [("精密", "密", "加工")])


@pytest.mark.parametrize(
    ("query", "required"),
    [("-", []), ("- 板金", [("板金",)]), ("板金 -", [("板金",)]), ("板金 - -", [("板金",)])],
)
def test_a_lone_minus_is_ignored(query, required):
    assert clauses(parse_query(query, SEED)) == (required, [])


def test_a_minus_inside_a_word_is_text():
    assert parse_query("SUS304-2B", SEED).required[0].tokens == ("sus", "304", "2", "b")


def test_query_terms_use_the_same_variants_as_documents():
    assert parse_query("鈑金", SEED).required[0].tokens == parse_query("板金", SEED).required[0].tokens
    assert parse_query("メッキ", SEED).required[0].tokens == parse_query("鍍金", SEED).required[0].tokens


def test_query_terms_drop_company_forms():
    assert clauses(parse_query("㈱スミダ", SEED)) == clauses(parse_query("スミダ", SEED))
    assert parse_query("株式会社", SEED).is_empty


def test_clauses_without_words_are_dropped():
    parsed = parse_query("🔩 !!! 板金 ( ) *", SEED)
    assert [c.text for c in parsed.required] == ["板金"]


def test_operators_are_plain_words():
    parsed = parse_query("鉄 OR 銅 NEAR AND", SEED)
    assert [c.tokens for c in parsed.required] == [("鉄",), ("or",), ("銅",), ("near",), ("and",)]


def test_repeated_clauses_count_once():
    assert len(parse_query("板金 板金 鈑金", SEED).required) == 1


def test_the_number_of_clauses_is_capped():
    parsed = parse_query(" ".join(f"語{i}" for i in range(50)), SEED)
    assert len(parsed.required) == MAX_CLAUSES
    assert parsed.truncated


def test_long_input_is_cut():
    parsed = parse_query("板金" + " " * MAX_QUERY_LENGTH + "溶接", SEED)
    assert [c.text for c in parsed.required] == ["板金"]
    assert parsed.truncated


def test_a_long_phrase_is_cut_and_stays_a_phrase():
    parsed = parse_query("鉄" * 200, SEED)
    assert len(parsed.required[0].tokens) == MAX_TOKENS_PER_CLAUSE
    assert not parsed.required[0].prefix


def test_only_exclusions_is_an_empty_query():
    parsed = parse_query("-鋳造", SEED)
    assert parsed.is_empty
    assert to_fts5_match(parsed) == ""
    assert to_tsquery(parsed) == ""


@pytest.mark.parametrize("query", [None, "", "   ", "\u3000"])
def test_nothing_typed_is_an_empty_query(query):
    assert parse_query(query, SEED) == ParsedQuery()


# --- rendering ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("板金", '"板金"', "'板金'"),
        ("鉄", '"鉄"*', "'鉄':*"),
        ("5軸", '"5 軸"*', "('5' <-> '軸':*)"),
        ("精密板金", '"精密 密板 板金"', "('精密' <-> '密板' <-> '板金')"),
        ("板金　SUS304", '"板金" AND "sus 304"', "'板金' & ('sus' <-> '304')"),
        ("板金 -鋳造", '"板金" NOT "鋳造"', "'板金' & !'鋳造'"),
        (
            "板金 溶接 -鋳造 -鉄",
            '("板金" AND "溶接") NOT "鋳造" NOT "鉄"*',
            "'板金' & '溶接' & !'鋳造' & !'鉄':*",
        ),
    ],
)
def test_rendering(query, fts5, tsquery):
    parsed = parse_query(query, SEED)
    assert to_fts5_match(parsed) == fts5
    assert to_tsquery(parsed) == tsquery


def test_renderers_escape_quotes_in_tokens():
    parsed = ParsedQuery(required=(TermQuery(text="x", tokens=('a"b', "c'd\\")),))
    assert to_fts5_match(parsed) == '"a""b c\'d\\"'
    assert to_tsquery(parsed) == "('a\"b' <-> 'c''d\\\\')"


NASTY_QUERIES = [
    *NASTY,
    '"',
    '""',
    '"""',
    '"板金',
    '板金"',
    "-",
    "--",
    "- -",
    '-"',
    '-""',
    "鉄*",
    "*鉄",
    "^鉄",
    "name:鉄",
    "(鉄 OR 銅)",
    "NEAR(鉄 銅, 2)",
    "鉄 AND NOT 銅",
    "{a b}: c",
    "a + b",
    "'''",
    "\\",
    "%_",
    "鉄' OR '1'='1",
    "!鉄 & 銅 | 真鍮 <-> ステンレス :*",
    "「",
    "」板金「",
    "ー",
    "ーー鉄",
    "🔩 -🏭 \"⚙️\"",
    "板金 " * 5000,
]


def _balanced_single_quotes(expression: str) -> bool:
    return len(re.sub(r"'(?:[^'\\]|''|\\.)*'", "", expression).replace(":*", "").split("'")) == 1


@pytest.mark.parametrize("query", NASTY_QUERIES)
def test_any_input_parses_and_renders_well_formed_expressions(query):
    parsed = parse_query(query, SEED)
    fts5 = to_fts5_match(parsed)
    tsquery = to_tsquery(parsed)
    assert fts5.count('"') % 2 == 0
    assert _balanced_single_quotes(tsquery)
    assert bool(fts5) == bool(tsquery) == (not parsed.is_empty)
    assert len(parsed.required) + len(parsed.excluded) <= MAX_CLAUSES
    residue = re.sub(r"'(?:[^']|'')*'(:\*)?", "L", tsquery)
    assert re.fullmatch(r"[L()<\->&! ]*", residue), residue


# --- the FTS5 rendering against SQLite ---------------------------------------------------------------

DOCUMENTS = [
    "精密板金加工 SUS304 レーザー加工",
    "射出成形金型の設計・製作",
    "試作品の製作から量産まで",
    "ＴＩＧ溶接、アルミ溶接",
    "鏡面研磨 バフ研磨",
    "アルミ鋳造 ダイカスト",
    "冷間鍛造部品 S45C",
    "粉体塗装 焼付塗装",
    "有限会社 鉄工所",
    "金属加工 型抜き",
    "鍍金 無電解ニッケル",
    "５軸マシニングセンタ A5052",
    "ＣＮＣ旋盤 C3604 真鍮",
    "SS400 製缶 溶接",
    "MCナイロン 切削",
    "板金曲げ加工",
    "高周波焼き入れ・焼戻し",
]


def _fts5(tokenizer: str) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(f"CREATE VIRTUAL TABLE doc USING fts5(body, tokenize={tokenizer!r})")
    except sqlite3.OperationalError as error:  # pragma: no cover - SQLite built without FTS5
        pytest.skip(f"FTS5 unavailable: {error}")
    connection.executemany(
        "INSERT INTO doc(rowid, body) VALUES (?, ?)",
        [(i, analyzed_text(text, SEED)) for i, text in enumerate(DOCUMENTS)],
    )
    return connection


TOKENIZERS = ["unicode61 remove_diacritics 0", "ascii"]

QUERIES = [
    "板金", "鈑金", "金型", "試作", "溶接", "研磨", "鋳造", "鋳物", "鍛造", "塗装", "鉄", "めっき",
    "メッキ", "ステンレス", "SUS304", "sus", "アルミ", "アルミニウム", "真鍮", "黄銅", "NC旋盤", "5軸",
    "５軸", "鋼", "樹脂", "マシニング", "レーザ", "板金 -レーザー", "溶接 -アルミ", '"加工 型抜"',
    "加工 型", "表面処理", "工", "熱処理", "ニッケル",
]


@pytest.mark.parametrize("tokenizer", TOKENIZERS)
@pytest.mark.parametrize("query", QUERIES)
def test_fts5_finds_what_the_reference_matcher_finds(tokenizer, query):
    connection = _fts5(tokenizer)
    parsed = parse_query(query, SEED)
    expected = {i for i, text in enumerate(DOCUMENTS) if matches(tokens(text, SEED), parsed)}
    rows = connection.execute("SELECT rowid FROM doc WHERE doc MATCH ?", (to_fts5_match(parsed),))
    found = {row[0] for row in rows}
    assert found == expected
    assert expected, "every query in the table should find something"


@pytest.mark.parametrize("tokenizer", TOKENIZERS)
def test_fts5_accepts_every_rendered_query(tokenizer):
    connection = _fts5(tokenizer)
    for query in NASTY_QUERIES:
        expression = to_fts5_match(parse_query(query, SEED))
        if expression:
            connection.execute("SELECT count(*) FROM doc WHERE doc MATCH ?", (expression,)).fetchone()


@pytest.mark.parametrize("tokenizer", TOKENIZERS)
def test_fts5_reads_each_stored_token_as_one_word(tokenizer):
    connection = _fts5(tokenizer)
    texts = [*DOCUMENTS, "한국어 ελληνικά ٣٤٥ Straße 﨑𠮷野家々〆〇ゝゞヽヾヿ ゔ ヷ"]
    stored = analyzed_text(texts[-1], SEED)
    connection.execute("INSERT INTO doc(rowid, body) VALUES (?, ?)", (len(texts) - 1, stored))
    connection.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(doc, 'instance')")
    for rowid, text in enumerate(texts):
        rows = connection.execute("SELECT term FROM vocab WHERE doc = ? ORDER BY offset", (rowid,))
        assert [row[0] for row in rows] == tokens(text, SEED), text
