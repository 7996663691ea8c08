"""The `Index` facade: open, search, get, similar, stats — whoosh stays behind it."""

from __future__ import annotations

import heapq
import math
import os
import pickle
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.index import EmptyIndexError
from whoosh.scoring import BM25F
from whoosh.util.times import long_to_datetime

from . import indexer
from .analysis import analyze
from .corpus import Article, parse_date
from .errors import (
    IndexCorruptError,
    IndexNotFoundError,
    IndexVersionError,
    QueryError,
    UnknownArticleError,
)
from .highlight import best_passage, match_spans
from .matching import Compiled, Compiler, Ranking, ValueIndex
from .query import parse
from .results import FacetCount, Highlight, Hit, IndexStats, Notice, Results
from .schema import FACET_FIELDS, SCHEMA_VERSION
from .storage import META_NAME, dir_size, read_meta
from .vocab import Vocabulary

__all__ = ["Index", "check_index"]

SORTS = ("relevance", "date", "-date")
FILTER_FIELDS = ("source", "tags", "author", "year")
#: Values listed per facet (years are all listed).
FACET_TOP = 50

# what a damaged index raises from inside whoosh
_DAMAGE = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, EmptyIndexError,
           ValueError, KeyError, IndexError, AttributeError, ImportError, TypeError)


def check_index(path: Path) -> dict[str, Any]:
    """Check that `path` holds an index of this schema version; return its metadata.

    Raises:
        IndexNotFoundError: nothing (or no index) at `path`.
        IndexVersionError: built by another schema version.
    """
    if not path.is_dir():
        raise IndexNotFoundError(path)
    meta = read_meta(path)
    if meta is None:
        if any(p.suffix == ".toc" for p in path.iterdir()):
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
    except _DAMAGE as err:
        raise IndexCorruptError(path, f"{type(err).__name__}: {err}".strip()[:160]) from err


@dataclass
class _View:
    """One open searcher and what is cached about it (valid until the index changes)."""

    searcher: Any
    stamp: tuple[int, ...]
    values: dict[str, ValueIndex] = field(default_factory=dict)
    docsets: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)
    dates: list[int | None] | None = None  # raw date column, None where missing
    vocab: Vocabulary | None = None

    def vocabulary(self, path: Path) -> Vocabulary:
        """The index's vocabulary, read on first use."""
        if self.vocab is None:
            self.vocab = Vocabulary.load(path)
        return self.vocab

    def date_column(self) -> list[int | None]:
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
            self.dates = dates
        return self.dates


