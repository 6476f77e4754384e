"""Snippets mark what matched in the original text, escaped."""

from __future__ import annotations

import pytest

from monozukuri.search.analysis import load_seed_vocabulary
from monozukuri.search.query import parse_query
from monozukuri.search.snippets import highlight, snippet

V = load_seed_vocabulary()
TEXT = (
    "当社は精密鈑金加工のメーカーです。ＳＵＳ３０４やA5052の薄板、ﾚｰｻﾞｰ加工、TIG溶接、<b>組立</b>まで。"
    "鍍金は協力工場で。髙橋"
)


@pytest.mark.parametrize(
    ("q", "marked"),
    [
        ("板金", "鈑金"),
        ("sus304", "ＳＵＳ３０４"),
        ("ステンレス", "ＳＵＳ"),
        ("レーザー", "ﾚｰｻﾞ"),
        ("めっき", "鍍金"),
        ("高橋", "髙橋"),
        ("アルミ", "A5052"),
        ("組立", "組立"),
    ],
)
def test_a_variant_spelling_in_the_text_is_marked(q: str, marked: str) -> None:
    assert f"<mark>{marked}</mark>" in highlight(TEXT, parse_query(q, V), V)


def test_the_text_is_escaped_and_only_marks_are_markup() -> None:
    out = str(highlight(TEXT, parse_query("組立", V), V))
    assert "&lt;b&gt;" in out
    assert "<b>" not in out


def test_a_snippet_is_a_window_around_the_first_match() -> None:
    long = "あ" * 300 + "射出成形金型" + "い" * 300
    out = str(snippet([long], parse_query("金型", V), V, width=60))
    assert out.startswith("…")
    assert out.endswith("…")
    assert "<mark>金型</mark>" in out
    assert len(out.replace("<mark>", "").replace("</mark>", "")) <= 62


def test_without_a_match_in_the_texts_the_snippet_is_their_start() -> None:
    assert str(snippet(["", "製品の説明", "名前"], parse_query("溶接", V), V)) == "製品の説明"
    assert str(snippet([], parse_query("溶接", V), V)) == ""


def test_excluded_terms_are_not_marked() -> None:
    out = str(highlight("板金と塗装", parse_query("板金 -塗装", V), V))
    assert "<mark>板金</mark>" in out
    assert "<mark>塗装</mark>" not in out
