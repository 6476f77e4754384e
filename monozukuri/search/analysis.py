"""Japanese text analysis for search: one pipeline for documents and for queries.

Pipeline (``normalize`` → variants → tokens):

1. clean: drop format characters, variation selectors and lone surrogates; controls and private-use
   characters become spaces;
2. NFKC (ＮＣ → NC, ﾌﾟﾚｽ → プレス, ５ → 5, ㈱ → (株), U+3000 → space), then lower-case;
3. company-form markers removed (names only, ``for_name=True``; queries always);
4. kana: a hyphen or dash right after katakana is a long-vowel mark (コンピュ－タ); a middle dot between
   kana is dropped (レーザー・カッター); katakana folded to hiragana (メッキ → めっき; ヶ → け, ヵ → か);
5. long-vowel mark ー: repeats collapse; a ー not preceded by kana is a separator; a ー at the end of a
   kana run is dropped, so レーザー / レーザ, モーター / モータ, プリンター / プリンタ are one word,
   while the inner ー of データ or ビール is kept (ビール ≠ ビル, メーカー ≠ メカ).  The rule looks only at
   the neighbours of each ー, so a substring of a text still normalises to a substring of it;
6. whitespace collapsed to single spaces;
7. variant spellings from the domain dictionary replaced by their canonical form (鈑金 → 板金,
   鍍金 → めっき, アルミニウム → アルミ), in one left-to-right, longest-match pass.

Token format (what ``analyzed_text`` stores and what the query renderers emit):

* the text is cut into runs of one class: CJK (kanji, hiragana, the katakana left after folding, ー, 々〆〇);
  Latin letters (diacritics removed: café → cafe); ASCII digits; other letters and digits (Greek,
  Hangul ...).  Anything else separates runs.  Letters and digits are separate runs, so SUS304 →
  ``sus 304`` and 5軸 → ``5 軸``;
* a CJK run becomes its overlapping bigrams followed by its last character: 精密板金 →
  ``精密 密板 板金 金``; a one-character run is that character;
* any other run is one token, cut to ``MAX_WORD_LENGTH`` characters;
* synonym expansions (index side only) follow the text's own tokens, each as a short snippet (the target
  in place of the term, with up to ``SYNONYM_CONTEXT`` characters of its neighbourhood) preceded by
  ``SEGMENT_BREAK``, a token that analysis never produces (ASCII letters and digits are always split),
  so no phrase can run from one snippet into the next.  Join separately analysed fields with it too;
* every token therefore consists only of Unicode letters and digits: no spaces, quotes or operator
  characters.  SQLite FTS5 (``tokenize='unicode61 remove_diacritics 0'`` or ``'ascii'``) and PostgreSQL
  (``to_tsvector('simple', ...)``, or ``tsvector_literal``) both read each token as one opaque word, and
  positions are the token's index in the list, so both engines see the same words at the same places;
* at most ``MAX_TOKENS`` tokens (PostgreSQL's largest position) per text.

Why this gives substring semantics, and how a query term becomes tokens: see ``query_tokens`` and
docs/decisions/0004-search-analysis.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

__all__ = [
    "COMPANY_FORMS",
    "COMPANY_FORM_ABBREVIATIONS",
    "MAX_EXPANSIONS",
    "MAX_TOKENS",
    "MAX_WORD_LENGTH",
    "SEGMENT_BREAK",
    "SYNONYM_CONTEXT",
    "Vocabulary",
    "VocabularyError",
    "VocabularyRow",
    "analyzed_text",
    "load_seed_vocabulary",
    "normalize",
    "parse_vocabulary_tsv",
    "query_tokens",
    "reading_text",
    "reading_tokens",
    "sanitize",
    "tokens",
    "tsvector_literal",
]

MAX_WORD_LENGTH = 64
"""Longest non-CJK token; longer words are cut (the same way in documents and queries)."""

MAX_TOKENS = 16383
"""Most tokens per analysed text: PostgreSQL clamps positions above 16383, FTS5 does not."""

SYNONYM_CONTEXT = 6
"""Characters of neighbourhood kept on each side of a synonym target (same chunk of text only)."""

MAX_EXPANSIONS = 200
"""Most synonym snippets per text (identical snippets count once)."""

SEGMENT_BREAK = "brk0"
"""Separator token: letters followed by digits, which analysis always splits, so no text yields it."""

# Company-form markers (法人格), removed from names.  NFKC has already turned ㈱ / （株） into (株) and
# ㍿ into 株式会社 when these are applied.
COMPANY_FORMS: tuple[str, ...] = (
    "株式会社", "株式會社", "有限会社", "有限會社", "合同会社", "合資会社", "合名会社", "相互会社",
    "一般社団法人", "一般財団法人", "公益社団法人", "公益財団法人", "特定非営利活動法人", "npo法人",
    "社会福祉法人", "社会医療法人", "医療法人社団", "医療法人財団", "医療法人", "学校法人", "宗教法人",
    "独立行政法人", "地方独立行政法人", "国立研究開発法人", "国立大学法人", "農事組合法人",
    "有限責任事業組合",
)
# The one- or two-character abbreviations written in parentheses: (株) (有) (合) (一社) ...
COMPANY_FORM_ABBREVIATIONS: tuple[str, ...] = (
    "株", "有", "合", "同", "資", "名", "社", "財", "一社", "一財", "公社", "公財", "特非", "npo",
    "医", "学", "福", "独",
)
# Latin-script forms, as regular expressions over lower-cased text.
_LATIN_COMPANY_FORMS: tuple[str, ...] = (
    r"co\.?\s*,?\s*ltd", r"co\.?\s*,?\s*limited", r"company\s+limited", r"incorporated", r"inc",
    r"corporation", r"corp", r"ltd", r"llc", r"l\.l\.c", r"k\.k", r"g\.k", r"y\.k",
)
# Company forms as they appear in readings (法人名ふりがな), at the start or the end only.
_READING_COMPANY_FORMS: tuple[str, ...] = (
    "かぶしきがいしゃ", "かぶしきかいしゃ", "ゆうげんがいしゃ", "ゆうげんかいしゃ", "ごうどうがいしゃ",
    "ごうどうかいしゃ", "ごうしがいしゃ", "ごうめいがいしゃ", "いっぱんしゃだんほうじん",
    "いっぱんざいだんほうじん", "こうえきしゃだんほうじん", "こうえきざいだんほうじん",
    "とくていひえいりかつどうほうじん", "いりょうほうじん", "がっこうほうじん", "しゃかいふくしほうじん",
)

# --- character classes -------------------------------------------------------------------------------

# Kana proper (no ー, no ・ or ゛゜): hiragana, iteration marks, katakana, small katakana extensions.
_KANA = "\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff"
# Everything that forms a CJK run: kana, ー, 々〆〇〻, and ideographs (BMP, extension A, compatibility,
# planes 2 and 3).
_CJK = (
    _KANA + "\u30fc\u3005-\u3007\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
)
# Latin letters: ASCII and the lower-case letters of Latin-1 and Latin Extended-A/B that keep no ASCII
# form after diacritics are removed (ß, ø, æ …), so straße stays one word.
_LATIN = "a-z\u00df-\u00f6\u00f8-\u024f"
_RUN_RE = re.compile(
    rf"(?P<cjk>[{_CJK}]+)|(?P<alpha>[{_LATIN}]+)|(?P<digit>[0-9]+)"
    rf"|(?P<other>(?:(?![{_CJK}])[^\W_{_LATIN}0-9])+)"
)

# Removed outright: soft hyphen, zero-width and bidi controls, word joiners, BOM, variation selectors
# (ideographic variation sequences in names), lone surrogates from bad decoding.
_STRIP_RE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\ufe00-\ufe0f\U000e0100-\U000e01ef"
    "\ud800-\udfff]"
)
# Become spaces: C0/C1 controls, private use (外字 that no one else can read).
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\ue000-\uf8ff\U000f0000-\U0010ffff]")

_KATAKANA_HYPHEN_RE = re.compile("(?<=[\u30a1-\u30fa\u30fc])[-\u2010-\u2015\u2212\u2500\u2501]+")
_KANA_DOT_RE = re.compile(f"(?<=[{_KANA}\u30fc])[\u30fb\u00b7](?=[{_KANA}])")
_CHOON_RUN_RE = re.compile("\u30fc{2,}")
_CHOON_ORPHAN_RE = re.compile(f"(?<![{_KANA}])\u30fc")
_CHOON_FINAL_RE = re.compile(f"\u30fc(?![{_KANA}])")

# Latin letters with diacritics → their ASCII base letter (é → e, Ö → O), as FTS5's remove_diacritics does.
_DIACRITIC_FOLD: dict[int, str] = {
    code: base
    for code in range(0x00C0, 0x0250)
    if (base := unicodedata.normalize("NFD", chr(code))[0]).isascii() and base.isalpha()
}

_KANA_FOLD: dict[int, int | str] = {code: code - 0x60 for code in range(0x30A1, 0x30F5)}
_KATAKANA_RUN_RE = re.compile("[\u3095\u3096\u30a1-\u30f6\u30fd\u30fe]+")
_LATIN_EXTENDED_RE = re.compile("[\u00c0-\u024f]")
_HYPHEN_OR_DOT_RE = re.compile("[-\u2010-\u2015\u2212\u2500\u2501\u30fb\u00b7]")
_KANA_FOLD.update({0x30F5: "か", 0x30F6: "け", 0x3095: "か", 0x3096: "け", 0x30FD: 0x309D, 0x30FE: 0x309E})


def _class_of(char: str) -> str:
    """The run class of one normalised character: 'cjk', 'alpha', 'digit', 'other' or '' (separator)."""
    match = _RUN_RE.match(char)
    return (match.lastgroup or "") if match else ""


def _company_form_re() -> re.Pattern[str]:
    japanese = "|".join(re.escape(form) for form in sorted(COMPANY_FORMS, key=len, reverse=True))
    abbreviations = "|".join(re.escape(a) for a in sorted(COMPANY_FORM_ABBREVIATIONS, key=len, reverse=True))
    latin = "|".join(_LATIN_COMPANY_FORMS)
    return re.compile(
        rf"{japanese}|\(\s*(?:{abbreviations})\s*\)|(?<![a-z0-9])(?:{latin})\.?(?![a-z0-9])"
    )


_COMPANY_FORM_RE = _company_form_re()
_READING_FORM_RE = re.compile(
    "^(?:{forms})|(?:{forms})$".format(forms="|".join(_READING_COMPANY_FORMS))
)
# Bank-transfer style abbreviations in readings: カ)スミダ, スミダ(カ, (ユ)…
_READING_BANK_FORM_RE = re.compile(r"^\s*\(?\s*[かゆど]\s*\)|\(\s*[かゆど]\s*\)?\s*$")


# --- normalisation -----------------------------------------------------------------------------------


def sanitize(text: str) -> str:
    """Remove invisible characters and turn control characters into spaces (no other change)."""
    return _CONTROL_RE.sub(" ", _STRIP_RE.sub("", text))


def normalize(text: str, *, for_name: bool = False) -> str:
    """Fold width, case, kana script and long-vowel marks; drop company forms when ``for_name``."""
    if not text:
        return ""
    # Each step is skipped when the text has nothing it would change (translate with a large table
    # costs far more than a search for the characters it maps): indexing a million profiles runs this
    # a dozen times per profile.
    text = unicodedata.normalize("NFKC", sanitize(text))
    if _LATIN_EXTENDED_RE.search(text):
        text = text.translate(_DIACRITIC_FOLD)
    text = text.lower()
    if for_name:
        text = _COMPANY_FORM_RE.sub(" ", text)
    if _HYPHEN_OR_DOT_RE.search(text):
        text = _KATAKANA_HYPHEN_RE.sub("\u30fc", text)
        text = _KANA_DOT_RE.sub("", text)
    text = _KATAKANA_RUN_RE.sub(_fold_katakana_run, text)
    if "\u30fc" in text:
        text = _CHOON_RUN_RE.sub("\u30fc", text)
        text = _CHOON_ORPHAN_RE.sub(" ", text)
        text = _CHOON_FINAL_RE.sub("", text)
    return " ".join(text.split())


def _fold_katakana_run(match: re.Match[str]) -> str:
    return match.group().translate(_KANA_FOLD)


# --- the domain dictionary ---------------------------------------------------------------------------


class VocabularyError(ValueError):
    """A dictionary row that cannot be used (unknown kind, empty term, conflicting or cyclic variants)."""


class VocabularyRow(NamedTuple):
    """One dictionary row, as in the seed file and the staff-edited dictionary."""

    kind: str  # "variant" | "synonym"
    term: str
    target: str
    note: str = ""


VARIANT = "variant"
SYNONYM = "synonym"


class _Scanner:
    """Leftmost-longest search for dictionary keys in normalised text.

    A key whose first (last) character is a letter, digit or other word character matches only where the
    text's character before (after) it is of another class, so ``sus`` matches in ``sus304`` but not in
    ``versus``, and ``mc`` does not match in ``mcc``.  CJK ends match anywhere (substring semantics).
    """

    def __init__(self, keys: Iterable[str], guard: Mapping[str, str] | None = None) -> None:
        self._by_first: dict[str, list[str]] = {}
        unique = sorted(set(keys), key=len, reverse=True)
        for key in unique:
            self._by_first.setdefault(key[0], []).append(key)
        # One regular expression shaped like a trie of the keys: at each position the engine follows
        # a single branch and, being greedy, stops at the longest key (the leftmost-longest candidate).
        self._pattern = re.compile(_trie_pattern(unique)) if unique else None
        self._guard = guard or {}

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        if self._pattern is None:
            return
        position = 0
        while True:
            match = self._pattern.search(text, position)
            if match is None:
                return
            start, end = match.span()
            key = text[start:end]
            if self._bounded(text, start, end, key) and not self._guarded(text, start, key):
                yield start, end, key
                position = end
                continue
            # The longest key here is not usable: try the shorter ones at the same place.
            for key in self._by_first[text[start]]:
                end = start + len(key)
                if (
                    text.startswith(key, start)
                    and self._bounded(text, start, end, key)
                    and not self._guarded(text, start, key)
                ):
                    yield start, end, key
                    position = end
                    break
            else:
                position = start + 1

    @staticmethod
    def _bounded(text: str, start: int, end: int, key: str) -> bool:
        first, last = _class_of(key[0]), _class_of(key[-1])
        if start > 0 and first not in ("cjk", "") and _class_of(text[start - 1]) == first:
            return False
        return not (end < len(text) and last not in ("cjk", "") and _class_of(text[end]) == last)

    def _guarded(self, text: str, start: int, key: str) -> bool:
        """True where the text already reads as the key's canonical form (プラ inside プラスチック)."""
        canonical = self._guard.get(key)
        if not canonical or len(canonical) <= len(key):
            return False
        offset = canonical.find(key)
        while offset != -1:
            if offset <= start and text.startswith(canonical, start - offset):
                return True
            offset = canonical.find(key, offset + 1)
        return False


