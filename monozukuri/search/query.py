"""Search queries: parse what a person typed, render it for SQLite FTS5 or PostgreSQL ``tsquery``.

Grammar (never raises; anything it does not understand is just text):

* clauses are separated by whitespace (any, including U+3000) and are all required (AND);
* ``"…"`` (also ＂…＂, “…”, 「…」, 『…』) is a phrase: its words must appear in that order, each right
  after the other (separated only by spaces or punctuation).  An unclosed quote runs to the end;
* a leading ``-`` (also －, −, or ー as typed by a Japanese IME) excludes the clause: ``-鋳造``,
  ``-"精密 板金"``.  A lone ``-`` is ignored;
* ``AND``, ``OR``, ``NOT``, ``NEAR``, ``*``, ``^``, ``:``, parentheses … have no meaning: they are
  analysed like any other text (operators become words, symbols become separators).

Each clause becomes a ``TermQuery``: the tokens of ``analysis.query_tokens`` (a phrase of consecutive
tokens, the last one possibly a prefix).  A clause whose text yields no tokens (only symbols or emoji)
is dropped.  Limits, so that any input costs a bounded amount of work:

* ``MAX_QUERY_LENGTH`` characters of input are read, the rest ignored;
* ``MAX_CLAUSES`` clauses (required and excluded together, in the order typed), the rest ignored;
* ``MAX_TOKENS_PER_CLAUSE`` tokens per clause: a longer phrase is cut, which can only widen the match.

Synonyms are expanded when documents are indexed, not here (see the decision record 0004).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from monozukuri.search.analysis import Vocabulary, query_tokens, sanitize

__all__ = [
    "MAX_CLAUSES",
    "MAX_QUERY_LENGTH",
    "MAX_TOKENS_PER_CLAUSE",
    "ParsedQuery",
    "TermQuery",
    "parse_query",
    "to_fts5_match",
    "to_tsquery",
]

MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 20
MAX_TOKENS_PER_CLAUSE = 32

_QUOTES = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "「": "」", "『": "』"}
_MINUS = "-\u2010\u2212\u30fc"


@dataclass(frozen=True)
class TermQuery:
    """One clause: ``tokens`` must occur consecutively and in order; with ``prefix`` the last token
    matches every indexed token that starts with it."""

    text: str
    tokens: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """Required clauses (all must match) and excluded clauses (none may match)."""

    required: tuple[TermQuery, ...] = ()
    excluded: tuple[TermQuery, ...] = ()
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        """True when nothing is required: such a query matches nothing (exclusions alone are ignored)."""
        return not self.required

    @property
    def terms(self) -> tuple[TermQuery, ...]:
        return tuple(clause for clause in self.required if not clause.quoted)

    @property
    def phrases(self) -> tuple[TermQuery, ...]:
        return tuple(clause for clause in self.required if clause.quoted)


def _clauses(text: str) -> Iterator[tuple[str, bool, bool]]:
    """Split into (text, excluded, quoted) clauses."""
    position, length = 0, len(text)
    while position < length:
        if text[position].isspace():
            position += 1
            continue
        excluded = False
        while position < length and text[position] in _MINUS:
            excluded = True
            position += 1
        if position >= length or text[position].isspace():
            continue
        opening = text[position]
        if opening in _QUOTES:
            closing = text.find(_QUOTES[opening], position + 1)
            end = length if closing == -1 else closing
            yield text[position + 1 : end], excluded, True
            position = end + 1
        else:
            end = position
            while end < length and not text[end].isspace():
                end += 1
            yield text[position:end], excluded, False
            position = end


def parse_query(q: str | None, vocabulary: Vocabulary | None = None) -> ParsedQuery:
    """Parse a search box entry; ``vocabulary=None`` means the seed dictionary (use the index's)."""
    raw = str(q or "")
    truncated = len(raw) > MAX_QUERY_LENGTH
    text = unicodedata.normalize("NFKC", sanitize(raw[:MAX_QUERY_LENGTH]))[: 2 * MAX_QUERY_LENGTH]
    required: list[TermQuery] = []
    excluded: list[TermQuery] = []
    seen: set[tuple[bool, tuple[str, ...], bool]] = set()
    for clause_text, is_excluded, quoted in _clauses(text):
        if len(required) + len(excluded) >= MAX_CLAUSES:
            truncated = True
            break
        clause_tokens, prefix = query_tokens(clause_text, vocabulary)
        if not clause_tokens:
            continue
        if len(clause_tokens) > MAX_TOKENS_PER_CLAUSE:
            clause_tokens, prefix, truncated = clause_tokens[:MAX_TOKENS_PER_CLAUSE], False, True
        key = (is_excluded, clause_tokens, prefix)
        if key in seen:
            continue
        seen.add(key)
        clause = TermQuery(text=clause_text.strip(), tokens=clause_tokens, prefix=prefix, quoted=quoted)
        (excluded if is_excluded else required).append(clause)
    return ParsedQuery(required=tuple(required), excluded=tuple(excluded), truncated=truncated)


def _fts5_phrase(clause: TermQuery) -> str:
    body = " ".join(token.replace('"', '""') for token in clause.tokens)
    return f'"{body}"' + ("*" if clause.prefix else "")


def to_fts5_match(parsed: ParsedQuery) -> str:
    """An FTS5 ``MATCH`` expression: ``"a b" AND "c"* NOT "d"``; ``''`` when nothing is required.

    Every clause is one double-quoted string, so no token can be read as an operator; the table's
    tokenizer splits the string at the spaces back into the phrase's tokens.
    """
    if not parsed.required:
        return ""
    expression = " AND ".join(_fts5_phrase(clause) for clause in parsed.required)
    if parsed.excluded:
        if len(parsed.required) > 1:
            expression = f"({expression})"
        expression += "".join(f" NOT {_fts5_phrase(clause)}" for clause in parsed.excluded)
    return expression


def _ts_lexeme(token: str, prefix: bool) -> str:
    quoted = "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + (":*" if prefix else "")


def _ts_phrase(clause: TermQuery) -> str:
    last = len(clause.tokens) - 1
    lexemes = [_ts_lexeme(token, clause.prefix and i == last) for i, token in enumerate(clause.tokens)]
    return f"({' <-> '.join(lexemes)})" if len(lexemes) > 1 else lexemes[0]


def to_tsquery(parsed: ParsedQuery) -> str:
    """Text for PostgreSQL ``to_tsquery('simple', …)`` (or a ``::tsquery`` cast):
    ``('a' <-> 'b') & 'c':* & !'d'``; ``''`` when nothing is required."""
    if not parsed.required:
        return ""
    parts = [_ts_phrase(clause) for clause in parsed.required]
    parts.extend(f"!{_ts_phrase(clause)}" for clause in parsed.excluded)
    return " & ".join(parts)
