"""Candidate ranking for matching requests (see docs/decisions/0007-matching-ranking.md)."""

from monozukuri.matching.ranking.rank import (
    Ranking,
    RequestSpec,
    analyse,
    default_seeking,
    load_taxonomy,
    load_vocabulary,
    rank,
    rank_for_offer,
)

__all__ = [
    "Ranking",
    "RequestSpec",
    "analyse",
    "default_seeking",
    "load_taxonomy",
    "load_vocabulary",
    "rank",
    "rank_for_offer",
]
