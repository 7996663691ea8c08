"""BM25F ranking of candidate documents, from the cached posting lists of `PostingCache`.

For each stem, the term frequencies of its fields are weighted, normalised by the field's
length, added, and saturated once (BM25F proper, Robertson & Zaragoza 2009):

    x(d) = sum over fields f of  w_f * tf_f(d) / (1 - b + b * len_f(d) / avglen_f)
    score(d) = idf * x(d) * (k1 + 1) / (x(d) + k1),  idf = ln(1 + (N - df + 0.5) / (df + 0.5))

A query's score is the sum over its parts; a part is the best of its stems (the words a
prefix or a typo expands to) or the sum of them (the words of a phrase), times its boost.
Whole posting lists are scored at once with numpy over arrays indexed by document number,
and each stem's scores are cached as arrays: an order of magnitude faster than whoosh's
per-posting matchers (a Python loop over the 30,000 postings of a long query took 15 ms
of its 35).
"""

from __future__ import annotations

import heapq
import math
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable

import numpy as np

from ..clock import Clock
from ..ranking import RankingConfig
from .compiler import QueryPart
from .postings import Mask, PostingCache

__all__ = ["Scorer"]

#: Most (document, score) pairs kept in the score cache, over all stems and query parts:
#: 12 bytes each (arrays, not dicts of Python numbers), 30 MB at most.
CACHE_SCORES = 2_500_000
#: Query parts whose typo counts are kept beside their scores (the most recent ones).
TYPO_PARTS = 256

#: The total score of every document (indexed by number), and which ones are scored.
Scored = tuple[np.ndarray, np.ndarray]

#: The scores of one stem or query part: document numbers (int32, ascending) and their
#: scores (float64).
Column = tuple[np.ndarray, np.ndarray]


def _column(docs: np.ndarray, scores: np.ndarray) -> Column:
    """Scores as arrays, in document order (`docs` ascending)."""
    return docs.astype(np.int32), scores.astype(np.float64)


