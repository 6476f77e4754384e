"""Text relevance: how well a candidate's own words meet the request's words.

One function calls the search engine (``engine_text_search``: the directory's ``organization_search``,
BM25-ranked with field weights and the dictionary's variants and synonyms); everything else here is plain
Python over the candidates already loaded. When the engine is missing or its interface has changed, the
same terms are matched as substrings of each candidate's analysed text (``local`` below), so the ranking
degrades to presence/absence instead of failing.

Per term t with engine match count n_t the weight is w_t = 1 / log2(2 + n_t / 50): rare words count
more. A candidate's match of a term is 0.6 when the term occurs in its text, plus up to 0.4 by its BM25
score relative to the best hit of that term. The component is Σ w_t·m_t / Σ w_t.
"""

from __future__ import annotations

import html
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from monozukuri.core.concurrency import side_by_side
from monozukuri.matching.ranking.scoring import Candidate, TextMatch
from monozukuri.matching.ranking.taxonomy import Taxonomy, fold, spellings
from monozukuri.search.analysis import Vocabulary, normalize

logger = logging.getLogger(__name__)

MAX_TERMS = 6
MAX_SNIPPETS = 5
TEXT_CAP = 200  # a term with more matches than this is "broad": counted, not ranked
BROAD = 10_000  # the count a broad term's weight is computed from
MAX_ENGINE_TERMS = 3
PROBE_DOCUMENTS = 2_000  # about how many sample documents the broadness probe reads (broad_probe)
PROBE_MIN_HITS = 3
ENGINE_PAGE = 40
PRESENT, RANK_SHARE = 0.6, 0.4
_HIRAGANA = "\u3041-\u309f"
_SPLIT = re.compile(
    rf"[\s、。,.・/()（）「」『』【】\[\]!！?？:：;；~〜＝=+]+"
    rf"|(?<=[^{_HIRAGANA}])(?:について|による|ための|として|したい|します|ください|できる|から|まで|より|など|する|して|です|ます"
    rf"|の|を|に|へ|で|と|は|が|や|も)(?=[^{_HIRAGANA}]|$)"
)
STOP_WORDS = frozenset(
    normalize(w)
    for w in (
        "依頼",
        "募集",
        "希望",
        "相談",
        "お願い",
        "対応",
        "可能",
        "検討",
        "程度",
        "以下",
        "以上",
        "予定",
        "お願いします",
        "個",
        "件",
        "本",
        "台",
        "枚",
        "式",
        "社",
        "当社",
        "弊社",
        "こと",
        "もの",
        "ため",
        "よう",
        "新規",
    )
)


@dataclass
class EngineText:
    """What the engine answered for each term: the number of matches and the hits with their scores."""

    counts: dict[str, int] = field(default_factory=dict)
    hits: dict[str, dict[int, float | None]] = field(default_factory=dict)
    snippets: dict[int, str] = field(default_factory=dict)

    def organization_ids(self, per_term: int = 40) -> list[int]:
        """The best hits of each term (the text's contribution to the candidates)."""
        seen: dict[int, None] = {}
        for found in self.hits.values():
            best = sorted(found, key=lambda i: -(found[i] or 0.0))[:per_term]
            for org_id in best:
                seen.setdefault(org_id)
        return list(seen)