def _trie_pattern(keys: Iterable[str]) -> str:
    """A regular expression matching exactly the keys, greedy, nested by common prefix."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a key ends here: going on is optional (greedy, so longer keys win)
            return f"(?:{body})?"
        return body

    return emit(trie)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The domain dictionary, already normalised: variant spellings and one-way synonym relations.

    ``variants`` maps a surface form to its canonical form; both documents and queries are rewritten,
    so the forms match both ways.  ``synonyms`` maps a term to every target reachable from it (the
    closure of the one-way rows): a document containing the term is also indexed under each target.
    Build it with ``from_rows``; the maps given directly must already be normalised.
    """

    variants: Mapping[str, str] = field(default_factory=dict)
    synonyms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _variant_scanner: _Scanner = field(init=False, repr=False)
    _synonym_scanner: _Scanner = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_variant_scanner", _Scanner(self.variants, guard=self.variants))
        object.__setattr__(self, "_synonym_scanner", _Scanner(self.synonyms))

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[str]]) -> Vocabulary:
        """Build from rows ``(kind, term, target[, note])``; raise ``VocabularyError`` on a bad row.

        Rows whose term and target normalise to the same text are ignored.
        """
        raw_variants: dict[str, str] = {}
        raw_synonyms: list[tuple[str, str, int]] = []
        for number, row in enumerate(rows, start=1):
            if len(row) not in (3, 4):
                raise VocabularyError(f"row {number}: expected kind, term, target[, note]; got {row!r}")
            kind, term, target = (str(value).strip() for value in row[:3])
            norm_term, norm_target = normalize(term), normalize(target)
            if kind not in (VARIANT, SYNONYM):
                raise VocabularyError(f"row {number}: kind must be 'variant' or 'synonym', not {kind!r}")
            if not _RUN_RE.search(norm_term) or not _RUN_RE.search(norm_target):
                raise VocabularyError(f"row {number}: term and target must contain letters or digits")
            if norm_term == norm_target:
                continue
            if kind == VARIANT:
                previous = raw_variants.setdefault(norm_term, norm_target)
                if previous != norm_target:
                    raise VocabularyError(
                        f"row {number}: variant {term!r} already maps to {previous!r}, not {target!r}"
                    )
            else:
                raw_synonyms.append((norm_term, norm_target, number))
        variants = _resolve_variants(raw_variants)
        rewrite = Vocabulary(variants=variants).apply_variants
        graph: dict[str, set[str]] = {}
        for norm_term, norm_target, _number in raw_synonyms:
            source, destination = rewrite(norm_term), rewrite(norm_target)
            if source != destination:
                graph.setdefault(source, set()).add(destination)
        return cls(variants=variants, synonyms=_closure(graph))

    def apply_variants(self, text: str) -> str:
        """Replace variant spellings in normalised text by their canonical forms."""
        pieces: list[str] = []
        position = 0
        for start, end, key in self._variant_scanner.finditer(text):
            pieces.append(text[position:start])
            pieces.append(self.variants[key])
            position = end
        if not pieces:
            return text
        pieces.append(text[position:])
        return "".join(pieces)

    def expansion_snippets(self, text: str) -> list[str]:
        """Texts to index besides ``text``: each synonym target in the place of its term, in context.

        ``text`` must be normalised and variant-replaced.  The context is at most ``SYNONYM_CONTEXT``
        characters on each side within the same whitespace-delimited chunk, never half a word.
        """
        snippets: dict[str, None] = {}
        for start, end, key in self._synonym_scanner.finditer(text):
            left, right = _context(text, start, end)
            for target in self.synonyms[key]:
                snippet = _join(_join(left, target), right)
                snippets.setdefault(snippet)
                if len(snippets) >= MAX_EXPANSIONS:
                    return list(snippets)
        return list(snippets)