class Scorer:
    """Scores the documents of one open reader by BM25F (valid until the index changes;
    safe to use from several threads)."""

    def __init__(self, sets: PostingCache, ranking: RankingConfig) -> None:
        self.sets = sets
        self.ranking = ranking
        self._norms: dict[str, np.ndarray] = {}
        self._cache: OrderedDict[QueryPart | tuple[str, tuple[tuple[str, float], ...]], Column] = (
            OrderedDict())
        self._cached = 0
        self._typos: dict[QueryPart, np.ndarray] = {}  # the typos of each document of a part
        self._lock = threading.Lock()  # held only to read or change the cache
        self._docs = int(np.count_nonzero(sets.live())) or 1
        self.size = sets.reader.doc_count_all()  # document numbers are below this

    def _norm(self, field: str) -> np.ndarray:
        norms = self._norms.get(field)
        if norms is None:
            lengths = self.sets.lengths(field).astype(np.float64)
            avg = float(lengths.mean()) if len(lengths) else 0.0
            b = self.ranking.b
            if avg <= 0:
                norms = np.ones(len(lengths))
            else:
                norms = 1.0 - b + b * lengths / avg
            self._norms[field] = norms
        return norms

    def _cached_column(self, key: QueryPart | tuple[str, tuple[tuple[str, float], ...]]) -> Column | None:
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
            return found

    def _remember(self, key: QueryPart | tuple[str, tuple[tuple[str, float], ...]],
                  column: Column) -> Column:
        with self._lock:
            if key not in self._cache:
                self._cached += len(column[0]) + 1
            self._cache[key] = column
            while self._cached > CACHE_SCORES and len(self._cache) > 1:
                _, dropped = self._cache.popitem(last=False)
                self._cached -= len(dropped[0]) + 1
        return column

    def stem(self, stem: str, fields: tuple[tuple[str, float], ...], clock: Clock | None = None) -> Column:
        """BM25F of one stem in every document that holds it in one of `fields`."""
        key = (stem, fields)
        found = self._cached_column(key)
        if found is not None:
            return found
        acc = np.zeros(self.size)
        held = np.zeros(self.size, dtype=bool)
        for field, weight in fields:
            at, tfs = self.sets.postings(field, stem, clock)
            if not len(at):
                continue
            acc[at] += weight * tfs / self._norm(field)[at]
            held[at] = True
        docs = np.flatnonzero(held)
        x = acc[docs]
        df = len(docs)
        idf = math.log(1.0 + (self._docs - df + 0.5) / (df + 0.5))
        k1 = self.ranking.k1
        k1p1 = idf * (k1 + 1.0)
        return self._remember(key, _column(docs, k1p1 * x / (x + k1)))

    def part(self, query_part: QueryPart, clock: Clock | None = None) -> Column:
        """The scores of one part of a query (boost not applied)."""
        if len(query_part.stems) == 1:
            return self.stem(query_part.stems[0], query_part.fields, clock)
        found = self._cached_column(query_part)
        if found is not None:
            return found
        merged = np.zeros(self.size)
        held = np.zeros(self.size, dtype=bool)
        typos = query_part.typos or (0,) * len(query_part.stems)
        tier = np.full(self.size, 255, dtype=np.uint8) if query_part.typos else None
        for stem, typo in sorted(zip(query_part.stems, typos, strict=True), key=lambda x: x[1]):
            if clock is not None:
                clock.check()
            at, scores = self.stem(stem, query_part.fields, clock)
            if not len(at):
                continue
            if tier is not None:  # fewest typos first: a document counts its closest stems only
                closest = ~held[at] | (tier[at] == typo)
                at, scores = at[closest], scores[closest]
                tier[at] = typo
            if query_part.combine == "any":  # the best stem (scores are positive)
                merged[at] = np.maximum(merged[at], scores)
            else:
                merged[at] += scores
            held[at] = True
        docs = np.flatnonzero(held)
        if tier is not None:
            with self._lock:
                self._typos[query_part] = tier[docs]
                while len(self._typos) > TYPO_PARTS:
                    del self._typos[next(iter(self._typos))]
        return self._remember(query_part, _column(docs, merged[docs]))

    def typos(self, parts: Iterable[QueryPart], clock: Clock | None = None) -> np.ndarray | None:
        """How many typos each document holds over the parts (None: no part counts typos).
        A document without a part counts one more typo than the most that part holds."""
        out: np.ndarray | None = None
        for query_part in parts:
            if not query_part.typos:
                continue
            ids, _values = self.part(query_part, clock)
            with self._lock:
                tier = self._typos.get(query_part)
            if len(query_part.stems) == 1:  # one stem: one number of typos
                tier = np.full(len(ids), query_part.typos[0], dtype=np.uint8)
            elif tier is None:  # dropped with the column: compute it again
                with self._lock:
                    self._cache.pop(query_part, None)
                ids, _values = self.part(query_part, clock)
                with self._lock:
                    tier = self._typos[query_part]
            missing = max(query_part.typos) + 1
            if out is None:
                out = np.zeros(self.size, dtype=np.int32)
            out += missing
            out[ids] += tier.astype(np.int32) - missing
        return out

    def ids(self, query_part: QueryPart, clock: Clock | None = None) -> np.ndarray:
        """The documents one part of a query scores (the cached column)."""
        return self.part(query_part, clock)[0]

    def scores(self, parts: Iterable[QueryPart], candidates: Mask | Collection[int],
               clock: Clock | None = None) -> Scored:
        """The total score of every document (indexed by number) and the candidates (a
        mask, or document numbers) that some part scores."""
        total = np.zeros(self.size)
        scored = np.zeros(self.size, dtype=bool)
        for query_part in parts:
            at, values = self.part(query_part, clock)
            if not len(at):
                continue
            total[at] += query_part.boost * values
            scored[at] = True
        scored &= self.sets.mask(candidates) if not _is_mask(candidates) else candidates
        return total, scored

    @staticmethod
    def top(scores: Scored, k: int, candidates: Mask | Collection[int] = (),
            typos: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The `k` best scored (document, score), ties by document number; candidates (a
        mask, or document numbers) without a score fill the rest, in document order. With
        `typos`, documents with fewer typos come first whatever their scores."""
        if k <= 0:
            return []
        total, scored = scores
        docs = np.flatnonzero(scored)
        values = total[docs]
        rank = values if typos is None else values - typos[docs] * (float(values.max(initial=0.0)) + 1.0)
        if len(docs) > k:  # the k-th best, then every document that reaches it
            floor = np.partition(rank, len(rank) - k)[len(rank) - k]
            keep = rank >= floor
            docs, values, rank = docs[keep], values[keep], rank[keep]
        best = [(d, v) for d, v, _r in sorted(zip(docs.tolist(), values.tolist(), rank.tolist(), strict=True),
                                              key=lambda item: (-item[2], item[0]))[:k]]
        if len(best) < k:
            if _is_mask(candidates):
                rest = np.flatnonzero(candidates & ~scored)[:k - len(best)].tolist()
            else:
                rest = heapq.nsmallest(k - len(best), (d for d in candidates if not scored[d]))
            best.extend((d, 0.0) for d in rest)
        return best


def _is_mask(docs: object) -> bool:
    return isinstance(docs, np.ndarray) and docs.dtype == bool