def request_terms(
    texts: Sequence[str], *, taxonomy: Taxonomy, detected: Iterable[int], vocabulary: Vocabulary | None
) -> tuple[str, ...]:
    """The words of a request to look for in candidates' text: what is left of its title, object and
    material once the capability words are taken out (筐体 of アルミ筐体), then the capabilities' labels."""
    detected_ids = list(detected)
    keys = sorted(
        {key for key, node_id, _ascii in taxonomy.surfaces if node_id in detected_ids}, key=len, reverse=True
    )
    residual: dict[str, None] = {}
    for text in texts:
        for chunk in _SPLIT.split(unicodedata.normalize("NFKC", text or "")):
            chunk = chunk.strip()
            if not chunk:
                continue
            folded = fold(chunk, vocabulary)
            for key in keys:
                folded = folded.replace(key, " ")
            for piece in folded.split():
                if len(piece) < 2 or piece in STOP_WORDS or piece.isdigit():
                    continue
                residual.setdefault(_as_written(piece, chunk, vocabulary))
    labels = [taxonomy.label(node_id) for node_id in detected_ids if node_id in taxonomy.nodes]
    terms = [*residual, *(label for label in labels if label not in residual)]
    # A term that contains another adds nothing (every text with 小型筐体 has 筐体): keep the shorter.
    folded_terms = {t: fold(t, vocabulary) for t in terms}
    kept = [
        t
        for t in terms
        if not any(o != t and folded_terms[o] and folded_terms[o] in folded_terms[t] for o in terms)
    ]
    return tuple(kept[:MAX_TERMS])


def _as_written(folded_piece: str, chunk: str, vocabulary: Vocabulary | None) -> str:
    """The piece as the person wrote it (ケース, not the folded けーす), when it can be found."""
    for length in (len(folded_piece), len(folded_piece) + 1, len(folded_piece) - 1):
        for start in range(0, max(0, len(chunk) - length) + 1):
            candidate = chunk[start : start + length]
            if candidate and fold(candidate, vocabulary) == folded_piece:
                return candidate
    return folded_piece


def engine_text_search(
    *,
    terms: Sequence[str],
    kinds: Sequence[str],
    user: Any = None,
    vocabulary: Vocabulary | None = None,
    documents: int | None = None,
) -> EngineText | None:
    """Ask the search engine which organisations' text matches each term, and how well (None: no engine).

    The one call from matching into search for text relevance. Per term it counts the matches up to
    ``TEXT_CAP`` and, for a term that selective, ranks them all by BM25 (field weights, the dictionary's
    variants and synonyms): the complete answer, with a score. A broader term is not ranked — ranking
    thousands of matches costs more than the whole candidate list may, and a word that common says
    little — and is looked up in the candidates' own text instead (``text_matches``). If the index
    backend's interface moves, the search service, then the directory's ``organization_search``, stand
    in; without any, the ranking matches every term in the candidates' own text.
    """
    try:
        from monozukuri.search.backends import get_backend
        from monozukuri.search.backends.base import Match, Where
        from monozukuri.search.documents import confirmed_key, facet_token, object_id_of
        from monozukuri.search.query import parse_query
    except ImportError:
        return _organization_search(terms=terms, kinds=kinds, user=user)
    if vocabulary is None or documents is None:  # the ranking passes both (read once per ranking)
        from monozukuri.search.services import index_state

        _version, index_vocabulary, indexed = index_state()
        vocabulary = index_vocabulary if vocabulary is None else vocabulary
        documents = indexed if documents is None else documents
    groups = (
        (tuple(facet_token("k", k) for k in kinds), (facet_token("t", "active"),))
        if kinds
        else ((facet_token("t", "active"),),)
    )
    probe = broad_probe(documents)
    out = EngineText()
    today = confirmed_key(timezone.localdate())

    def counted(term: str) -> tuple[int, dict[int, float | None]] | None:
        """The term's count and, when that is selective, its hits ranked (None: nothing to look up)."""
        parsed = parse_query(term, vocabulary)
        if not parsed.required:
            return None
        match = Match(parsed.required, groups, parsed.excluded)
        if probe is not None:
            token, hits = probe
            # Common in the whole directory (whatever the kind: the kind's and status's own posting
            # lists hold most of the index, and GIN would read them whole — 21 ms against 0.8).
            sampled = Match(parsed.required, ((token,),), parsed.excluded)
            if backend.count(sampled, Where(), cap=hits - 1) >= hits:
                return BROAD, {}  # plainly broad: no need to count it in the whole index
        count = backend.count(match, Where(), cap=TEXT_CAP)
        if count > TEXT_CAP:
            return BROAD, {}
        if count == 0:
            return 0, {}  # nothing to rank (reading the posting lists again costs as much as the count)
        ranked = backend.ranked(match, Where(), offset=0, limit=TEXT_CAP, today_key=today)
        return count, {object_id_of(key): float(score) for key, score in ranked}

    looked_up = list(terms)[:MAX_ENGINE_TERMS]
    try:
        backend = get_backend()
        # The terms are independent: on PostgreSQL outside a transaction, counted at once on side
        # connections (core/concurrency.py); the answers are kept in the terms' order.
        answers = side_by_side(*(lambda term=term: counted(term) for term in looked_up))
        for term, answer in zip(looked_up, answers, strict=True):
            if answer is not None:
                out.counts[term], out.hits[term] = answer
    except (TypeError, AttributeError) as exc:
        logger.warning("matching: search index unusable for text relevance (%s)", exc)
        return _service_search(terms=terms, kinds=kinds, user=user, vocabulary=vocabulary)
    return out


