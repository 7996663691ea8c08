"""One open whoosh reader and what is cached about it: the `Snapshot` of a local index."""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh.util.times import long_to_datetime

from ..analysis import analyze
from ..backend import Match, Matches, MatchRequest, StoredArticle
from ..clock import Clock
from ..corpus import Article
from ..ranking import RankingConfig, text_fields
from ..results import IndexStats
from ..schema import TEXT_FIELDS
from ..storage import dir_size, read_meta
from ..vocabulary import Vocabulary
from ..words import ValueIndex
from .compiler import QueryPart
from .damage import reads_index
from .matching import match, rank
from .postings import PostingCache
from .scoring import Scorer

__all__ = ["WhooshSnapshot", "stored_article"]

#: Terms of an article that make its "similar" query, and those of them highlighted.
SIMILAR_TERMS = 20
SIMILAR_SHOWN = 10
#: How many body occurrences one occurrence in the title or the lead counts for, when the
#: distinctive terms of an article are picked.
SIMILAR_FIELD_TF = {"title": 5, "lead": 3}
#: Articles ranked by the story's time: score * (1 + weight * exp(-days apart / days)).
SIMILAR_STORY_WEIGHT = 0.5
SIMILAR_STORY_DAYS = 30
SIMILAR_RERANK = 20
_DAY_TICKS = 86_400 * 10**6  # whoosh's dates count microseconds
#: The weight of this article's title words found in the title or lead of another.
SIMILAR_TITLE_BOOST = 3.0


