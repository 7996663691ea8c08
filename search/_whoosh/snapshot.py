"""One open whoosh reader and what is cached about it: the `Snapshot` of a local index."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from whoosh.util.times import long_to_datetime

from ..backend import Matches, MatchRequest, StoredArticle
from ..clock import Clock
from ..corpus import Article
from ..ranking import RankingConfig
from ..results import IndexStats
from ..storage import dir_size, read_meta
from ..vocabulary import Vocabulary
from ..words import ValueIndex
from .damage import reads_index
from .duplicates import DuplicateGroups
from .matching import match
from .postings import PostingCache
from .scoring import Scorer
from .similar import similar

__all__ = ["WhooshSnapshot", "stored_article"]

T = TypeVar("T")

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
        self._duplicates: DuplicateGroups | None = None
        self._once = threading.Lock()  # loads the vocabulary and the date column once
        #: searches running on this snapshot, and whether a newer one replaced it
        self.users = 0
        self.retired = False

    # -- caches ----------------------------------------------------------------------

    def _once_loaded(self, name: str, load: Callable[[], T]) -> T:
        """The cache `name`, loaded by `load` on first use (once, whatever the threads)."""
        value = getattr(self, name)
        if value is None:
            with self._once:
                value = getattr(self, name)
                if value is None:
                    value = load()
                    setattr(self, name, value)
        return value  # type: ignore[no-any-return]

    def vocabulary(self) -> Vocabulary:
        """The index's vocabulary, read on first use."""
        return self._once_loaded("_vocab", lambda: Vocabulary.load(self.path))

    def duplicates(self) -> DuplicateGroups:
        """The groups of duplicate articles, read on first use."""
        return self._once_loaded("_duplicates", lambda: DuplicateGroups.read(self.reader))

    def date_column(self) -> tuple[int | None, ...]:
        """The date of every document as a sortable integer (None: no date)."""
        return self._once_loaded("_dates", self._read_dates)

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
        """The articles closest to this one, best first (`search._whoosh.similar`)."""
        return similar(self, key, limit, clock)

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
