"""What the index stores for one record, and the keys derived from it.

An app that wants its records searchable builds ``IndexDocument`` values (monozukuri/directory/indexing.py
does it for organisations) and hands them to ``services.index_upsert``. Text goes in already analysed
(``analysis.tokens`` / ``reading_tokens``, joined by spaces, fields separated by ``SEGMENT_BREAK``);
facet values go in as tokens made by ``facet_token``, which analysis can never produce, so a facet
filter is one more term of the text query and a facet value can never be matched by typed text.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from monozukuri.search.analysis import _CJK, normalize
from monozukuri.search.geo import Point, cell_tokens

__all__ = [
    "ALL_TOKEN",
    "CHAR_PREFIX",
    "MAX_RANK",
    "SAMPLE_LEVELS",
    "IndexDocument",
    "char_tokens",
    "confirmed_key",
    "doc_key",
    "facet_text_token",
    "facet_text_value",
    "facet_token",
    "gojuon_key",
    "indexed_facet_token",
    "object_id_of",
    "rank_of",
    "sample_tokens",
]

ALL_TOKEN = "a0"
CHAR_PREFIX = "u"
"""``u`` + a kana or kanji: the document has that character in its text. A one-character query (in 0004 a
prefix query that merges every token starting with the character) becomes this one exact term."""
"""Every document has it: the match term of "everything" (an empty query, exclusions only)."""

SAMPLE_LEVELS = 16
"""A document carries ``z1 … zk`` where k is the number of trailing zero bits of a hash of its id
(at most this many): ``zk`` marks a uniform 1/2^k sample, nested, used to estimate facet counts and
totals of broad queries."""

MAX_RANK = (1 << 20) - 1
EPOCH = datetime.date(2000, 1, 1)
_FACET_VALUE_RE = re.compile(r"[^a-z0-9]")
_CJK_CHAR_RE = re.compile(f"[{_CJK}]")


def facet_token(prefix: str, value: object) -> str:
    """``m`` + ``131075`` → ``m131075``; ``k`` + ``large_company`` → ``k0largecompany``.

    The prefix is lower-case letters. A value that is all digits follows it directly, any other value
    after a ``0``: either way the token has a letter followed by a digit, which analysis always splits,
    so no text or query yields it. Only ASCII letters and digits are kept (FTS5 reads one token).
    """
    text = _FACET_VALUE_RE.sub("", normalize(str(value)))
    if not prefix.isalpha() or not prefix.isascii() or not prefix.islower():
        raise ValueError(f"facet prefix must be lower-case ASCII letters: {prefix!r}")
    return f"{prefix}{text}" if text.isdigit() else f"{prefix}0{text}"


indexed_facet_token = functools.lru_cache(maxsize=4096)(facet_token)
"""``facet_token`` memoised, for the values documents carry (kinds, codes, ids: few, each written by
hundreds of thousands of documents in a rebuild; ``normalize`` costs ~10 µs a call). Not for query
parameters, which can be anything."""


def facet_text_token(prefix: str, text: str) -> str:
    """A facet token for a free-text value (a certification name): its NFKC, lower-cased, space-collapsed
    form in UTF-8 hex, so any script survives and the value can be read back (``facet_text_value``)."""
    if not prefix.isalpha() or not prefix.isascii() or not prefix.islower():
        raise ValueError(f"facet prefix must be lower-case ASCII letters: {prefix!r}")
    value = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    return f"{prefix}0{value.encode('utf-8').hex()}"


def facet_text_value(token: str, prefix: str) -> str:
    """The value of a ``facet_text_token`` (upper-cased when it is ASCII: iso 9001 → ISO 9001)."""
    try:
        value = bytes.fromhex(token[len(prefix) + 1 :]).decode("utf-8")
    except ValueError:
        return token
    return value.upper() if value.isascii() else value


def char_tokens(*token_texts: str) -> tuple[str, ...]:
    """The distinct characters of the CJK tokens of analysed texts, as ``CHAR_PREFIX`` tokens.

    Every character of a CJK run starts one of its tokens (a bigram or the final unigram), so these are
    exactly the characters a one-character query can match.
    """
    # Analysis puts CJK characters only in CJK runs, whose tokens are those bigrams and unigrams, so
    # the CJK characters present anywhere in the texts are exactly theirs (one pass over the distinct
    # characters instead of one over ~1,000 tokens).
    present = set().union(*token_texts)
    match = _CJK_CHAR_RE.match
    return tuple(sorted(CHAR_PREFIX + ch for ch in present if match(ch)))


def sample_tokens(object_id: int) -> list[str]:
    digest = int.from_bytes(hashlib.blake2b(str(object_id).encode(), digest_size=4).digest(), "big")
    level = 0
    while level < SAMPLE_LEVELS and digest % (2 << level) == 0:
        level += 1
    return [f"z{k}" for k in range(1, level + 1)]


def confirmed_key(date: datetime.date | None) -> int:
    return max(1, (date - EPOCH).days + 1) if date else 0


def rank_of(*, confirmed: datetime.date | None, completeness: float) -> int:
    """The static rank: the days since 2000 of the last confirmation, plus up to a year for a complete
    profile (a complete profile confirmed a year ago ranks with a bare one confirmed today)."""
    value = confirmed_key(confirmed) + round(365 * max(0.0, min(1.0, completeness)))
    return max(0, min(MAX_RANK, value))


def doc_key(rank: int, object_id: int) -> int:
    if not 0 <= object_id < (1 << 32):
        raise ValueError(f"object id out of range for the index: {object_id}")
    return (rank << 32) | object_id


def object_id_of(key: int) -> int:
    return key & 0xFFFFFFFF


def rank_from_key(key: int) -> int:
    return key >> 32


# Gojūon order (五十音順): voiced and small kana sort with their plain kana first, then by the full
# reading; a long-vowel mark counts as the vowel it lengthens.
_PLAIN = str.maketrans(
    "がぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉっゃゅょゎゔゕゖ",
    "かきくけこさしすせそたちつてとはひふへほはひふへほあいうえおつやゆよわうかけ",
)
_VOWEL_OF: dict[str, str] = {}
for _row in (
    "あかさたなはまやらわがざだばぱぁゃゎ",
    "いきしちにひみりぎじぢびぴぃ",
    "うくすつぬふむゆるぐずづぶぷぅっゅゔ",
    "えけせてねへめれげぜでべぺぇ",
    "おこそとのほもよろをごぞどぼぽぉょ",
):
    for _kana in _row:
        _VOWEL_OF[_kana] = _row[0] if _row[0] != "ぁ" else "あ"
_VOWEL_OF.update({k: v for k, v in zip("あいうえお", "あいうえお", strict=True)})


def _expand_choon(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch == "ー" and out:
            out.append(_VOWEL_OF.get(out[-1], "ー"))
        else:
            out.append(ch)
    return "".join(out)


def gojuon_key(reading: str, name: str) -> str:
    """The sort key for "name, in gojūon order of the reading": hiragana with voicing folded, then the
    exact reading; a record without a reading sorts after all readings, by its normalised name."""
    kana = "".join(normalize(reading, for_name=True).split())
    if kana and all("\u3041" <= ch <= "\u309f" or ch == "ー" for ch in kana):
        full = _expand_choon(kana)
        return f"1{full.translate(_PLAIN)}\u0001{full}"[:300]
    return f"2{''.join(normalize(name, for_name=True).split())}"[:300]


@dataclass(frozen=True)
class IndexDocument:
    """One record as the index stores it. ``name`` / ``tags`` / ``body`` are analysed token strings
    (weights: name highest, then tags, then body); ``facets`` are ``facet_token`` values."""

    object_id: int
    name: str = ""
    tags: str = ""
    body: str = ""
    facets: tuple[str, ...] = ()
    rank: int = 0
    sort_name: str = ""
    confirmed_key: int = 0
    employees: int | None = None
    point: Point | None = None
    extra: tuple[str, ...] = field(default=())
    chars: tuple[str, ...] = field(default=())  # char_tokens(name, tags, body)

    @property
    def key(self) -> int:
        return doc_key(self.rank, self.object_id)

    def match_tokens(self) -> str:
        """The FTS ``facets`` column: facet tokens, match-only tokens, then the character tokens."""
        return " ".join((*self.facets, *self.all_extra(), *self.chars))

    def all_extra(self) -> tuple[str, ...]:
        return (ALL_TOKEN, *sample_tokens(self.object_id), *cell_tokens(self.point), *self.extra)
