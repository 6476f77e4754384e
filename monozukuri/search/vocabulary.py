"""The dictionary the index was built with, and the staff-edited one that the next rebuild will use.

Documents and queries must be analysed with the same dictionary, so queries use the snapshot stored in
``SearchIndexState`` when the index was last rebuilt, not the live ``VocabularyEntry`` rows: a staff edit
takes effect on reindex (the dictionary page says so and offers the button).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from monozukuri.search.analysis import Vocabulary, VocabularyRow, parse_vocabulary_tsv


def seed_rows() -> list[VocabularyRow]:
    """The rows of the shipped seed file."""
    source = resources.files(__package__).joinpath("data", "vocabulary_seed.tsv")
    return parse_vocabulary_tsv(source.read_text(encoding="utf-8"))


_memo: dict[object, Vocabulary] = {}


def vocabulary_for(version: int, rows: Sequence[Sequence[str]], *, key: object = None) -> Vocabulary:
    """The analysis dictionary of stored rows ``[kind, term, target]``, memoised under ``key``.

    A stored dictionary never changes under the same (version, built_at) — a rebuild stores its rows
    with a new version and time — so a process never serves a stale one; building one (normalising a
    few hundred rows) happens once per rebuild per process.
    """
    memo_key = key if key is not None else ("rows", version, tuple(tuple(r) for r in rows))
    vocabulary = _memo.get(memo_key)
    if vocabulary is None:
        vocabulary = Vocabulary.from_rows([(str(r[0]), str(r[1]), str(r[2])) for r in rows])
        if len(_memo) > 8:
            _memo.clear()
        _memo[memo_key] = vocabulary
    return vocabulary


def index_state() -> tuple[int, Vocabulary, int]:
    """The version and dictionary the current index was built with, and how many documents it had
    then (one small query when the dictionary is memoised)."""
    from monozukuri.search.models import SearchIndexState

    state = (SearchIndexState.objects.filter(pk=1)
             .values_list("vocabulary_version", "built_at", "documents").first())
    if state is None:
        return 0, vocabulary_for(0, [tuple(r[:3]) for r in seed_rows()], key=("seed",)), 0
    version, built_at, documents = state
    key = ("state", version, built_at)
    cached = _memo.get(key)
    if cached is None:
        rows = SearchIndexState.objects.filter(pk=1).values_list("vocabulary", flat=True).first() or []
        cached = vocabulary_for(version, rows, key=key)
    return version, cached, documents


def index_state_vocabulary() -> tuple[int, Vocabulary]:
    """The version and dictionary the current index was built with."""
    version, vocabulary, _documents = index_state()
    return version, vocabulary


def live_rows() -> list[list[str]]:
    """The active rows of the staff-edited dictionary, as stored in the index state on rebuild."""
    from monozukuri.search.models import VocabularyEntry

    return [
        [kind, term, target]
        for kind, term, target in VocabularyEntry.objects.filter(active=True)
        .order_by("kind", "term_key", "target", "id")
        .values_list("kind", "term", "target")
    ]
