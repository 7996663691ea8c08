"""The `Index` facade: open, rebuild, update, search, get, similar, stats — over a backend."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from . import indexer, pipeline
from .backend import Backend
from .clock import CancelToken, Clock
from .corpus import Article
from .errors import SearchError
from .indexer import IndexReport, Progress
from .ranking import RankingConfig
from .results import IndexStats, Results

__all__ = ["CLUSTER_SCHEMES", "TIME_LIMIT", "Index", "index_location", "is_cluster_url", "open_backend"]

#: Seconds a query may run before it stops and returns what it found by then (`Index.time_limit`).
TIME_LIMIT = 2.0

Location = str | os.PathLike[str]
Corpus = str | os.PathLike[str] | Iterable[Article]


#: The URL schemes of a cluster's table (`sphinx://host:9306/articles`): the same SphinxQL.
CLUSTER_SCHEMES = ("sphinx", "manticore")


def is_cluster_url(location: Location) -> bool:
    """Whether `location` names a cluster's table rather than a folder."""
    return isinstance(location, str) and location.split("://", 1)[0] in CLUSTER_SCHEMES and "://" in location


def index_location(location: Location) -> Path | str:
    """A location as the user gave it (an option, an environment variable), ready to pass
    around: a cluster URL stays text (a `Path` would fold its `//` into one `/`), anything
    else is a folder's `Path`."""
    return location if isinstance(location, str) and is_cluster_url(location) else Path(location)


def open_backend(location: Location, ranking: RankingConfig | None = None) -> Backend:
    """The backend of an index location: a cluster URL (`sphinx://…`, `manticore://…`),
    else a folder (the local whoosh index).

    Raises:
        SearchError: a cluster URL, but the cluster client (pymysql) is not installed.
    """
    if is_cluster_url(location):
        try:
            from ._sphinx import SphinxBackend
        except ImportError as err:
            raise SearchError(f"{location} is a cluster, but its client is not installed "
                              f"({err.name or err}): pip install 'search-fr[cluster]'") from err
        return SphinxBackend(str(location), ranking=ranking)
    from ._whoosh import WhooshBackend

    return WhooshBackend(Path(location), ranking)


