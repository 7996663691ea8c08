"""The `Index` facade: open, search, get, similar, stats — whoosh stays behind it."""

from __future__ import annotations

import functools
import heapq
import math
import os
import pickle
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.index import EmptyIndexError
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.times import long_to_datetime

from . import indexer
from .analysis import analyze, shared_analyzer
from .clock import CancelToken, Clock, OutOfTime
from .corpus import Article, parse_date
from .docsets import DocSets
from .errors import (
    IndexCorruptError,
    IndexNotFoundError,
    IndexVersionError,
    NotAnIndexError,
    QueryError,
    SearchError,
    UnknownArticleError,
)
from .highlight import best_passage, match_spans
from .matching import Compiled, Compiler, Ranking, Scoring, ValueIndex, is_question
from .query_syntax import parse
from .ranker import Ranker
from .results import FacetCount, Highlight, Hit, IndexStats, Notice, Results
from .schema import FACET_FIELDS, SCHEMA_VERSION
from .storage import META_NAME, dir_size, foreign_entries, has_toc, read_meta
from .vocabulary import Vocabulary

__all__ = ["Index", "check_index"]

SORTS = ("relevance", "date", "-date")
FILTER_FIELDS = ("source", "tags", "author", "year")
#: Values listed per facet (years are all listed).
FACET_TOP = 50
#: Seconds a query may run before it stops and returns what it found by then (`Index.time_limit`).
TIME_LIMIT = 2.0


# what a damaged index raises from inside whoosh
_DAMAGE = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, EmptyIndexError,
           ValueError, KeyError, IndexError, AttributeError, ImportError, TypeError,
           whoosh_index.IndexError, TermNotFound)

_F = TypeVar("_F", bound=Callable[..., Any])


