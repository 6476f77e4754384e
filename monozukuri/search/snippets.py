"""Snippets: a window of a hit's own text around what matched, with the matches marked.

The index matches analysed text; a snippet shows the original. Each original character is normalised
on its own (width, case, kana script, diacritics — the context-free part of ``analysis.normalize``),
variant spellings are replaced with a map back to the original offsets, and each query clause is
looked for as its normalised runs (a CJK run contiguous, Latin and digit runs separated by anything
but letters and digits). A document found through a synonym (SUS304 for ステンレス) has the synonym's
source terms marked. The marking is best-effort; whether a record matches is decided by the index.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

from monozukuri.search.analysis import Vocabulary, normalize
from monozukuri.search.query import ParsedQuery, TermQuery

__all__ = ["highlight", "snippet"]

_RUN_RE = re.compile(r"[0-9]+|[a-z\u00df-\u024f]+|[^\W\d_a-z]+")
_GROUP_MARKS = {"\uff9e", "\uff9f", "\u3099", "\u309a"}
_KANA_FOLD = {code: code - 0x60 for code in range(0x30A1, 0x30F5)}
_LATIN_EXTENDED = re.compile("[\u00c0-\u024f]")
_KATAKANA = re.compile("[\u30a1-\u30f4]+")


def _fold_katakana(match: re.Match[str]) -> str:
    return match.group().translate(_KANA_FOLD)


@lru_cache(maxsize=8192)
def _fold(chars: str) -> str:
    text = unicodedata.normalize("NFKC", chars).lower()
    text = "".join(unicodedata.normalize("NFD", ch)[0] if "\u00c0" <= ch <= "\u024f" else ch for ch in text)
    return text.translate(_KANA_FOLD)


def _folded_with_origin(text: str) -> tuple[str, Sequence[int]]:
    """The text folded (width, case, kana, diacritics) with each folded character's original offset."""
    nfkc = unicodedata.normalize("NFKC", text)
    if len(nfkc) == len(text):
        lowered = nfkc.lower()
        if len(lowered) == len(text):
            # One character for one (the usual case): fold the whole string at once.
            if _LATIN_EXTENDED.search(lowered):
                lowered = "".join(_fold(ch) if "\u00c0" <= ch <= "\u024f" else ch for ch in lowered)
            return _KATAKANA.sub(_fold_katakana, lowered), range(len(text))
    out: list[str] = []
    origin: list[int] = []
    index, length = 0, len(text)
    while index < length:
        end = index + 1
        while end < length and (text[end] in _GROUP_MARKS or unicodedata.category(text[end]) == "Mn"):
            end += 1
        folded = _fold(text[index:end])
        out.append(folded)
        origin.extend([index] * len(folded))
        index = end
    return "".join(out), origin


@lru_cache(maxsize=16)
def _spellings(vocabulary: Vocabulary) -> dict[str, tuple[str, ...]]:
    """Canonical form → the variant spellings that the analysis rewrites to it (鈑金 for 板金)."""
    out: dict[str, list[str]] = {}
    for term, target in vocabulary.variants.items():
        out.setdefault(target, []).append(term)
    return {target: tuple(sorted(terms, key=len, reverse=True)) for target, terms in out.items()}


def _run_pattern(run: str, spellings: dict[str, tuple[str, ...]]) -> str:
    """A run of the query, matching it as written or with one canonical form spelled as a variant."""
    alternatives = [re.escape(run)]
    for target, terms in spellings.items():
        start = run.find(target)
        while start != -1:
            for term in terms:
                alternatives.append(
                    re.escape(run[:start]) + re.escape(term) + re.escape(run[start + len(target) :])
                )
            start = run.find(target, start + 1)
    return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"


def _pattern_for(text: str, vocabulary: Vocabulary) -> str | None:
    runs = _RUN_RE.findall(vocabulary.apply_variants(normalize(text, for_name=True)))
    if not runs:
        return None
    spellings = _spellings(vocabulary)
    return r"[^0-9a-z\u3040-\u30ff\u4e00-\u9fff]*".join(_run_pattern(run, spellings) for run in runs)


@lru_cache(maxsize=256)
def _compiled(clauses: tuple[str, ...], vocabulary: Vocabulary) -> re.Pattern[str] | None:
    patterns: list[str] = []
    reverse: dict[str, list[str]] = {}
    for term, targets in vocabulary.synonyms.items():
        for target in targets:
            reverse.setdefault(target, []).append(term)
    for clause in clauses:
        pattern = _pattern_for(clause, vocabulary)
        if pattern:
            patterns.append(pattern)
        key = vocabulary.apply_variants(normalize(clause, for_name=True))
        for term in reverse.get(key, ()):
            extra = _pattern_for(term, vocabulary)
            if extra:
                patterns.append(extra)
    if not patterns:
        return None
    patterns.sort(key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _clause_texts(parsed: ParsedQuery) -> tuple[str, ...]:
    return tuple(clause.text for clause in parsed.required if isinstance(clause, TermQuery) and clause.text)


def highlight(text: str, parsed: ParsedQuery, vocabulary: Vocabulary) -> SafeString:
    """The whole text, HTML-escaped, with every match of the query marked."""
    return _render(text, parsed, vocabulary, width=None)


def snippet(
    texts: Sequence[str], parsed: ParsedQuery, vocabulary: Vocabulary, *, width: int = 110
) -> SafeString:
    """A window of about ``width`` characters of the first text with a match, matches marked; the start
    of the first non-empty text when nothing matches (the record matched by name or capability)."""
    pattern = _compiled(_clause_texts(parsed), vocabulary)
    if pattern is not None:
        for text in texts:
            spans = _spans(text, pattern, vocabulary) if text else []
            if spans:
                return _render(text, parsed, vocabulary, width=width, spans=spans)
    for text in texts:
        if text:
            cut = text[:width]
            return mark_safe(html.escape(cut) + ("…" if len(text) > width else ""))
    return mark_safe("")


def _spans(text: str, pattern: re.Pattern[str], vocabulary: Vocabulary) -> list[tuple[int, int]]:
    folded, origin = _folded_with_origin(text)
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        if match.end() <= match.start():
            continue
        start = origin[match.start()]
        end = origin[match.end() - 1] + 1
        while end < len(text) and (text[end] in _GROUP_MARKS or unicodedata.category(text[end]) == "Mn"):
            end += 1
        spans.append((start, end))
    return spans


def _render(
    text: str,
    parsed: ParsedQuery,
    vocabulary: Vocabulary,
    *,
    width: int | None,
    spans: list[tuple[int, int]] | None = None,
) -> SafeString:
    if spans is None:
        pattern = _compiled(_clause_texts(parsed), vocabulary)
        spans = _spans(text, pattern, vocabulary) if pattern is not None else []
    begin, finish = 0, len(text)
    if width is not None and len(text) > width:
        first = spans[0][0] if spans else 0
        begin = max(0, min(first - width // 4, len(text) - width))
        finish = min(len(text), begin + width)
    pieces: list[str] = ["…" if begin > 0 else ""]
    position = begin
    for start, end in _merge(spans):
        if end <= begin or start >= finish:
            continue
        start, end = max(start, begin), min(end, finish)
        pieces.append(html.escape(text[position:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    pieces.append(html.escape(text[position:finish]))
    if finish < len(text):
        pieces.append("…")
    return mark_safe("".join(pieces))  # every piece of the text is escaped above


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