class Index:
    """A French news index.

    Open one with `Index.open(path)` or build one with `Index.rebuild(corpus, path)`.
    An `Index` notices when another process rebuilds or updates the index and reads the
    new content at the next search. It is safe to share between threads: searches run
    side by side on a snapshot of the index, and each can be cancelled (`cancel=`).
    """

    def __init__(self, backend: Backend) -> None:
        """Wrap an opened backend (prefer `Index.open`)."""
        self.backend = backend
        self.last_report: IndexReport | None = None
        #: Seconds a search may run before it stops with what it found (None: no limit).
        self.time_limit: float | None = TIME_LIMIT

    @property
    def location(self) -> str:
        """Where the index is: its folder, or its cluster URL."""
        return self.backend.location

    @property
    def path(self) -> Path:
        """The index's folder (for a cluster, its URL as a path: prefer `location`)."""
        return Path(self.backend.location)

    # -- opening and writing -------------------------------------------------------------

    @classmethod
    def open(cls, location: Location, *, ranking: RankingConfig | None = None,
             missing_ok: bool = False) -> Index:
        """Open an existing index.

        Args:
            location: the index folder, or a cluster's URL (`sphinx://host:9306/articles`).
            ranking: ranking settings (the defaults are tuned on French news).
            missing_ok: return an `Index` even when there is no index yet (to `update`
                with `build_if_missing`); searching it raises `IndexNotFoundError`.

        Raises:
            IndexNotFoundError, NotAnIndexError, IndexVersionError, IndexCorruptError.
        """
        ix = cls(open_backend(location, ranking))
        if not (missing_ok and not ix.backend.exists()):
            with ix.backend.snapshot():
                pass  # checks the index now rather than at the first search
        return ix

    @classmethod
    def rebuild(cls, corpus: Corpus, location: Location, *, strict: bool = False,
                procs: int | None = None, progress: Progress | None = None, lock_timeout: float = 10.0,
                ranking: RankingConfig | None = None) -> Index:
        """Build the index at `location` from `corpus` (a file, a folder, or `Article`s),
        atomically replacing any previous one; return it opened.

        The report (counts, problems, time, size) is in `last_report`.

        Raises:
            CorpusError: unreadable corpus, no article, or a bad record with `strict`.
            IndexLockedError: another writer held the index longer than `lock_timeout`.
            NotAnIndexError: `location` holds something else than an index.
            IndexWriteError: the system refused the write.
        """
        ix = cls(open_backend(location, ranking))
        ix.last_report = indexer.rebuild(_source(corpus), ix.backend, strict=strict, procs=procs,
                                         progress=progress, lock_timeout=lock_timeout)
        return ix

    def update(self, corpus: Corpus, *, strict: bool = False, progress: Progress | None = None,
               lock_timeout: float = 10.0, build_if_missing: bool = False) -> IndexReport:
        """Add new, re-index changed and delete vanished articles; return the counts.

        Args:
            corpus: a file, a folder, or `Article`s.
            strict: fail on the first bad record instead of skipping it.
            progress: called as progress(done, total) while articles are written (with
                `phase="write"` once the engine writes the index, if it takes `phase`).
            lock_timeout: seconds to wait for another writer.
            build_if_missing: build the index when there is none (open it with
                `missing_ok=True`).

        Raises:
            IndexNotFoundError: no index, and not `build_if_missing`.
        """
        report = indexer.update(_source(corpus), self.backend, strict=strict, progress=progress,
                                lock_timeout=lock_timeout, build_if_missing=build_if_missing)
        self.last_report = report
        return report

    # -- reading ---------------------------------------------------------------------------

    def search(self, q: str, *, limit: int = 10, offset: int = 0, sort: str = "relevance",
               filters: Mapping[str, Any] | None = None,
               date_from: date | datetime | str | None = None, date_to: date | datetime | str | None = None,
               facets: bool = True, snippets: bool = True, duplicates: bool = False,
               cancel: CancelToken | None = None) -> Results:
        """Search the index.

        Args:
            q: the query, in the query language (see the README); never raises on syntax.
            limit: hits per page.
            offset: hits to skip (paging).
            sort: "relevance", "date" or "oldest" (oldest first), "-date" or "newest".
            filters: exact values (case and accents ignored) for "source", "tags",
                "author", "year"; a str or an int is one value, a list means any of them.
            date_from: first day included (date, datetime or ISO text like 2024-03).
            date_to: last day included.
            facets: count sources, tags and years over all matches.
            snippets: compute snippets and highlights for the hits.
            duplicates: list every copy of an article (the same canonical URL or body);
                by default a hit stands for its copies (`Hit.duplicates`, `Hit.also_in`),
                counted once in `total` and the facets.
            cancel: a token that stops the search from another thread.

        A search stops after `time_limit` seconds with the results found by then (a
        `time_limit` notice says so).

        Raises:
            TypeError, ValueError: a bad `q`, `limit`, `offset`, `sort` or filter.
            QueryError: a date bound that is not a date.
            IndexCorruptError: the index files are damaged.
            SearchCancelledError: `cancel` was cancelled before the search ended.
        """
        clock = Clock(self.time_limit, cancel)
        request, notices = pipeline.request_for(q, limit=limit, offset=offset, sort=sort, filters=filters,
                                                date_from=date_from, date_to=date_to, facets=facets,
                                                duplicates=duplicates)
        with self.backend.snapshot() as snap:
            return pipeline.search(snap, request, notices, limit=limit, offset=offset, snippets=snippets,
                                   clock=clock)

    def get(self, article_id: str) -> Article:
        """The stored article with this id.

        Raises:
            UnknownArticleError: no article has this id.
        """
        with self.backend.snapshot() as snap:
            return pipeline.article(snap, article_id)

    def similar(self, article_id: str, *, limit: int = 10, cancel: CancelToken | None = None) -> Results:
        """Articles closest to this one (its most distinctive terms, weighted tf-idf).

        Raises:
            UnknownArticleError: no article has this id.
        """
        if limit < 0:
            raise ValueError("limit must be >= 0")
        clock = Clock(None, cancel)
        with self.backend.snapshot() as snap:
            return pipeline.similar(snap, article_id, limit=limit, clock=clock)

    def stats(self) -> IndexStats:
        """Counts, size, date range and versions of the index."""
        with self.backend.snapshot() as snap:
            return snap.stats()

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        """Release the open files (a search still running finishes first)."""
        self.backend.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({self.backend.location!r})"


def _source(corpus: Corpus) -> Path | Iterable[Article]:
    return Path(corpus) if isinstance(corpus, str | os.PathLike) else corpus

