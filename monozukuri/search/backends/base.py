"""What every backend implements, and the engine-neutral form of a query.

A ``Match`` is the text-index condition: required phrases (from the search box), facet groups (filters:
tokens OR-ed within a group, groups AND-ed) and excluded phrases. ``Where`` holds the conditions on
stored columns that the text index cannot express (an employee range, an exact distance). Backends
render both and run the handful of operations the planner (engine.py) combines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from monozukuri.search.documents import ALL_TOKEN, CHAR_PREFIX, IndexDocument
from monozukuri.search.geo import Point
from monozukuri.search.query import TermQuery


@dataclass(frozen=True)
class Match:
    required: tuple[TermQuery, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[TermQuery, ...] = ()

    def with_group(self, tokens: Sequence[str]) -> Match:
        return Match(self.required, (*self.groups, tuple(tokens)), self.excluded)

    @property
    def has_text(self) -> bool:
        return bool(self.required)


@dataclass(frozen=True)
class Where:
    employees_min: int | None = None
    employees_max: int | None = None
    center: Point | None = None
    radius_km: float | None = None

    @property
    def empty(self) -> bool:
        return self.employees_min is None and self.employees_max is None and self.radius_km is None


# What the planner reads of a hit: (doc_key, facet tokens[, latitude, longitude]). Plain tuples: a
# facet count reads thousands of them.
Row = tuple[Any, ...]


ORDER_COLUMNS = {
    # order name → (column expression, direction) for the stored sort keys; ties by object id
    "name": ("sort_name", "ASC"),
    "confirmed": ("confirmed_key", "DESC"),
    "rank": ("doc_key", "DESC"),
}


class Backend(Protocol):
    vendor: str
    parallel_writes: bool

    def upsert(self, docs: Sequence[IndexDocument]) -> None: ...

    def prepare(self, docs: Sequence[IndexDocument]) -> Any: ...

    def shadow_create(self) -> None: ...

    def shadow_insert(self, prepared: Any) -> None: ...

    def shadow_finish(self) -> None: ...

    def shadow_swap(self) -> None: ...

    def shadow_drop(self) -> None: ...

    def delete(self, object_ids: Sequence[int]) -> None: ...

    def count(self, match: Match, where: Where, *, cap: int | None) -> int: ...

    def ranked(
        self, match: Match, where: Where, *, offset: int, limit: int, today_key: int
    ) -> list[tuple[int, float]]: ...

    def ordered(
        self, match: Match, where: Where, *, order: str, offset: int, limit: int, scan: bool
    ) -> list[int]: ...

    def best_first(self, match: Match, where: Where, *, limit: int) -> list[int]: ...

    def rows(self, match: Match, where: Where, *, limit: int, points: bool = False) -> list[Row]: ...

    def points(self, object_ids: Sequence[int]) -> dict[int, tuple[float | None, float | None]]: ...


# --- FTS5 ---------------------------------------------------------------------------------------------


def _fts5_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _single_character(clause: TermQuery) -> str | None:
    """The character token that replaces a one-character prefix clause (see documents.char_tokens)."""
    if clause.prefix and len(clause.tokens) == 1 and len(clause.tokens[0]) == 1:
        return CHAR_PREFIX + clause.tokens[0]
    return None


def fts5_phrase(clause: TermQuery) -> str:
    char = _single_character(clause)
    if char is not None:
        return _fts5_string(char)
    return _fts5_string(" ".join(clause.tokens)) + ("*" if clause.prefix else "")


def fts5_match(match: Match) -> str:
    """An FTS5 MATCH expression. Every term is a quoted string, so nothing reads as an operator."""
    parts = [fts5_phrase(c) for c in match.required]
    for group in match.groups:
        quoted = [_fts5_string(t) for t in group]
        parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    if not parts:
        parts = [_fts5_string(ALL_TOKEN)]
    expression = " AND ".join(parts)
    if match.excluded:
        expression = "(" + expression + ")" + "".join(f" NOT {fts5_phrase(c)}" for c in match.excluded)
    return expression


def fts5_text_match(match: Match) -> str:
    """The text clauses alone (for ranking)."""
    return " AND ".join(fts5_phrase(c) for c in match.required)


# --- PostgreSQL tsquery ---------------------------------------------------------------------------------


def _ts_lexeme(token: str, prefix: bool = False) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def ts_phrase(clause: TermQuery) -> str:
    char = _single_character(clause)
    if char is not None:
        return _ts_lexeme(char)
    last = len(clause.tokens) - 1
    lexemes = [_ts_lexeme(t, clause.prefix and i == last) for i, t in enumerate(clause.tokens)]
    return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]


def tsquery(match: Match) -> str:
    """Text for a ``::tsquery`` cast (no parser, no dictionary: our tokens are the lexemes)."""
    parts = [ts_phrase(c) for c in match.required]
    for group in match.groups:
        lexemes = [_ts_lexeme(t) for t in group]
        parts.append(lexemes[0] if len(lexemes) == 1 else "(" + " | ".join(lexemes) + ")")
    if not parts:
        parts = [_ts_lexeme(ALL_TOKEN)]
    parts.extend(f"!{ts_phrase(c)}" for c in match.excluded)
    return " & ".join(parts)


def ts_text_query(match: Match) -> str:
    return " & ".join(ts_phrase(c) for c in match.required)
