"""The seam between the `Index` facade and a search engine: the protocol a backend implements.

Today's engine is the local Whoosh index (`search._whoosh`); a remote engine (a Sphinx or
Manticore cluster) implements the same protocol. Nothing engine-specific crosses it:
requests hold the query's syntax tree (`search.query_syntax`) and plain values, answers
are plain dataclasses, and an article is named by an opaque `key` that only its backend
reads.

The layers around it::

    Index (facade) -> pipeline (one search: hits, snippets, suggestions)
                   -> Backend.snapshot() -> Snapshot.match / articles / similar / stats
    indexer (reads the corpus, finds what changed) -> Backend.writer() -> Writer

A `Snapshot` is an immutable view of the index at one moment: searches on it may run in
several threads at once, and each one checks its `Clock` (time limit and cancel token) in
its loops. A `Writer` is one write transaction, all or nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .clock import Clock
from .corpus import Article
from .query_syntax import Node
from .results import FacetCount, IndexStats, Notice
from .vocabulary import Vocabulary

__all__ = [
    "SORTS",
    "Backend",
    "Match",
    "MatchRequest",
    "Matches",
    "Snapshot",
    "StoredArticle",
    "WriteResult",
    "Writer",
]

#: The sort orders a backend knows: by score, oldest first, newest first.
SORTS = ("relevance", "date", "-date")


@dataclass(frozen=True)
class MatchRequest:
    """What to match and how to rank it.

    Attributes:
        text: the query as typed (never empty when `tree` is set).
        tree: its syntax tree (None: no words, only filters).
        filters: exact values wanted, by field ("source", "tags", "author", "year"); an
            article passes when it has one of the values of each field (case and accents
            ignored). Already checked: the fields are among these four.
        date_from: first moment included (naive, as the articles' dates are compared).
        date_to: last moment included.
        sort: one of `SORTS`.
        want: how many of the best matches to rank (the page's offset plus its limit).
        facets: count the values of "source", "tags" and "year" over all matches.
        collapse: one article per group of duplicates (the same canonical URL or the
            same body: `search.corpus.duplicate_keys`), the best ranked, with the others
            that match in its `Match.duplicates`; a group counts once in `total` and in
            each facet value its articles hold.
    """

    text: str
    tree: Node | None
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: str = "relevance"
    want: int = 10
    facets: bool = True
    collapse: bool = True


@dataclass(frozen=True, slots=True)
class Match:
    """One matching article: the backend's `key` for it, its score, whether it holds
    every word of the query (False for the articles a relaxed query adds), and the keys
    of the matching duplicates it stands for (`MatchRequest.collapse`)."""

    key: Hashable
    score: float
    all_words: bool = True
    duplicates: tuple[Hashable, ...] = ()


@dataclass
class Matches:
    """What a backend found for a `MatchRequest`.

    Attributes:
        total: how many articles match (all of them, not only the ranked ones).
        ranked: the best `want` of them, in order.
        terms: the analysed terms (as `search.analysis` makes them) whose occurrences
            are highlighted in the hits.
        facets: counts by field over all matches (empty when not asked for): "source" and
            "tags" (the most frequent first), "year" (newest first); and "month" (values
            `YYYY-MM`, newest first) when the engine can count months from the article
            dates: then "year" must be derived from them (`search.results.years_of`), so the
            timeline and the year facet agree. Without "month", UIs draw years.
        notices: what was done with the query (relaxed, capped expansions, stop words…).
        sort: the order actually used ("-date" when a query has nothing to rank by).
        out_of_time: the clock ran out: these are the matches found by then.
    """

    total: int = 0
    ranked: list[Match] = field(default_factory=list)
    terms: frozenset[str] = frozenset()
    facets: dict[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    sort: str = "relevance"
    out_of_time: bool = False


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as stored in the index, with the key its backend gave it."""

    key: Hashable
    article: Article


class Snapshot(Protocol):
    """An immutable view of the index at one moment (safe to search from several threads)."""

    def match(self, request: MatchRequest, clock: Clock) -> Matches:
        """Match, count and rank; check `clock` in every loop that can run long.

        Raises `OutOfTime` only through `clock.check()` when it does not catch it itself;
        a backend that stops early says so with `Matches.out_of_time`.
        """
        ...

    def articles(self, keys: Sequence[Hashable]) -> list[StoredArticle]:
        """The stored articles with these keys, in the same order."""
        ...

    def key_of(self, article_id: str) -> Hashable | None:
        """The key of the article with this id (None: not in the index)."""
        ...

    def similar(self, key: Hashable, limit: int, clock: Clock) -> Matches:
        """The articles closest to this one (itself excluded), best first."""
        ...

    def vocabulary(self) -> Vocabulary:
        """The real words of the index, with their document frequencies (for expansions and
        "did you mean")."""
        ...

    def stats(self) -> IndexStats:
        """Counts, size, date range and versions."""
        ...


@dataclass(frozen=True)
class WriteResult:
    """What a committed write left: how many articles the index holds, its size."""

    articles: int
    size_bytes: int


class Writer(Protocol):
    """One write transaction. A rebuild writes a new index that replaces the old one at
    `commit` (the old one stays searchable until then, and stays if anything fails); an
    update changes the index in place at `commit` — atomically on the local engine; on a
    cluster of shards, a search running during the commit may see some shards changed
    and not yet the others."""

    def indexed(self) -> Mapping[str, str]:
        """What the index holds before this write: article id -> content hash (empty for a
        rebuild)."""
        ...

    def unchanged(self, signature: object) -> WriteResult | None:
        """What the index holds if it was last written from a corpus with this `signature`
        (its files, sizes and times) and nothing else wrote it since (an update can stop
        there); None otherwise."""
        ...

    def add(self, article: Article, digest: str) -> None:
        """Write an article (with its content hash); an id written before in this
        transaction, or already in the index, is replaced."""
        ...

    def delete(self, article_id: str) -> None:
        """Remove an article from the index."""
        ...

    def commit(self, signature: object) -> WriteResult:
        """Make the write visible, remembering the corpus `signature`."""
        ...

    def cancel(self) -> None:
        """Drop the write; the index stays as it was."""
        ...


class Backend(Protocol):
    """One index on one engine, opened by `Index.open(location)`."""

    #: Where the index is: a folder, or an engine URL (for messages and stats).
    location: str

    def snapshot(self) -> AbstractContextManager[Snapshot]:
        """The current view of the index, reopened when another process changed it; held
        for the block (a newer write never closes it under a running search)."""
        ...

    def writer(self, action: str, *, lock_timeout: float, procs: int | None,
               notes: list[str]) -> AbstractContextManager[Writer]:
        """A write transaction ("rebuild" or "update"), holding the index's one-writer lock
        for the block; `notes` receives what the user should know (a dead writer's lock
        taken over…). `cancel()` is called when the block raises."""
        ...

    def exists(self) -> bool:
        """Whether an index is there to update (else an update builds one)."""
        ...

    def close(self) -> None:
        """Release the open files and connections."""
        ...