def broad_probe(documents: int) -> tuple[str, int] | None:
    """The sample token and the number of its matches that mark a term as broad, or None (a small index).

    Counting a common word's matches up to ``TEXT_CAP`` costs its whole posting list on PostgreSQL
    (GIN builds the full bitmap before the count can stop): 20–75 ms at 1,000,000 documents. Within the
    index's nested 1/2^k sample (``z<k>``, search.documents.sample_tokens) of about ``PROBE_DOCUMENTS``
    documents the same question costs about a millisecond; when the sample already holds enough matches
    to mean more than twice ``TEXT_CAP`` documents in the whole index (of any kind), the term is broad
    and is not counted further.
    """
    from monozukuri.search.documents import SAMPLE_LEVELS

    if documents < 2 * PROBE_DOCUMENTS:
        return None
    level = min(SAMPLE_LEVELS, int(math.log2(documents / PROBE_DOCUMENTS)))
    return f"z{level}", max(PROBE_MIN_HITS, math.ceil(2 * TEXT_CAP / (1 << level)))


def _service_search(
    *, terms: Sequence[str], kinds: Sequence[str], user: Any, vocabulary: Vocabulary | None
) -> EngineText | None:
    try:
        from monozukuri.search.documents import facet_token
        from monozukuri.search.engine import SearchRequest
        from monozukuri.search.services import search
    except ImportError:
        return _organization_search(terms=terms, kinds=kinds, user=user)
    out = EngineText()
    groups = ((tuple(facet_token("k", k) for k in kinds),) if kinds else ()) + (
        (facet_token("t", "active"),),
    )
    try:
        for term in list(terms)[:MAX_ENGINE_TERMS]:
            outcome = search(SearchRequest(text=term, groups=groups, limit=ENGINE_PAGE, facets=False))
            out.counts[term] = int(outcome.count_estimate or outcome.count)
            out.hits[term] = {int(i): outcome.scores.get(i) for i in outcome.object_ids}
    except (TypeError, AttributeError) as exc:
        logger.warning("matching: search service unusable for text relevance (%s)", exc)
        return _organization_search(terms=terms, kinds=kinds, user=user)
    return out


def _organization_search(*, terms: Sequence[str], kinds: Sequence[str], user: Any) -> EngineText | None:
    try:
        from monozukuri.directory.indexing import organization_search
    except ImportError:
        return None
    out = EngineText()
    for term in list(terms)[:MAX_ENGINE_TERMS]:
        params: dict[str, Any] = {"q": term, "status": "active", "page_size": str(ENGINE_PAGE)}
        if kinds:
            params["kind"] = ",".join(kinds)
        try:
            result = organization_search(user=user, params=params, facets=False)
            out.counts[term] = int(getattr(result, "count_estimate", None) or result.count)
            out.hits[term] = {
                int(h.organization.pk): (float(h.score) if h.score is not None else None) for h in result.hits
            }
        except (TypeError, AttributeError, ValueError, ValidationError) as exc:
            logger.warning("matching: search engine unusable for text relevance (%s); using local text", exc)
            return None
    return out


