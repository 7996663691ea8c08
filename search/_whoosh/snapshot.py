"""One open whoosh reader and what is cached about it: the `Snapshot` of a local index."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh.util.times import long_to_datetime

from ..backend import Matches, MatchRequest, StoredArticle
from ..clock import Clock
from ..corpus import Article
from ..ranking import RankingConfig
from ..results import IndexStats, as_datetime
from ..storage import dir_size, read_meta
from ..vocabulary import Vocabulary
from ..words import ValueIndex
from .damage import reads_index
from .duplicates import DuplicateGroups
from .matching import match
from .postings import MISSING_DATE, PostingCache, numeric_column
from .scoring import Scorer
from .similar import similar

__all__ = ["WhooshSnapshot", "stored_article"]

_DAY = 86_400_000_000  # microseconds
_EPOCH_DAYS = 719_162  # days from 0001-01-01 to 1970-01-01
T = TypeVar("T")

#: Stored articles a snapshot keeps the fields of (the last read): a search reads the
#: bodies of its best articles for the opening boost, then its page's hits again.
STORED_CACHED = 64


class WhooshSnapshot:
    """An open searcher of the index at `path`, valid until the index changes, with its
    caches; safe to search from several threads (its caches lock what they change)."""

    def __init__(self, path: Path, searcher: Any, stamp: tuple[int, ...], ranking: RankingConfig,
                 storage: Any = None) -> None:
        self.path = path
        self.storage = storage
        self.searcher = searcher
        self.reader = searcher.reader()
        self.stamp = stamp
        self.ranking = ranking
        self.postings = PostingCache(self.reader, self.date_array)
        self.scorer = Scorer(self.postings, ranking)
        #: whoosh's stored fields of a document (the last ones read are kept: do not change them)
        self.stored: Callable[[Hashable], Mapping[str, Any]] = functools.lru_cache(maxsize=STORED_CACHED)(
            searcher.stored_fields)
        self._values: dict[str, ValueIndex] = {}
        self._value_docs: dict[str, dict[str, np.ndarray]] = {}
        self._dates: np.ndarray | None = None
        self._months: np.ndarray | None = None
        self._stats: IndexStats | None = None
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
        return self._once_loaded("_duplicates",
                                 lambda: DuplicateGroups.read(self.reader, self.postings.live()))

    def date_array(self) -> np.ndarray:
        """The date of every document as a sortable number (`MISSING_DATE`: no date)."""
        return self._once_loaded("_dates", self._read_dates)

    def month_column(self) -> np.ndarray:
        """The month of every document as `year * 12 + month - 1` (-1: no date), for the
        month and year facets: from the date column with numpy (whoosh's date numbers are
        microseconds since 0001-01-01)."""
        if self._months is None:
            dates = self.date_array()
            present = dates != MISSING_DATE
            days = (dates[present] // np.uint64(_DAY)).astype(np.int64) - _EPOCH_DAYS
            months = np.full(len(dates), -1, dtype=np.int32)
            months[present] = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) \
                + 1970 * 12
            self._months = months
        return self._months

    def _read_dates(self) -> np.ndarray:
        column = np.full(self.reader.doc_count_all(), MISSING_DATE, dtype=np.uint64)
        for sub, offset in self.reader.leaf_readers():
            if sub.has_column("date"):
                column[offset:offset + sub.doc_count_all()] = numeric_column(
                    sub.column_reader("date", translate=False), sub.doc_count_all(), int(MISSING_DATE))
        return column

    def values(self, fname: str) -> ValueIndex:
        """The exact values of a field (sources, authors, tags, years)."""
        found = self._values.get(fname)
        if found is None:
            found = self._values[fname] = ValueIndex(
                t.decode("utf-8") if isinstance(t, bytes) else t for t in self.reader.lexicon(fname))
        return found

    def value_docs(self, fname: str, clock: Clock | None = None) -> dict[str, np.ndarray]:
        """The documents holding each value of a field (their numbers)."""
        found = self._value_docs.get(fname)
        if found is None:
            found = {}
            for value, _words in self.values(fname).values:
                docs = self.postings.term(fname, value, clock)
                if len(docs):
                    found[value] = docs.copy()  # kept here: the posting cache may drop its own
            self._value_docs[fname] = found
        return found

    # -- the protocol ------------------------------------------------------------------

    @reads_index
    def match(self, request: MatchRequest, clock: Clock) -> Matches:
        """Match, count, rank and count facets (`search._whoosh.matching`)."""
        return match(self, request, clock)

    @reads_index
    def articles(self, keys: Sequence[Hashable]) -> list[StoredArticle]:
        """The stored articles with these document numbers."""
        return [StoredArticle(key, stored_article(self.stored(key))) for key in keys]

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
        """Counts, size, date range and versions of the index (computed once: a snapshot does
        not change, and a UI may ask every few seconds whether the index did)."""
        if self._stats is None:
            self._stats = self._compute_stats()
        return self._stats

    def _compute_stats(self) -> IndexStats:
        reader = self.reader
        meta = read_meta(self.path) or {}
        dates = self.date_array()
        known = np.flatnonzero(self.postings.live() & (dates != MISSING_DATE))
        first = int(known[np.argmin(dates[known])]) if len(known) else None
        last = int(known[np.argmax(dates[known])]) if len(known) else None
        return IndexStats(
            path=self.path,
            articles=reader.doc_count(),
            size_bytes=dir_size(self.path),
            oldest=self._dated(first) if first is not None else None,
            newest=self._dated(last) if last is not None else None,
            schema_version=int(meta.get("schema_version", 0)),
            built_at=as_datetime(meta.get("built_at")),
            updated_at=as_datetime(meta.get("updated_at")),
            segments=len(reader.leaf_readers()),
            deleted=reader.doc_count_all() - reader.doc_count(),
            sources=len(self.values("source").values),
            words=len(self.vocabulary()),
        )

    def release_pages(self) -> None:
        """Let go of the index pages this process has read (`ZeroCopyStorage`)."""
        release = getattr(self.storage, "release_pages", None)
        if release is not None:
            release()

    def _dated(self, docnum: int) -> datetime:
        """The date of a document as its article gives it (with its time zone)."""
        return _stored_date(self.stored(docnum)) or long_to_datetime(
            int(self.date_array()[docnum]))

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
