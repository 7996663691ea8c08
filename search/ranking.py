"""How results are ranked: the settings (`RankingConfig`) every backend reads what applies from."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Ranking", "RankingConfig", "text_fields"]


@dataclass(frozen=True)
class RankingConfig:
    """Scoring and expansion settings.

    Attributes:
        title_boost: weight of the title against the body (BM25F field weight).
        lead_boost: weight of the lead (chapeau) against the body.
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
        relax_below: when fewer articles hold every word, those holding most follow.
        relax_pool: how many of those are ranked.
        coord: scores of a relaxed query scale by the share of words held ** coord.
        exact_first_words: up to this many words, articles with all of them come first.
        rerank: how many of the best articles the opening boost looks at when not every
            word matched (else the page asked for).
        lead_chars: the opening of a body, in characters (news' inverted pyramid).
        lead_weight: score * (1 + lead_weight * share of the query found in the opening).
        proximity_weight: and + proximity_weight * share of the query's neighbour words
            found side by side (in this order) in the body.
        prefix_max_terms: most words a `prefix*` expands to.
        fuzzy_max_terms: most words a `word~` expands to.
        expansion_postings: most postings an expansion may read.
    """

    title_boost: float = 2.0
    lead_boost: float = 1.5
    k1: float = 1.2
    b: float = 0.6
    relax_below: int = 10
    relax_pool: int = 200
    coord: float = 0.0
    exact_first_words: int = 3
    rerank: int = 30
    lead_chars: int = 400
    lead_weight: float = 0.3
    proximity_weight: float = 0.3
    prefix_max_terms: int = 64
    fuzzy_max_terms: int = 32
    expansion_postings: int = 100_000


#: The name this class had before (`search.Ranking`), kept for the programs that use it.
Ranking = RankingConfig


def text_fields(ranking: RankingConfig) -> list[tuple[str, float]]:
    """The text fields a plain word is searched in, with their BM25F weights."""
    return [("title", ranking.title_boost), ("lead", ranking.lead_boost), ("body", 1.0)]
