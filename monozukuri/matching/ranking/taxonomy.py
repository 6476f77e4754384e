"""The capability taxonomy as matching reads it: the tree, its words, and how two nodes relate.

A request names what it needs (chosen capabilities, plus those found in its text: 5軸加工, A5052,
ステンレス); a candidate holds capabilities. They meet through the tree: a candidate holding the node or a
narrower one (旋盤加工 for 切削加工) fully covers the need; one holding a broader node (マシニング加工 for
5軸加工) or a sibling covers it in part. Material designations (A5052, SUS304) are words of their
material node (アルミニウム, ステンレス), so "A5052" in a request meets a firm that works アルミ.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from monozukuri.search.analysis import Vocabulary, normalize

# How much of a need a held capability covers, by how the two nodes relate.
EXACT, NARROWER, BROADER, RELATED = "exact", "narrower", "broader", "related"
COVERAGE = {EXACT: 1.0, NARROWER: 1.0, BROADER: 0.5, RELATED: 0.25}
BROADER_STEP_DISCOUNT = 0.7  # each further level up covers less (切削加工 for 5軸加工: 0.5 × 0.7)
_ASCII_WORD = re.compile(r"[0-9a-z]+(?:[-.][0-9a-z]+)*")


@dataclass(frozen=True)
class Node:
    id: int
    kind: str
    label: str
    label_en: str
    parent_id: int | None


@dataclass(frozen=True)
class Coverage:
    need_id: int
    held_id: int
    relation: str
    value: float


@dataclass
class Taxonomy:
    nodes: dict[int, Node]
    children: dict[int, list[int]] = field(default_factory=dict)
    surfaces: list[tuple[str, int, bool]] = field(default_factory=list)  # (normalised word, id, ascii)
    _below: dict[int, frozenset[int]] = field(default_factory=dict, repr=False)
    _above: dict[int, tuple[int, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, rows: Iterable[object], vocabulary: Vocabulary | None = None) -> Taxonomy:
        """From Capability rows (id, kind, label, label_en, reading, synonyms, designations, parent_id)."""
        nodes: dict[int, Node] = {}
        surfaces: list[tuple[str, int, bool]] = []
        seen: set[tuple[str, int]] = set()
        for cap in rows:
            node = Node(cap.pk, cap.kind, cap.label, cap.label_en, cap.parent_id)  # type: ignore[attr-defined]
            nodes[node.id] = node
            words = [cap.label, *(cap.synonyms or []), *(cap.designations or [])]  # type: ignore[attr-defined]
            for word in words:
                key = _fold(str(word), vocabulary)
                if not key or (key, node.id) in seen:
                    continue
                seen.add((key, node.id))
                surfaces.append((key, node.id, key.isascii()))
        children: dict[int, list[int]] = {}
        for node in nodes.values():
            if node.parent_id is not None:
                children.setdefault(node.parent_id, []).append(node.id)
        surfaces.sort(key=lambda s: -len(s[0]))
        return cls(nodes=nodes, children=children, surfaces=surfaces)

    # --- the tree -----------------------------------------------------------------------------------

    def ancestors(self, node_id: int) -> list[int]:
        """Parent, grandparent … (nearest first)."""
        cached = self._above.get(node_id)
        if cached is not None:
            return list(cached)
        out: list[int] = []
        current = self.nodes.get(node_id)
        while current is not None and current.parent_id is not None and current.parent_id not in out:
            out.append(current.parent_id)
            current = self.nodes.get(current.parent_id)
        self._above[node_id] = tuple(out)
        return out

    def descendants(self, node_id: int) -> set[int]:
        """The node and everything below it."""
        cached = self._below.get(node_id)
        if cached is not None:
            return set(cached)
        out: set[int] = set()
        stack = [node_id]
        while stack:
            current = stack.pop()
            if current in out:
                continue
            out.add(current)
            stack.extend(self.children.get(current, ()))
        self._below[node_id] = frozenset(out)
        return out

    def closure_down(self, ids: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for node_id in ids:
            out |= self.descendants(node_id)
        return out

    def label(self, node_id: int) -> str:
        node = self.nodes.get(node_id)
        return node.label if node else str(node_id)

    def is_material(self, node_id: int) -> bool:
        node = self.nodes.get(node_id)
        return node is not None and node.kind == "material"

    # --- relating a need to what a candidate holds -----------------------------------------------------

    def coverage(self, need_id: int, held: frozenset[int] | set[int]) -> Coverage | None:
        """The best cover of one need by a set of held capabilities (None: not covered at all)."""
        if need_id in held:
            return Coverage(need_id, need_id, EXACT, COVERAGE[EXACT])
        below = self._below.get(need_id)
        narrower = ((below if below is not None else frozenset(self.descendants(need_id))) - {need_id}) & held
        if narrower:
            return Coverage(need_id, min(narrower), NARROWER, COVERAGE[NARROWER])
        for step, ancestor in enumerate(self.ancestors(need_id)):
            if ancestor in held:
                return Coverage(need_id, ancestor, BROADER, COVERAGE[BROADER] * BROADER_STEP_DISCOUNT**step)
        parent = self.nodes[need_id].parent_id if need_id in self.nodes else None
        if parent is not None:
            siblings = (set(self.children.get(parent, ())) - {need_id}) & held
            if siblings:
                return Coverage(need_id, min(siblings), RELATED, COVERAGE[RELATED])
        return None

    # --- finding capabilities in text ---------------------------------------------------------------

    def detect(self, text: str, vocabulary: Vocabulary | None = None) -> list[tuple[int, str]]:
        """Capabilities named in a text (longest match wins: 5軸加工 hides 加工), each with the material
        designation it was named by (A5052) or "" when it was named by a word of its own."""
        folded = _fold(text, vocabulary)
        if not folded:
            return []
        ascii_words = {m.group(): None for m in _ASCII_WORD.finditer(folded)}
        taken: list[tuple[int, int]] = []
        found: dict[int, str] = {}
        for key, node_id, is_ascii in self.surfaces:
            if is_ascii:
                if key not in ascii_words:
                    continue
                start = folded.find(key)
            else:
                start = folded.find(key)
                if start < 0:
                    continue
            end = start + len(key)
            if any(s <= start and end <= e for s, e in taken):
                continue
            taken.append((start, end))
            mention = key.upper() if is_ascii and any(c.isdigit() for c in key) else ""
            if mention or node_id not in found:
                found[node_id] = mention or found.get(node_id, "")
        return list(found.items())


def fold(text: str, vocabulary: Vocabulary | None) -> str:
    """Text as words are compared in matching: the search analysis's normalisation and variants."""
    folded = normalize(text)
    return vocabulary.apply_variants(folded) if vocabulary is not None else folded