def _resolve_variants(raw: Mapping[str, str]) -> dict[str, str]:
    resolved: dict[str, str] = {}
    for term in raw:
        seen = [term]
        canonical = raw[term]
        while canonical in raw:
            if canonical in seen:
                raise VocabularyError(f"variants form a cycle: {' → '.join([*seen, canonical])}")
            seen.append(canonical)
            canonical = raw[canonical]
        resolved[term] = canonical
    return resolved


def _closure(graph: Mapping[str, set[str]]) -> dict[str, tuple[str, ...]]:
    closure: dict[str, tuple[str, ...]] = {}
    for term in graph:
        reached: dict[str, None] = {}
        stack = sorted(graph[term], reverse=True)
        while stack:
            target = stack.pop()
            if target == term or target in reached:
                continue
            reached[target] = None
            stack.extend(sorted(graph.get(target, ()), reverse=True))
        if reached:
            closure[term] = tuple(reached)
    return closure


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    chunk_start = text.rfind(" ", 0, start) + 1
    chunk_end = text.find(" ", end)
    if chunk_end == -1:
        chunk_end = len(text)
    left = max(chunk_start, start - SYNONYM_CONTEXT)
    right = min(chunk_end, end + SYNONYM_CONTEXT)
    # Never keep the tail of a word cut by the window: it would index a word the text does not contain.
    if left > chunk_start:
        cls = _class_of(text[left])
        if cls not in ("cjk", "") and _class_of(text[left - 1]) == cls:
            while left < start and _class_of(text[left]) == cls:
                left += 1
    if right < chunk_end:
        cls = _class_of(text[right - 1])
        if cls not in ("cjk", "") and _class_of(text[right]) == cls:
            while right > end and _class_of(text[right - 1]) == cls:
                right -= 1
    return text[left:start], text[end:right]