def term_weight(count: int | None) -> float:
    if count is None:
        return 1.0
    return 1.0 / math.log2(2.0 + max(0, count) / 50.0)


def text_matches(
    *,
    terms: Sequence[str],
    candidates: Sequence[Candidate],
    engine: EngineText | None,
    vocabulary: Vocabulary | None,
) -> dict[tuple[str, int], TextMatch]:
    """Each candidate's text relevance (0..1) and the terms it matched.

    Where the engine returned every match of a term (its count fits the page), a candidate it did not
    return lacks the term; otherwise (broad terms, advisers, no engine) the term is looked up in the
    candidate's own folded text, folded once and only when needed.
    """
    if not terms:
        return {}
    variants = [spellings(t, vocabulary) for t in terms]
    weights = [term_weight(engine.counts.get(t) if engine else None) for t in terms]
    best: dict[str, float] = {}
    complete: dict[str, bool] = {}
    if engine is not None:
        for term, hits in engine.hits.items():
            scores = [s for s in hits.values() if s is not None and s > 0]
            best[term] = max(scores) if scores else 0.0
            complete[term] = engine.counts.get(term, ENGINE_PAGE + 1) <= len(hits)
    total = sum(weights) or 1.0
    out: dict[tuple[str, int], TextMatch] = {}
    for candidate in candidates:
        value = 0.0
        matched: list[str] = []
        text: str | None = None
        for term, written, weight in zip(terms, variants, weights, strict=True):
            found: dict[int, float | None] | None = None
            if engine is not None and candidate.type == "organization":
                found = engine.hits.get(term)
            hit_score: float | None = None
            present = False
            if found is not None and candidate.id in found:
                present, hit_score = True, found[candidate.id]
            elif found is None or not complete.get(term, False):
                if text is None:
                    text = candidate.folded_text(vocabulary)
                present = any(w in text for w in written)
            if present:
                share = PRESENT
                if hit_score is not None and best.get(term):
                    share += RANK_SHARE * min(1.0, hit_score / best[term])
                value += weight * share
                matched.append(term)
        out[candidate.key] = TextMatch(value / total, tuple(matched))
    return out


def add_snippets(results: Sequence[Any], vocabulary: Vocabulary | None) -> None:
    """A snippet of each shown organisation's own text with the matched words marked (search.snippets)."""
    try:
        from monozukuri.search.query import parse_query
        from monozukuri.search.snippets import snippet
    except ImportError:
        return
    for scored in list(results)[:MAX_SNIPPETS]:
        terms = scored.text_terms
        candidate = scored.candidate
        if not terms or not candidate.summary:
            continue
        if vocabulary is None:
            return
        parsed = parse_query(" ".join(terms), vocabulary)
        try:
            scored.snippet = clean_snippet(str(snippet([candidate.summary], parsed, vocabulary)))
        except (TypeError, ValueError):
            continue


_MARK = re.compile(r"(</?mark>)")


def clean_snippet(snippet: str) -> str:
    """The engine's snippet as safe HTML: its text escaped again, only <mark> kept."""
    pieces = []
    for piece in _MARK.split(snippet or ""):
        if piece in ("<mark>", "</mark>"):
            pieces.append(piece)
        else:
            pieces.append(html.escape(html.unescape(re.sub(r"<[^>]*>", "", piece))))
    text = "".join(pieces)
    if text.count("<mark>") != text.count("</mark>"):
        return html.escape(html.unescape(re.sub(r"<[^>]*>", "", snippet)))
    return text


def engine_hit_ids(engine: EngineText | None) -> list[int]:
    return engine.organization_ids() if engine is not None else []
