"""Index keys: facet tokens, sample levels, ranks, gojūon keys."""

from __future__ import annotations

import datetime

import pytest

from monozukuri.search.analysis import load_seed_vocabulary, tokens
from monozukuri.search.documents import (
    MAX_RANK,
    confirmed_key,
    doc_key,
    facet_text_token,
    facet_text_value,
    facet_token,
    gojuon_key,
    object_id_of,
    rank_of,
    sample_tokens,
)


@pytest.mark.parametrize(
    ("prefix", "value", "token"),
    [
        ("m", "131075", "m131075"),
        ("k", "large_company", "k0largecompany"),
        ("j", "09", "j09"),
        ("c", 12, "c12"),
    ],
)
def test_facet_tokens(prefix: str, value: object, token: str) -> None:
    assert facet_token(prefix, value) == token


@pytest.mark.parametrize("name", ["ISO 9001", "ＩＳＯ　９００１", "エコアクション21", "JIS Q 9100"])
def test_free_text_facet_values_survive_the_round_trip(name: str) -> None:
    token = facet_text_token("x", name)
    assert token.isalnum()
    assert token.isascii()
    assert facet_text_value(token, "x").replace(" ", "") in {
        name.replace(" ", ""),
        "ISO9001",
        "エコアクション21",
    }
    assert facet_text_token("x", "iso 9001") == facet_text_token("x", "ＩＳＯ　９００１")


@pytest.mark.parametrize(
    "text", ["m131075 c12 k0manufacturer", "ISO 9001 エコアクション21 z1 g1r6285c12792 a0"]
)
def test_no_text_or_query_produces_a_facet_or_match_only_token(text: str) -> None:
    produced = set(tokens(text, load_seed_vocabulary()))
    assert not produced & {"m131075", "c12", "k0manufacturer", "z1", "a0", "g1r6285c12792"}


def test_sample_levels_are_nested_and_halve() -> None:
    levels = [len(sample_tokens(i)) for i in range(1, 40_001)]
    for k in (1, 2, 3, 4):
        share = sum(1 for n in levels if n >= k) / len(levels)
        assert share == pytest.approx(0.5**k, rel=0.15)
    assert all(sample_tokens(i) == [f"z{k}" for k in range(1, len(sample_tokens(i)) + 1)] for i in range(100))


def test_rank_rises_with_the_confirmation_date_and_completeness() -> None:
    day = datetime.date(2025, 4, 1)
    assert rank_of(confirmed=day, completeness=0) < rank_of(confirmed=day, completeness=1)
    assert rank_of(confirmed=day - datetime.timedelta(days=30), completeness=0) < rank_of(
        confirmed=day, completeness=0
    )
    assert rank_of(confirmed=None, completeness=0) == 0
    assert 0 <= rank_of(confirmed=datetime.date(2199, 1, 1), completeness=1) <= MAX_RANK
    assert confirmed_key(None) == 0
    assert confirmed_key(datetime.date(2000, 1, 1)) == 1


def test_doc_key_orders_by_rank_then_id_and_keeps_the_id() -> None:
    assert doc_key(2, 5) > doc_key(1, 2**32 - 1)
    assert object_id_of(doc_key(1234, 987654)) == 987654
    with pytest.raises(ValueError, match="out of range"):
        doc_key(1, 2**32)


def test_gojuon_keys_sort_voiced_kana_with_plain_kana_and_names_without_reading_last() -> None:
    readings = ["ばんきん", "はやし", "ぱいぷ", "ハヤシ", "あーく", "あいだ", "かぶしきがいしゃあおき"]
    keys = sorted(readings, key=lambda r: (gojuon_key(r, "x"), r))
    # ー counts as the vowel it lengthens (あーく = ああく); ぱ and ば sort as は (ぱいぷ = はいふ)
    assert keys == ["あーく", "あいだ", "かぶしきがいしゃあおき", "ぱいぷ", "はやし", "ハヤシ", "ばんきん"]
    assert gojuon_key("", "山田製作所") > gojuon_key("わ", "x")
    assert gojuon_key("ハヤシ", "x") == gojuon_key("はやし", "x")
