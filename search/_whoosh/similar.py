"""Articles like one article: its most distinctive words, title and lead weighted, its story's
time, and one article a group of duplicates."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..analysis import analyze
from ..backend import Match, Matches
from ..clock import Clock
from ..ranking import text_fields
from ..schema import TEXT_FIELDS
from .compiler import QueryPart
from .matching import rank
from .postings import MISSING_DATE

if TYPE_CHECKING:
    from .snapshot import WhooshSnapshot

__all__ = ["similar"]

#: Terms of an article that make its "similar" query, and those of them highlighted.
SIMILAR_TERMS = 20
SIMILAR_SHOWN = 10
#: How many body occurrences one occurrence in the title or the lead counts for, when the
#: distinctive terms of an article are picked.
SIMILAR_FIELD_TF = {"title": 5, "lead": 3}
#: The weight of this article's title words found in the title or lead of another.
SIMILAR_TITLE_BOOST = 3.0
#: Articles of the same time rank higher (a story's articles come within days):
#: score * (1 + weight * exp(-days apart / days)), over the best `SIMILAR_RERANK` more.
SIMILAR_STORY_WEIGHT = 0.5
SIMILAR_STORY_DAYS = 30
SIMILAR_RERANK = 20
_DAY_TICKS = 86_400 * 10**6  # whoosh's dates count microseconds


def similar(snap: WhooshSnapshot, key: Hashable, limit: int, clock: Clock) -> Matches:
    """The articles sharing the most distinctive terms of this one, best first.

    Its terms are weighted by tf-idf, an occurrence in the title counting as
    `SIMILAR_FIELD_TF`["title"] in the body, one in the lead as `["lead"]`; the other
    articles are ranked by BM25F of its `SIMILAR_TERMS` best terms, plus its title's words
    found in their titles and leads (`SIMILAR_TITLE_BOOST`), times a bonus for the
    articles of the same days. Its own duplicates are left out, and the others' collapsed.
    """
    reader = snap.reader
    stored = snap.stored(key)
    n_docs = max(reader.doc_count(), 1)
    weights: dict[str, float] = {}
    for term, count in _field_weighted_tf(stored).items():
        if len(term) < 3 or term.isdigit():
            continue
        df = max(reader.doc_frequency(name, term) for name in TEXT_FIELDS)
        if 2 <= df < n_docs:
            weights[term] = (1 + math.log(count)) * math.log(n_docs / df)
    top = sorted(weights, key=lambda t: (-weights[t], t))[:SIMILAR_TERMS]
    if not top:
        return Matches()
    peak = weights[top[0]]
    fields = tuple(text_fields(snap.ranking))
    parts = [QueryPart((t,), fields, weights[t] / peak, "any") for t in top]
    # a story's articles share the distinctive words of their titles
    headline = sorted({t.text for t in analyze(stored.get("title", ""))} & weights.keys())
    parts += [QueryPart((t,), (("title", 1.0), ("lead", 1.0)), SIMILAR_TITLE_BOOST * weights[t] / peak,
                        "any") for t in headline]
    matched = np.zeros(snap.postings.size(), dtype=bool)
    for t in top:
        for f, _ in fields:
            matched[snap.postings.term(f, t, clock)] = True
    groups = snap.duplicates()
    group = int(groups.group[key])  # type: ignore[call-overload]
    itself: list[Any] = list(groups.members[group]) if group >= 0 else [key]
    matched[itself] = False  # itself, its copies
    ranked = rank(snap, parts, limit + SIMILAR_RERANK + groups.redundant(matched), "relevance",
                  matched, clock)
    dates = snap.date_array()
    mine = int(dates[key])  # type: ignore[call-overload]
    if mine != MISSING_DATE:
        days = SIMILAR_STORY_DAYS * _DAY_TICKS
        ranked = [Match(m.key, m.score * (1 + SIMILAR_STORY_WEIGHT * math.exp(-abs(d - mine) / days)))
                  if (d := int(dates[m.key])) != MISSING_DATE else m  # type: ignore[call-overload]
                  for m in ranked]
        ranked.sort(key=lambda m: (-m.score, m.key))  # type: ignore[arg-type, return-value]
    return Matches(total=int(np.count_nonzero(matched)) - groups.redundant(matched),
                   ranked=groups.collapse(ranked, matched, limit), terms=frozenset(top[:SIMILAR_SHOWN]))


def _field_weighted_tf(stored: Mapping[str, Any]) -> Counter[str]:
    """The terms of a stored article, an occurrence in the title or the lead counting
    `SIMILAR_FIELD_TF` times."""
    tf: Counter[str] = Counter()
    for name in TEXT_FIELDS:
        weight = SIMILAR_FIELD_TF.get(name, 1)
        for t in analyze(stored.get(name, "")):
            tf[t.text] += weight
    return tf