_fold = fold


_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F5)}
_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3095)}


def quick_fold(text: str) -> str:
    """Width and case folded (NFKC only where the text needs it): cheap enough for a few hundred
    candidates' whole texts. Terms are then looked for in every spelling (``spellings``) — kana in
    both scripts, canonical and variant forms — instead of rewriting the texts."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def spellings(term: str, vocabulary: Vocabulary | None) -> tuple[str, ...]:
    """The ways a term may be written in a quick-folded text: as typed, in its canonical form, with each
    canonical part in each of its variant spellings (板金 → 鈑金, めっき → 鍍金), kana in either script."""
    canonical = fold(term, vocabulary)
    forms = {quick_fold(term), canonical}
    if vocabulary is not None:
        for surface, target in vocabulary.variants.items():
            if target and target in canonical:
                forms.add(canonical.replace(target, surface))
    out: set[str] = set()
    for form in forms:
        out.update((form, form.translate(_TO_HIRAGANA), form.translate(_TO_KATAKANA)))
    return tuple(sorted(w for w in out if w))


def fold_document(parts: Iterable[str], vocabulary: Vocabulary | None = None) -> str:
    """A candidate's text as terms are looked up in it (see ``quick_fold``)."""
    return quick_fold("\n".join(p for p in parts if p))