class WhooshSnapshot:
    """An open searcher of the index at `path`, valid until the index changes, with its
    caches; safe to search from several threads (its caches lock what they change)."""

    def __init__(self, path: Path, searcher: Any, stamp: tuple[int, ...], ranking: RankingConfig) -> None:
        self.path = path
        self.searcher = searcher
        self.reader = searcher.reader()
        self.stamp = stamp
        self.ranking = ranking
        self.postings = PostingCache(self.reader, self.date_column)
        self.scorer = Scorer(self.postings, ranking)
        self._values: dict[str, ValueIndex] = {}
        self._value_sets: dict[str, dict[str, frozenset[int]]] = {}
        self._dates: tuple[int | None, ...] | None = None
        self._vocab: Vocabulary | None = None
        self._once = threading.Lock()  # loads the vocabulary and the date column once
        #: searches running on this snapshot, and whether a newer one replaced it
        self.users = 0
        self.retired = False

    # -- caches ----------------------------------------------------------------------

    def vocabulary(self) -> Vocabulary:
        """The index's vocabulary, read on first use."""
        if self._vocab is None:
            with self._once:
                if self._vocab is None:
                    self._vocab = Vocabulary.load(self.path)
        return self._vocab

    def date_column(self) -> tuple[int | None, ...]:
        """The date of every document as a sortable integer (None: no date)."""
        if self._dates is None:
            with self._once:
                if self._dates is None:
                    self._dates = self._read_dates()
        return self._dates

    def _read_dates(self) -> tuple[int | None, ...]:
        reader = self.reader
        dates: list[int | None] = [None] * reader.doc_count_all()
        missing = 2**64 - 1
        for sub, offset in reader.leaf_readers():
            if not sub.has_column("date"):
                continue
            col = sub.column_reader("date", translate=False)
            for i in range(sub.doc_count_all()):
                value = col[i]
                if value != missing:
                    dates[offset + i] = value
        return tuple(dates)

    def values(self, fname: str) -> ValueIndex:
        """The exact values of a field (sources, authors, tags, years)."""
        found = self._values.get(fname)
        if found is None:
            found = self._values[fname] = ValueIndex(
                t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon(fname))
        return found

    def value_sets(self, fname: str, clock: Clock | None = None) -> dict[str, frozenset[int]]:
        """The documents holding each value of a field."""
        sets = self._value_sets.get(fname)
        if sets is None:
            sets = {}
            for value, _words in self.values(fname).values:
                docs = self.postings.term(fname, value, clock)
                if docs:
                    sets[value] = docs
            self._value_sets[fname] = sets
        return sets

    # -- the protocol ------------------------------------------------------------------

    @reads_index
    def match(self, request: MatchRequest, clock: Clock) -> Matches:
        """Match, count, rank and count facets (`search._whoosh.matching`)."""
        return match(self, request, clock)

    @reads_index
    def articles(self, keys: Sequence[Hashable]) -> list[StoredArticle]:
        """The stored articles with these document numbers."""
        return [StoredArticle(key, stored_article(self.searcher.stored_fields(key))) for key in keys]

    @reads_index
    def key_of(self, article_id: str) -> int | None:
        """The document number of the article with this id."""
        docnum = self.searcher.document_number(id=article_id)
        return None if docnum is None else int(docnum)

    @reads_index
    def similar(self, key: Hashable, limit: int, clock: Clock) -> Matches:
        """The articles sharing the most distinctive terms of this one, best first.

        Its terms are weighted by tf-idf, an occurrence in the title counting as
        `SIMILAR_FIELD_TF`["title"] in the body, one in the lead as `["lead"]`. The other
        articles holding its `SIMILAR_TERMS` best terms are ranked by BM25F of them; the
        `SIMILAR_RERANK` best are then ordered by the cosine of their own weighted term
        counts with this article's weights (so that a long article sharing many common
        words does not pass a short one of the same story).
        """
        stored = self.searcher.stored_fields(key)
        n_docs = max(self.reader.doc_count(), 1)
        weights: dict[str, float] = {}
        for term, count in _field_weighted_tf(stored).items():
            if len(term) < 3 or term.isdigit():
                continue
            df = max(self.reader.doc_frequency(name, term) for name in TEXT_FIELDS)
            if df >= 2 and df < n_docs:
                weights[term] = (1 + math.log(count)) * math.log(n_docs / df)
        top = sorted(weights, key=lambda t: (-weights[t], t))[:SIMILAR_TERMS]
        if not top:
            return Matches()
        peak = weights[top[0]]
        fields = tuple(text_fields(self.ranking))
        parts = [QueryPart((t,), fields, weights[t] / peak, "any") for t in top]
        matched = set().union(*(self.postings.term(f, t, clock) for t in top for f, _ in fields))
        matched.discard(key)  # type: ignore[arg-type]
        # a story's articles share the distinctive words of their titles
        headline = sorted({t.text for t in analyze(stored.get("title", ""))} & weights.keys())
        parts += [QueryPart((t,), (("title", 1.0), ("lead", 1.0)), SIMILAR_TITLE_BOOST * weights[t] / peak,
                            "any") for t in headline]
        ranked = rank(self, parts, limit + SIMILAR_RERANK, "relevance", matched, clock)
        dates = self.date_column()
        mine = dates[key]  # type: ignore[call-overload]
        if mine is not None:  # a story's articles are close in time
            days = SIMILAR_STORY_DAYS * _DAY_TICKS
            ranked = [Match(m.key, m.score * (1 + SIMILAR_STORY_WEIGHT * math.exp(-abs(d - mine) / days)))
                      if (d := dates[m.key]) is not None else m  # type: ignore[call-overload]
                      for m in ranked]
            ranked.sort(key=lambda m: (-m.score, m.key))
        ranked = ranked[:limit]
        return Matches(total=len(matched), ranked=ranked, terms=frozenset(top[:SIMILAR_SHOWN]))

    @reads_index
    def stats(self) -> IndexStats:
        """Counts, size, date range and versions of the index."""
        reader = self.reader
        meta = read_meta(self.path) or {}
        dates = self.date_column()
        known = [d for d in (dates[n] for n in reader.all_doc_ids()) if d is not None]
        return IndexStats(
            path=self.path,
            articles=reader.doc_count(),
            size_bytes=dir_size(self.path),
            oldest=long_to_datetime(min(known)) if known else None,
            newest=long_to_datetime(max(known)) if known else None,
            schema_version=int(meta.get("schema_version", 0)),
            built_at=meta.get("built_at"),
            updated_at=meta.get("updated_at"),
            segments=len(reader.leaf_readers()),
            deleted=reader.doc_count_all() - reader.doc_count(),
            sources=len(self.values("source").values),
            words=len(self.vocabulary()),
        )

    def close(self) -> None:
        """Release the open files."""
        self.searcher.close()


def _field_weighted_tf(stored: Mapping[str, Any]) -> Counter[str]:
    """The terms of a stored article, an occurrence in the title or the lead counting
    `SIMILAR_FIELD_TF` times."""
    tf: Counter[str] = Counter()
    for name in TEXT_FIELDS:
        weight = SIMILAR_FIELD_TF.get(name, 1)
        for t in analyze(stored.get(name, "")):
            tf[t.text] += weight
    return tf


def stored_article(stored: Mapping[str, Any]) -> Article:
    """An `Article` from whoosh's stored fields."""
    return Article(
        id=stored["id"], title=stored.get("title", ""), body=stored.get("body", ""),
        date=_stored_date(stored), source=stored.get("source", ""),
        author=stored.get("author", ""), url=stored.get("url", ""),
        tags=tuple(stored.get("tags") or ()), lead=stored.get("lead", ""),
    )


def _stored_date(stored: Mapping[str, Any]) -> datetime | None:
    iso = stored.get("date_iso")
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None