def _reads_index(method: _F) -> _F:
    """Translate what whoosh raises when it meets damaged files into `IndexCorruptError`.

    Misuse (`ValueError`, `TypeError` from the arguments) and `SearchError` pass through.
    """

    @functools.wraps(method)
    def wrapper(self: Index, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except SearchError:
            raise
        except Exception as err:
            # whoosh raises many kinds on bad bytes, bare Exceptions on bad blocks among them
            if _is_misuse(err) or not (isinstance(err, _DAMAGE) or _in_whoosh(err)
                                       or type(err) is Exception):
                raise
            raise IndexCorruptError(self.path, f"{type(err).__name__}: {err}"[:160]) from err

    return cast(_F, wrapper)


def _is_misuse(err: BaseException) -> bool:
    """A `ValueError` or `TypeError` raised by our own checks of the arguments."""
    return (isinstance(err, ValueError | TypeError) and not _in_whoosh(err)
            and not isinstance(err, UnicodeDecodeError | pickle.UnpicklingError))


def _in_whoosh(err: BaseException) -> bool:
    """Whether the error was raised inside whoosh (reading damaged files), not by our own checks."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"{os.sep}whoosh{os.sep}" in tb.tb_frame.f_code.co_filename


def check_index(path: Path) -> dict[str, Any]:
    """Check that `path` holds an index of this schema version; return its metadata.

    Raises:
        IndexNotFoundError: nothing (or no index) at `path`.
        IndexVersionError: built by another schema version.
    """
    if not path.is_dir():
        if path.exists():
            raise NotAnIndexError(path, [])
        raise IndexNotFoundError(path)
    meta = read_meta(path)
    toc = has_toc(path)
    if meta is None or not toc:  # not a whole index: is it one of ours at all?
        foreign = foreign_entries(path)
        if foreign:
            raise NotAnIndexError(path, foreign)
    if meta is None:
        if toc:
            if (path / META_NAME).exists():
                raise IndexCorruptError(path, f"{META_NAME} is unreadable")
            raise IndexVersionError(path, None, SCHEMA_VERSION)
        raise IndexNotFoundError(path)
    found = meta.get("schema_version")
    if found != SCHEMA_VERSION:
        raise IndexVersionError(path, found if isinstance(found, int) else None, SCHEMA_VERSION)
    return meta


def _open_whoosh(path: Path) -> Any:
    try:
        ix = whoosh_index.open_dir(str(path))
        ix.schema  # noqa: B018 - unpickles the schema: fails here if it is damaged
        return ix
    except EmptyIndexError as err:
        raise IndexCorruptError(path, "no table of contents") from err
    except Exception as err:  # only whoosh runs here: whatever it raises is damage
        raise IndexCorruptError(path, f"{type(err).__name__}: {err}".strip()[:160]) from err


@dataclass
class _View:
    """One open searcher and what is cached about it (valid until the index changes)."""

    searcher: Any
    stamp: tuple[int, ...]
    values: dict[str, ValueIndex] = field(default_factory=dict)
    docsets: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    dates: tuple[int | None, ...] | None = None  # raw date column, None where missing
    vocab: Vocabulary | None = None
    sets: DocSets | None = None
    rankers: dict[Ranking, Ranker] = field(default_factory=dict)

    def doc_sets(self) -> DocSets:
        """Document sets of this reader (cached posting lists)."""
        if self.sets is None:
            self.sets = DocSets(self.searcher.reader(), self.date_column)
        return self.sets

    def ranker(self, ranking: Ranking) -> Ranker:
        """The BM25F ranker of this reader for these settings."""
        found = self.rankers.get(ranking)
        if found is None:
            found = self.rankers[ranking] = Ranker(self.doc_sets(), ranking)
        return found

    def vocabulary(self, path: Path) -> Vocabulary:
        """The index's vocabulary, read on first use."""
        if self.vocab is None:
            self.vocab = Vocabulary.load(path)
        return self.vocab

    def date_column(self) -> tuple[int | None, ...]:
        """The date of every document as a sortable integer (None: no date)."""
        if self.dates is None:
            reader = self.searcher.reader()
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
            self.dates = tuple(dates)
        return self.dates


def _as_datetime(value: date | datetime | str | None, *, end: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        from .query_syntax import parse_date_bound

        bound = parse_date_bound(value, end=end)
        if bound is not None:
            return bound
        try:
            value = parse_date(value)
        except ValueError as err:
            raise QueryError(str(err)) from None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if end:
        return datetime(value.year, value.month, value.day, 23, 59, 59, 999999)
    return datetime(value.year, value.month, value.day)


class Index:
    """A French news index on disk.

    Open one with `Index.open(path)` or build one with `Index.rebuild(corpus, path)`.
    An `Index` notices when another process rebuilds or updates the index and reads
    the new content at the next search. It is safe to share between threads.
    """

    def __init__(self, path: Path, *, ranking: Ranking | None = None) -> None:
        """Open the index at `path` (prefer `Index.open`)."""
        self.path = Path(path)
        self.ranking = ranking or Ranking()
        self.last_report: indexer.IndexReport | None = None
        #: Seconds a search may run before it stops with what it found (None: no limit).
        self.time_limit: float | None = TIME_LIMIT
        self._lock = threading.RLock()
        self._view: _View | None = None
        self._view = self._open_view()

    # -- building ------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, ranking: Ranking | None = None) -> Index:
        """Open an existing index.

        Raises:
            IndexNotFoundError, IndexVersionError, IndexCorruptError.
        """
        return cls(Path(path), ranking=ranking)

    @classmethod
    def rebuild(
        cls,
        corpus: str | os.PathLike[str] | Iterable[Article],
        path: str | os.PathLike[str],
        *,
        strict: bool = False,
        procs: int | None = None,
        progress: indexer.Progress | None = None,
        lock_timeout: float = 10.0,
        ranking: Ranking | None = None,
    ) -> Index:
        """Build the index at `path` from `corpus` (a file, a folder, or `Article`s),
        atomically replacing any previous one; return it opened.

        The report (counts, problems, time, size) is in `last_report`.

        Raises:
            CorpusError: unreadable corpus, no article, or a bad record with `strict`.
            IndexLockedError: another writer held the index longer than `lock_timeout`.
        """
        report = indexer.rebuild(
            corpus if not isinstance(corpus, str | os.PathLike) else Path(corpus),
            Path(path), strict=strict, procs=procs, progress=progress,
            lock_timeout=lock_timeout,
        )
        ix = cls(Path(path), ranking=ranking)
        ix.last_report = report
        return ix

    def update(
        self,
        corpus: str | os.PathLike[str] | Iterable[Article],
        *,
        strict: bool = False,
        progress: indexer.Progress | None = None,
        lock_timeout: float = 10.0,
    ) -> indexer.IndexReport:
        """Add new, re-index changed and delete vanished articles; return the counts."""
        source = corpus if not isinstance(corpus, str | os.PathLike) else Path(corpus)
        report = indexer.update(source, self.path, strict=strict, progress=progress,
                                lock_timeout=lock_timeout)
        self.last_report = report
        with self._lock:
            self._refresh(force=True)
        return report

    # -- state -----------------------------------------------------------------

    def _stamp(self) -> tuple[int, ...]:
        try:
            st = os.stat(self.path)
            meta = os.stat(self.path / META_NAME)
        except OSError:
            return (0,)
        return (st.st_dev, st.st_ino, meta.st_ino, meta.st_mtime_ns)

    def _open_view(self) -> _View:
        for attempt in range(5):
            check_index(self.path)
            stamp = self._stamp()
            try:
                ix = _open_whoosh(self.path)
            except IndexCorruptError as err:
                # a writer that commits deletes the table of contents it replaces: one that
                # vanished between listing and reading it is a race, not damage (whoosh's
                # searcher() retries the same way for the segment files)
                if attempt < 4 and isinstance(err.__cause__, FileNotFoundError):
                    time.sleep(0.02 * (attempt + 1))
                    continue
                raise
            try:
                searcher = ix.searcher(weighting=BM25F(B=self.ranking.b, K1=self.ranking.k1))
            except Exception as err:  # only whoosh runs here: whatever it raises is damage
                raise IndexCorruptError(self.path, f"{type(err).__name__}: {err}"[:160]) from err
            return _View(searcher, stamp)
        raise AssertionError("unreachable")

    def _refresh(self, force: bool = False) -> _View:
        view = self._view
        if view is None:
            raise IndexNotFoundError(self.path)
        # not whoosh's searcher.refresh(): it keeps the readers of segments that a merge
        # replaced, so that their articles come twice
        if force or view.stamp != self._stamp() or not view.searcher.up_to_date():
            new = self._open_view()
            view.searcher.close()
            self._view = view = new
        return view

    def close(self) -> None:
        """Release the open files."""
        with self._lock:
            if self._view is not None:
                self._view.searcher.close()
                self._view = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # -- caches ------------------------------------------------------------------

    def _values(self, view: _View, fname: str) -> ValueIndex:
        vi = view.values.get(fname)
        if vi is None:
            reader = view.searcher.reader()
            vi = view.values[fname] = ValueIndex(
                t.decode("utf-8") if isinstance(t, bytes) else t for t in reader.lexicon(fname))
        return vi

    def _docsets(self, view: _View, fname: str, clock: Clock | None = None) -> dict[str, frozenset[int]]:
        sets = view.docsets.get(fname)
        if sets is None:
            doc_sets = view.doc_sets()
            sets = {}
            for value, _words in self._values(view, fname).values:
                docs = doc_sets.term(fname, value, clock)
                if docs:
                    sets[value] = docs
            view.docsets[fname] = sets
        return sets

    # -- searching ---------------------------------------------------------------

    @_reads_index
    def search(
        self,
        q: str,
        *,
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        filters: Mapping[str, str | Iterable[str]] | None = None,
        date_from: date | datetime | str | None = None,
        date_to: date | datetime | str | None = None,
        facets: bool = True,
        snippets: bool = True,
        cancel: CancelToken | None = None,
    ) -> Results:
        """Search the index.

        Args:
            q: the query, in the query language (see the README); never raises on syntax.
            limit: hits per page.
            offset: hits to skip (paging).
            sort: "relevance", "date" (oldest first) or "-date" (newest first).
            filters: exact values (case and accents ignored) for "source", "tags",
                "author", "year"; a list means any of them.
            date_from: first day included (date, datetime or ISO text like 2024-03).
            date_to: last day included.
            facets: count sources, tags and years over all matches.
            snippets: compute snippets and highlights for the hits.
            cancel: a token that stops the search from another thread.

        A search stops after `time_limit` seconds with the results found by then (a
        `time_limit` notice says so).

        Raises:
            ValueError: a bad `limit`, `offset`, `sort` or filter name.
            QueryError: a date bound that is not a date.
            IndexCorruptError: the index files are damaged.
            SearchCancelledError: `cancel` was cancelled before the search ended.
        """
        if not isinstance(q, str):
            raise TypeError(f"query must be a str, not {type(q).__name__}")
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        clock = Clock(self.time_limit, cancel)
        with self._lock:  # damage met in whoosh becomes IndexCorruptError (`_reads_index`)
            view = self._refresh()
            return self._search(view, q, limit, offset, sort, filters, date_from, date_to,
                                facets, snippets, clock)

    def _filters(self, view: _View, filters: Mapping[str, Any] | None,
                 date_from: Any, date_to: Any, notices: list[Notice]) -> list[wq.Query]:
        extra: list[wq.Query] = []
        for name, wanted in (filters or {}).items():
            if name not in FILTER_FIELDS:
                raise ValueError(f"unknown filter {name!r}: use one of {', '.join(FILTER_FIELDS)}")
            if wanted is None or wanted == "" or wanted == []:
                continue
            items = [wanted] if isinstance(wanted, str) else list(wanted)
            values: list[str] = []
            for item in items:
                found = self._values(view, name).exact(str(item))
                if not found:
                    notices.append(Notice("no_such_value", f"no {name} is {item!r}",
                                          field=name, value=str(item)))
                values.extend(found)
            extra.append(wq.Or([wq.Term(name, v) for v in values]) if values else wq.NullQuery)
        start = _as_datetime(date_from, end=False)
        end = _as_datetime(date_to, end=True)
        if start is not None or end is not None:
            extra.append(wq.DateRange("date", start, end))
        return extra

    def _search(self, view: _View, q: str, limit: int, offset: int, sort: str,
                filters: Mapping[str, Any] | None, date_from: Any, date_to: Any,
                want_facets: bool, want_snippets: bool, clock: Clock) -> Results:
        searcher = view.searcher
        started = clock.started
        parsed = parse(q)
        notices = list(parsed.notices)
        extra = self._filters(view, filters, date_from, date_to, notices)
        compiler = Compiler(view.vocabulary(self.path), {
            f: self._values(view, f) for f in ("source", "author", "tags")}, self.ranking,
            question=is_question(q), clock=clock)
        try:
            compiled = compiler.run(parsed.root, extra)
        except OutOfTime:
            notices.append(self._time_notice())
            return Results(q, 0, (), _ms(started), None, tuple(notices), {}, offset, limit, sort)
        notices.extend(n for n in compiled.notices if n not in notices)
        if compiled.strict is None:
            if q.strip() and parsed.root is not None:
                notices.append(Notice("only_stopwords", "the query holds only stop words "
                                      "(le, de, des…): type a more specific word"))
            elif not q.strip() and not extra:
                notices.append(Notice("empty", "empty query"))
            if not extra:
                return Results(q, 0, (), _ms(started), None, tuple(notices), {}, offset, limit,
                               sort)
            compiled.strict = wq.And(extra) if len(extra) > 1 else extra[0]
        if sort == "relevance" and not compiled.highlight:
            sort = "-date"  # nothing to rank by: newest first
        # each stage checks the clock; when the time is out, the stages left do only what
        # costs nothing (no ranking, no snippets, no facets) with what was found by then
        try:
            matched = self._matching(view, compiled.strict, clock)
        except OutOfTime:
            matched = set()
        exact = len(matched)
        ranked: list[tuple[int, float, bool]] = []
        want = offset + limit
        try:
            first: set[int] = set()  # articles kept ahead whatever their score
            if compiled.relaxed is not None and exact < self.ranking.relax_below:
                ranked, matched, first = self._relaxed(view, compiled, matched, want, sort, clock)
                if len(matched) > exact:
                    some = "no article contains" if not exact else (
                        "only 1 article contains" if exact == 1 else f"only {exact} articles contain")
                    notices.append(Notice(
                        "relaxed", f"{some} all the words: the best articles with some of them follow",
                        exact=exact))
            else:
                ranked = self._ranked(view, _parts(compiled), want, sort, matched, clock)
            if sort == "relevance":
                ranked = self._opening_boost(view, ranked, _parts(compiled), want, first, clock)
        except OutOfTime:
            if not ranked:
                ranked = [(d, 0.0, True) for d in heapq.nsmallest(want, matched)]
        page = ranked[offset:offset + limit]
        hits = tuple(self._hit(searcher, docnum, score, full, compiled.highlight,
                               want_snippets and not clock.expired())
                     for docnum, score, full in page)
        facet_counts = self._facets(view, matched, clock) if want_facets else {}
        try:
            suggestion = self._suggest(view.vocabulary(self.path), q, compiled, len(matched), clock)
        except OutOfTime:
            suggestion = None
        if clock.out:
            notices.append(self._time_notice())
        return Results(q, len(matched), hits, _ms(started), suggestion, tuple(notices),
                       facet_counts, offset, limit, sort)

    def _time_notice(self) -> Notice:
        return Notice("time_limit", f"the search was stopped after {self.time_limit:g} s: "
                      "these are the results found by then", limit=self.time_limit)

    def _matching(self, view: _View, query: wq.Query, clock: Clock) -> set[int]:
        """Every document `query` matches: set algebra, whoosh for the kinds it does not know."""
        found = view.doc_sets().of(query, lambda q: _whoosh_docs(view.searcher, q, clock), clock)
        return set(found) if found is not None else _whoosh_docs(view.searcher, query, clock)

    def _ranked(self, view: _View, parts: list[Scoring], want: int, sort: str,
                matched: set[int], clock: Clock | None = None) -> list[tuple[int, float, bool]]:
        """The first `want` of `matched`, by BM25F (or by date)."""
        if want == 0:
            return []
        if sort == "relevance":
            ranker = view.ranker(self.ranking)
            best = ranker.top(ranker.scores(parts, matched, clock), want, matched)
            return [(d, score, True) for d, score in best]
        key = _date_key(view.date_column(), sort)
        return [(d, 0.0, True) for d in heapq.nsmallest(want, matched, key=key)]

    def _opening_boost(self, view: _View, ranked: list[tuple[int, float, bool]],
                       parts: list[Scoring], want: int, first: set[int], clock: Clock,
                       ) -> list[tuple[int, float, bool]]:
        """Re-rank the best articles favouring those whose opening (the lead, in news'
        inverted pyramid) holds the words: score * (1 + lead_weight * share of the query's
        parts found in the first `lead_chars` characters of the body). Articles in `first`
        stay ahead."""
        ranking = self.ranking
        head = ranked[:max(ranking.rerank, want)]
        if not parts or ranking.lead_weight <= 0 or len(head) < 2:
            return ranked
        groups = [set(p.stems) for p in parts]
        searcher = view.searcher
        rescored = []
        for docnum, score, full in head:
            clock.check()
            body = searcher.stored_fields(docnum).get("body", "")
            opening = shared_analyzer().index_terms(body[:ranking.lead_chars]).keys()
            share = sum(1 for g in groups if not g.isdisjoint(opening)) / len(groups)
            rescored.append((docnum, score * (1.0 + ranking.lead_weight * share), full))
        rescored.sort(key=lambda r: (r[0] not in first, -r[1], r[0]))
        return rescored + ranked[len(head):]

    def _relaxed(self, view: _View, compiled: Compiled, exact: set[int], want: int,
                 sort: str, clock: Clock) -> tuple[list[tuple[int, float, bool]], set[int], set[int]]:
        """Articles with all the words first (for queries of up to `exact_first_words`
        words), then the best of those with some of them: the top `relax_pool` articles of
        the OR of the words, by BM25F times the share of the words they hold ** `coord`."""
        assert compiled.relaxed is not None
        ranking = self.ranking
        candidates = self._matching(view, compiled.relaxed, clock)
        clauses = [c for c in compiled.clauses if c.relaxable]
        ranker = view.ranker(ranking)
        total, scored = ranker.scores(_parts(compiled), candidates, clock)
        if ranking.coord > 0 and clauses:
            held = np.zeros(ranker.size, dtype=np.int32)  # how many clauses each document holds
            for clause in clauses:
                holds = np.zeros(ranker.size, dtype=bool)
                for part in clause.scoring:
                    holds[ranker.ids(part, clock)] = True
                held += holds
            some = scored & ~ranker.mask(exact)
            total[some] *= (held[some] / len(clauses)) ** ranking.coord
        pool = dict(ranker.top((total, scored), max(ranking.relax_pool, want)))
        for docnum in exact:  # all the words: always in
            pool.setdefault(docnum, float(total[docnum]) if scored[docnum] else 0.0)
        first = exact if len(clauses) <= ranking.exact_first_words else set()
        if sort == "relevance":
            order = sorted(pool, key=lambda d: (d not in first, -pool[d], d))
        else:
            by_date = _date_key(view.date_column(), sort)
            order = sorted(pool, key=lambda d: (d not in first, by_date(d)))
        return [(d, pool[d], d in exact) for d in order], set(pool), first

    def _facets(self, view: _View, matched: set[int], clock: Clock) -> dict[str, tuple[FacetCount, ...]]:
        """Counts of the values of each facet field among `matched` (the fields counted before
        the time ran out)."""
        out: dict[str, tuple[FacetCount, ...]] = {}
        for fname in FACET_FIELDS:
            counts = []
            try:
                for i, (value, docs) in enumerate(self._docsets(view, fname, clock).items()):
                    if not i & 63:
                        clock.check()
                    n = len(matched & docs) if len(docs) < len(matched) else len(docs & matched)
                    if n:
                        counts.append(FacetCount(value, n))
            except OutOfTime:
                break
            if fname == "year":
                counts.sort(key=lambda c: c.value, reverse=True)
            else:
                counts.sort(key=lambda c: (-c.count, c.value))
                counts = counts[:FACET_TOP]
            out[fname] = tuple(counts)
        return out

    def _hit(self, searcher: Any, docnum: int, score: float, full: bool, terms: set[str],
             want_snippets: bool) -> Hit:
        stored = searcher.stored_fields(docnum)
        title = stored.get("title", "")
        body = stored.get("body", "")
        highlights: list[Highlight] = []
        snippet, spans = "", list[tuple[int, int]]()
        if want_snippets:
            title_spans = match_spans(title, terms)
            body_spans = match_spans(body, terms)
            highlights = [Highlight("title", s, e) for s, e, _ in title_spans]
            highlights += [Highlight("body", s, e) for s, e, _ in body_spans]
            snippet, spans = best_passage(body, body_spans)
        return Hit(
            id=stored["id"],
            title=title,
            date=_stored_date(stored),
            source=stored.get("source", ""),
            author=stored.get("author", ""),
            url=stored.get("url", ""),
            tags=tuple(stored.get("tags") or ()),
            score=round(score, 4),
            snippet=snippet,
            snippet_spans=tuple(spans),
            highlights=tuple(highlights),
            all_words=full,
        )

    # -- did you mean --------------------------------------------------------------

    def _suggest(self, vocab: Vocabulary, q: str, compiled: Compiled, total: int,
                 clock: Clock | None = None) -> str | None:
        replacements: list[tuple[int, int, str]] = []
        for spelled in compiled.spelled:
            df = vocab.doc_frequency(spelled.word)
            if df >= 3 or (df and total):
                continue
            best = _closest(vocab, spelled.word, df, clock)
            if best is None:
                continue
            display = vocab.form(best)
            written = q[spelled.start:spelled.end]
            if written.isupper() and len(written) > 1:
                display = display.upper()
            elif written[:1].isupper():
                display = display[:1].upper() + display[1:]
            replacements.append((spelled.start, spelled.end, display))
        if not replacements:
            return None
        out = q
        for start, end, new in sorted(replacements, reverse=True):
            out = out[:start] + new + out[end:]
        return out if out != q else None

    # -- articles ------------------------------------------------------------------

    def _docnum(self, view: _View, article_id: str) -> int:
        docnum = view.searcher.document_number(id=article_id)
        if docnum is None:
            raise UnknownArticleError(article_id)
        return int(docnum)

    @_reads_index
    def get(self, article_id: str) -> Article:
        """The stored article with this id.

        Raises:
            UnknownArticleError: no article has this id.
        """
        with self._lock:
            view = self._refresh()
            stored = view.searcher.stored_fields(self._docnum(view, article_id))
        return Article(
            id=stored["id"], title=stored.get("title", ""), body=stored.get("body", ""),
            date=_stored_date(stored), source=stored.get("source", ""),
            author=stored.get("author", ""), url=stored.get("url", ""),
            tags=tuple(stored.get("tags") or ()), lead=stored.get("lead", ""),
        )

    @_reads_index
    def similar(self, article_id: str, *, limit: int = 10) -> Results:
        """Articles closest to this one (its most distinctive terms, weighted tf-idf).

        Raises:
            UnknownArticleError: no article has this id.
        """
        if limit < 0:
            raise ValueError("limit must be >= 0")
        started = time.perf_counter()
        article = self.get(article_id)
        with self._lock:
            view = self._refresh()
            searcher = view.searcher
            reader = searcher.reader()
            n_docs = max(reader.doc_count(), 1)
            tf = Counter(t.text for t in analyze(article.title + "\n" + article.body))
            weights = []
            for term, count in tf.items():
                if len(term) < 3 or term.isdigit():
                    continue
                df = reader.doc_frequency("body", term)
                if df < 2:
                    continue
                weights.append(((1 + math.log(count)) * math.log(n_docs / df), term))
            top = sorted((w for w in weights if w[0] > 0), reverse=True)[:25]  # 0: in every article
            if not top:
                return Results(f"similar:{article_id}", 0, (), _ms(started), limit=limit)
            peak = top[0][0]
            fields = (("title", self.ranking.title_boost), ("body", 1.0))
            parts = [Scoring((t,), fields, w / peak, "any") for w, t in top]
            doc_sets = view.doc_sets()
            matched = set().union(*(doc_sets.term(f, t) for _, t in top for f, _ in fields))
            matched.discard(self._docnum(view, article_id))
            ranked = self._ranked(view, parts, limit, "relevance", matched)
            terms = {t for _, t in top[:10]}
            hits = tuple(self._hit(searcher, d, s, True, terms, True) for d, s, _ in ranked)
        return Results(f"similar:{article_id}", len(matched), hits, _ms(started), limit=limit)

    @_reads_index
    def stats(self) -> IndexStats:
        """Counts, size, date range and versions of the index."""
        with self._lock:
            view = self._refresh()
            reader = view.searcher.reader()
            meta = read_meta(self.path) or {}
            stamps = [view.date_column()[n] for n in reader.all_doc_ids()]
            known = [s for s in stamps if s is not None]
            oldest = long_to_datetime(min(known)) if known else None
            newest = long_to_datetime(max(known)) if known else None
            return IndexStats(
                path=self.path,
                articles=reader.doc_count(),
                size_bytes=dir_size(self.path),
                oldest=oldest,
                newest=newest,
                schema_version=int(meta.get("schema_version", 0)),
                built_at=meta.get("built_at"),
                updated_at=meta.get("updated_at"),
                segments=len(reader.leaf_readers()),
                deleted=reader.doc_count_all() - reader.doc_count(),
                sources=len(self._values(view, "source").values),
                words=len(view.vocabulary(self.path)),
            )


def _whoosh_docs(searcher: Any, query: wq.Query, clock: Clock) -> set[int]:
    """The documents matching `query` through whoosh's matchers, as many as time allows."""
    found: set[int] = set()
    if clock.expired():
        return found
    for n, docnum in enumerate(searcher.docs_for_query(query)):
        found.add(docnum)
        if n & 63 == 63 and clock.expired():
            break
    return found


def _parts(compiled: Compiled) -> list[Scoring]:
    """Every scoring part of a compiled query."""
    return [part for clause in compiled.clauses for part in clause.scoring]


def _date_key(dates: Sequence[int | None], sort: str) -> Any:
    """Sort key for docnums by date; articles without a date come last either way."""
    sign = -1 if sort == "-date" else 1

    def key(docnum: int) -> tuple[bool, int, int]:
        value = dates[docnum]
        return (value is None, sign * (value or 0), docnum)

    return key


def _closest(vocab: Vocabulary, word: str, df: int, clock: Clock | None = None) -> str | None:
    """The most frequent word one (else two) edits away, far more frequent than `word`."""
    for dist in (1, 2):
        if dist == 2 and len(word) < 5:
            break
        cands = [(n, w) for w, n in vocab.within(word, dist, prefix=1, clock=clock)
                 if w != word and n > df * 50]
        if cands:
            return max(cands)[1]
    return None


def _stored_date(stored: Mapping[str, Any]) -> datetime | None:
    iso = stored.get("date_iso")
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