def _join(left: str, right: str) -> str:
    """Concatenate, with a space where two words of one non-CJK class would otherwise merge."""
    if left and right:
        cls = _class_of(left[-1])
        if cls not in ("cjk", "") and _class_of(right[0]) == cls:
            return f"{left} {right}"
    return left + right


def parse_vocabulary_tsv(text: str) -> list[VocabularyRow]:
    """Rows of a dictionary file: ``kind<TAB>term<TAB>target[<TAB>note]``; ``#`` lines are comments."""
    rows: list[VocabularyRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = [value.strip() for value in line.split("\t")]
        if len(fields) not in (3, 4):
            raise VocabularyError(f"line {number}: expected 3 or 4 tab-separated fields, got {len(fields)}")
        rows.append(VocabularyRow(*fields))
    return rows


@cache
def load_seed_vocabulary() -> Vocabulary:
    """The seed dictionary shipped in ``data/vocabulary_seed.tsv`` (cached; the object is immutable)."""
    source = resources.files(__package__).joinpath("data", "vocabulary_seed.tsv")
    return Vocabulary.from_rows(parse_vocabulary_tsv(source.read_text(encoding="utf-8")))


# --- tokens ------------------------------------------------------------------------------------------


def _runs(text: str) -> list[tuple[str, str]]:
    return [(m.lastgroup or "", m.group()) for m in _RUN_RE.finditer(text)]


def _cjk_tokens(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] + [run[-1]]


def _stream(text: str) -> list[str]:
    out: list[str] = []
    for cls, run in _runs(text):
        if cls == "cjk":
            out.extend(_cjk_tokens(run))
        else:
            out.append(run[:MAX_WORD_LENGTH])
    return out


def _vocabulary(vocabulary: Vocabulary | None) -> Vocabulary:
    return load_seed_vocabulary() if vocabulary is None else vocabulary


def tokens(text: str, vocabulary: Vocabulary | None = None, *, for_name: bool = False) -> list[str]:
    """Index tokens of a text: its own tokens, then a ``SEGMENT_BREAK`` and the tokens of each synonym
    snippet.  ``vocabulary=None`` means the seed dictionary; pass ``Vocabulary()`` for none."""
    vocab = _vocabulary(vocabulary)
    prepared = vocab.apply_variants(normalize(text, for_name=for_name))
    expansions: list[str] = []
    for snippet in vocab.expansion_snippets(prepared):
        snippet_tokens = _stream(snippet)
        if snippet_tokens:
            expansions.append(SEGMENT_BREAK)
            expansions.extend(snippet_tokens)
    expansions = expansions[: MAX_TOKENS // 2]
    own = _stream(prepared)[: MAX_TOKENS - len(expansions)]
    return own + expansions


def analyzed_text(text: str, vocabulary: Vocabulary | None = None, for_name: bool = False) -> str:
    """The tokens of ``text`` joined by single spaces: the value stored in the index column."""
    return " ".join(tokens(text, vocabulary, for_name=for_name))


def reading_text(kana: str, vocabulary: Vocabulary | None = None) -> str:
    """A reading prepared for indexing: normalised, compacted, company forms removed, variants applied."""
    text = _READING_BANK_FORM_RE.sub(" ", normalize(kana, for_name=True))
    compact = ""
    for _cls, run in _runs(text):
        compact = _join(compact, run)
    text = compact
    previous = None
    while previous != text:
        previous, text = text, _READING_FORM_RE.sub("", text)
    return _vocabulary(vocabulary).apply_variants(text)


def reading_tokens(kana: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """Tokens of a reading (furigana) in either kana script, for finding a name by how it is read.

    Spaces and punctuation inside the reading are dropped (スミダ セイキ → すみだせいき) and company
    forms at either end are removed (カブシキガイシャ…, カ)…).  Variants apply, as they do to queries;
    synonyms do not.
    """
    return _stream(reading_text(kana, vocabulary))[:MAX_TOKENS]


def query_tokens(text: str, vocabulary: Vocabulary | None = None) -> tuple[tuple[str, ...], bool]:
    """The tokens one query term must match as a phrase (consecutive, in order), and whether the last
    of them is a prefix.

    The term is analysed like a document (company forms dropped, no synonym expansion), except for its
    final CJK run, which may continue in a document: its trailing one-character token is left out
    (a run of two or more characters is matched by its bigrams alone), and a final run of one character
    becomes a prefix token that matches every token starting with it (鉄 → 鉄工, 鉄).  Earlier runs keep
    their last character, since in the document the same separator or word follows them.
    """
    prepared = _vocabulary(vocabulary).apply_variants(normalize(text, for_name=True))
    runs = _runs(prepared)
    out: list[str] = []
    prefix = False
    for index, (cls, run) in enumerate(runs):
        if cls != "cjk":
            out.append(run[:MAX_WORD_LENGTH])
        elif index < len(runs) - 1:
            out.extend(_cjk_tokens(run))
        elif len(run) == 1:
            out.append(run)
            prefix = True
        else:
            out.extend(_cjk_tokens(run)[:-1])
    return tuple(out), prefix


def tsvector_literal(token_list: Sequence[str]) -> str:
    """A PostgreSQL ``tsvector`` literal with each token at its own position (1-based).

    An alternative to ``to_tsvector('simple', analyzed_text)`` that does not depend on the database's
    parser or locale: cast it with ``::tsvector``.
    """
    positions: dict[str, list[int]] = {}
    for position, token in enumerate(token_list[:MAX_TOKENS], start=1):
        positions.setdefault(token, []).append(position)
    return " ".join(
        "'{}':{}".format(token.replace("\\", "\\\\").replace("'", "''"), ",".join(map(str, places)))
        for token, places in positions.items()
    )