def _as_datetime(value: date | datetime | str | None, *, end: bool) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        from .query import parse_date_bound

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
        check_index(self.path)
        stamp = self._stamp()
        ix = _open_whoosh(self.path)
        try:
            searcher = ix.searcher(weighting=BM25F(B=self.ranking.b, K1=self.ranking.k1))
        except _DAMAGE as err:
            raise IndexCorruptError(self.path, f"{type(err).__name__}: {err}"[:160]) from err
        return _View(searcher, stamp)

    def _refresh(self, force: bool = False) -> _View:
        view = self._view
        if view is None:
            raise IndexNotFoundError(self.path)
        if force or view.stamp != self._stamp():
            new = self._open_view()
            view.searcher.close()
            self._view = view = new
        elif not view.searcher.up_to_date():
            self._view = view = _View(view.searcher.refresh(), view.stamp)
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

    def _docsets(self, view: _View, fname: str) -> dict[str, frozenset[int]]:
        sets = view.docsets.get(fname)
        if sets is None:
            reader = view.searcher.reader()
            sets = {}
            for value in self._values(view, fname).values:
                docs = frozenset(reader.postings(fname, value[0]).all_ids())
                if docs:
                    sets[value[0]] = docs
            view.docsets[fname] = sets
        return sets

    # -- searching ---------------------------------------------------------------

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

        Raises:
            ValueError: a bad `limit`, `offset`, `sort` or filter name.
            QueryError: a date bound that is not a date.
            IndexCorruptError: the index files are damaged.
        """
        if not isinstance(q, str):
            raise TypeError(f"query must be a str, not {type(q).__name__}")
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        started = time.perf_counter()
        with self._lock:
            view = self._refresh()
            try:
                return self._search(view, q, limit, offset, sort, filters, date_from, date_to,
                                    facets, snippets, started)
            except _DAMAGE as err:
                if isinstance(err, ValueError | TypeError) and not isinstance(
                        err, pickle.UnpicklingError):
                    raise
                raise IndexCorruptError(self.path, f"{type(err).__name__}: {err}"[:160]) from err

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
                want_facets: bool, want_snippets: bool, started: float) -> Results:
        searcher = view.searcher
        parsed = parse(q)
        notices = list(parsed.notices)
        extra = self._filters(view, filters, date_from, date_to, notices)
        compiler = Compiler(view.vocabulary(self.path), {
            f: self._values(view, f) for f in ("source", "author", "tags")}, self.ranking)
        compiled = compiler.run(parsed.root, extra)
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
        matched = set(searcher.docs_for_query(compiled.strict))
        exact = len(matched)
        ranked: list[tuple[int, float, bool]]
        want = offset + limit
        if compiled.relaxed is not None and exact < self.ranking.relax_below:
            ranked, matched = self._relaxed(view, compiled, matched, want, sort)
            if len(matched) > exact:
                notices.append(Notice(
                    "relaxed", f"only {exact} articles contain all the words: articles with "
                    "most of them follow", exact=exact))
        else:
            ranked = self._ranked(view, compiled.strict, want, sort, matched)
        page = ranked[offset:offset + limit]
        hits = tuple(self._hit(searcher, docnum, score, full, compiled.highlight, want_snippets)
                     for docnum, score, full in page)
        facet_counts = self._facets(view, matched) if want_facets else {}
        suggestion = self._suggest(view.vocabulary(self.path), q, compiled, len(matched))
        return Results(q, len(matched), hits, _ms(started), suggestion, tuple(notices),
                       facet_counts, offset, limit, sort)

    def _ranked(self, view: _View, query: wq.Query, want: int, sort: str,
                matched: set[int]) -> list[tuple[int, float, bool]]:
        if want == 0:
            return []
        if sort == "relevance":
            res = view.searcher.search(query, limit=want)
            return [(hit.docnum, float(hit.score or 0.0), True) for hit in res]
        key = _date_key(view.date_column(), sort)
        return [(d, 0.0, True) for d in heapq.nsmallest(want, matched, key=key)]

    def _relaxed(self, view: _View, compiled: Compiled, exact: set[int], want: int,
                 sort: str) -> tuple[list[tuple[int, float, bool]], set[int]]:
        """Rank articles that hold all the words first, then those with most of them."""
        assert compiled.relaxed is not None
        searcher = view.searcher
        matched = set(searcher.docs_for_query(compiled.relaxed))
        pool = max(self.ranking.relax_pool, want)
        res = searcher.search(compiled.relaxed, limit=pool, terms=True)
        clauses = [c for c in compiled.clauses if c.relaxable]
        scored: dict[int, tuple[int, float]] = {}
        for hit in res:
            got = {(f, t.decode("utf-8") if isinstance(t, bytes) else t)
                   for f, t in hit.matched_terms()}
            count = sum(1 for c in clauses if c.terms & got)
            if hit.docnum in exact:
                count = len(clauses)
            scored[hit.docnum] = (count, float(hit.score or 0.0))
        for docnum in exact - scored.keys():  # all words, but outside the pool
            scored[docnum] = (len(clauses), 0.0)
        if sort == "relevance":
            order = sorted(scored, key=lambda d: (-scored[d][0], -scored[d][1], d))
        else:
            by_date = _date_key(view.date_column(), sort)
            order = sorted(scored, key=lambda d: (-scored[d][0], by_date(d)))
        full = len(clauses)
        return [(d, scored[d][1], scored[d][0] == full) for d in order], matched

    def _facets(self, view: _View, matched: set[int]) -> dict[str, tuple[FacetCount, ...]]:
        out: dict[str, tuple[FacetCount, ...]] = {}
        for fname in FACET_FIELDS:
            counts = []
            for value, docs in self._docsets(view, fname).items():
                n = len(matched & docs) if len(docs) < len(matched) else len(docs & matched)
                if n:
                    counts.append(FacetCount(value, n))
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

    def _suggest(self, vocab: Vocabulary, q: str, compiled: Compiled, total: int) -> str | None:
        replacements: list[tuple[int, int, str]] = []
        for spelled in compiled.spelled:
            df = vocab.doc_frequency(spelled.word)
            if df >= 3 or (df and total):
                continue
            best = _closest(vocab, spelled.word, df)
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

    def similar(self, article_id: str, *, limit: int = 10) -> Results:
        """Articles closest to this one (its most distinctive terms, weighted tf-idf).

        Raises:
            UnknownArticleError: no article has this id.
        """
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
            top = sorted(weights, reverse=True)[:25]
            if not top:
                return Results(f"similar:{article_id}", 0, (), _ms(started), limit=limit)
            peak = top[0][0]
            subs = [wq.Term(f, t, boost=w / peak * (self.ranking.title_boost if f == "title" else 1))
                    for w, t in top for f in ("title", "body")]
            query = wq.And([wq.Or(subs), wq.Not(wq.Term("id", article_id))])
            matched = set(searcher.docs_for_query(query))
            ranked = self._ranked(view, query, limit, "relevance", matched)
            terms = {t for _, t in top[:10]}
            hits = tuple(self._hit(searcher, d, s, True, terms, True) for d, s, _ in ranked)
        return Results(f"similar:{article_id}", len(matched), hits, _ms(started), limit=limit)

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


def _date_key(dates: list[int | None], sort: str) -> Any:
    """Sort key for docnums by date; articles without a date come last either way."""
    sign = -1 if sort == "-date" else 1

    def key(docnum: int) -> tuple[bool, int, int]:
        value = dates[docnum]
        return (value is None, sign * (value or 0), docnum)

    return key


def _closest(vocab: Vocabulary, word: str, df: int) -> str | None:
    """The most frequent word one (else two) edits away, far more frequent than `word`."""
    for dist in (1, 2):
        if dist == 2 and len(word) < 5:
            break
        cands = [(n, w) for w, n in vocab.within(word, dist, prefix=1) if w != word and n > df * 50]
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
