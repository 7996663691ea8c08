"""Rebuild and update: the only code that writes an index."""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar, cast

from whoosh import index as whoosh_index

from .analysis import index_analyzer
from .corpus import (
    RECORD_SUFFIXES,
    Article,
    CorpusReport,
    Problem,
    content_hash,
    corpus_files,
    corpus_signature,
    iter_articles,
    text_path,
)
from .errors import CorpusError, IndexWriteError
from .schema import SCHEMA_VERSION, make_schema
from .storage import (
    META_NAME,
    check_replaceable,
    dir_size,
    has_toc,
    new_build_id,
    now_iso,
    remove_leftovers,
    swap_in,
    temp_dir,
    write_meta,
    writer_lock,
)
from .vocabulary import Vocabulary, VocabularyBuilder
from .writer import FastSegmentWriter, ParallelWriter

__all__ = ["IndexReport", "Progress", "count_records", "rebuild", "update"]

#: Called as progress(done, total) while articles are indexed; total may be None.
Progress = Callable[[int, int | None], None]

Source = Path | str | Iterable[Article]

#: Corpora larger than this (bytes on disk) are indexed with two processes.
_PARALLEL_BYTES = 8 << 20

_F = TypeVar("_F", bound=Callable[..., Any])


def _write_errors(func: _F) -> _F:
    """Report what the system refuses (a full disk, a read-only or missing folder) as an `IndexWriteError`."""
    kept = func.__name__ == "rebuild"

    @functools.wraps(func)
    def wrapper(source: Any, path: Path, **kwargs: Any) -> Any:
        try:
            return func(source, path, **kwargs)
        except IndexWriteError as err:
            if err.path == path:
                raise
            raise IndexWriteError(path, err.reason, kept) from err  # named by the index, not its temp folder
        except OSError as err:
            reason = err.strerror or str(err)
            if err.filename:
                reason += f": {err.filename}"
            raise IndexWriteError(path, reason, kept) from err

    return cast(_F, wrapper)


@dataclass
class IndexReport:
    """What a rebuild or an update did."""

    action: str
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    duplicates: int = 0
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    size_bytes: int = 0
    articles: int = 0

    @property
    def skipped(self) -> int:
        """Records not indexed because they were bad."""
        return sum(1 for p in self.problems if p.skipped)

    @property
    def indexed(self) -> int:
        """Articles written by this run (added plus re-indexed)."""
        return self.added + self.updated

    @property
    def changed(self) -> bool:
        """Whether this run changed the index at all."""
        return bool(self.added or self.updated or self.deleted)


def count_records(source: Path) -> int | None:
    """Count the records of a corpus cheaply (lines, files), for a progress total.

    Returns None where counting would cost as much as reading (JSON arrays).
    """
    files = corpus_files(source) if source.is_dir() else [source]
    total = 0
    for path in files:
        name = path.name.lower()
        if not path.is_file():  # a FIFO or a device would block or never end
            continue
        try:
            if name.endswith(".json"):
                return None
            if name.endswith(RECORD_SUFFIXES):
                opener: Any = gzip.open if name.endswith(".gz") else open
                with opener(path, "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        total += chunk.count(b"\n")
            else:
                total += 1
        except (OSError, EOFError):
            continue
    return total


def _corpus_bytes(source: Source) -> int:
    if not isinstance(source, str | os.PathLike):
        return 0
    root = Path(source)
    files = corpus_files(root) if root.is_dir() else [root]
    size = 0
    for path in files:
        try:
            size += path.stat().st_size * (4 if path.name.endswith(".gz") else 1)
        except OSError:
            pass
    return size


def _naive(when: datetime) -> datetime:
    # dates are kept as written (local time of the article): filters by day mean that day
    return when.replace(tzinfo=None)


class Documents:
    """Turn articles into whoosh documents.

    The writer analyses title and body and counts their vocabulary words (in its own
    processes when there are several); `words` gives the words of a stored article again,
    to uncount them when it is replaced or removed.
    """

    def __init__(self) -> None:
        self.analyzer = index_analyzer()

    def words(self, title: str, body: str) -> dict[str, str]:
        """The vocabulary words of a title and body (word -> form)."""
        return self.analyzer.words(body, self.analyzer.words(title))

    def __call__(self, article: Article, digest: str) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": article.id,
            "title": article.title,
            "body": article.body,
            "hash": digest,
        }
        if article.lead:
            doc["lead"] = article.lead
        if article.url:
            doc["url"] = article.url
        if article.date is not None:
            doc["date"] = _naive(article.date)
            doc["date_iso"] = article.date.isoformat()
            doc["year"] = str(article.date.year)
        if article.source:
            doc["source"] = article.source
        if article.author:
            doc["author"] = ",".join(article.authors)
            doc["_stored_author"] = article.author
        if article.tags:
            doc["tags"] = ",".join(article.tags)
            doc["_stored_tags"] = list(article.tags)
        return doc


def _source_signature(source: Source) -> list[Any] | None:
    if isinstance(source, str | os.PathLike):
        return [list(item) for item in corpus_signature(Path(source))]
    return None


class _Ticker:
    """Call the progress callback at most every 0.2 s (and at the end)."""

    def __init__(self, progress: Progress | None, total: int | None) -> None:
        self.progress = progress
        self.total = total
        self.last = 0.0

    def __call__(self, done: int, final: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if final or now - self.last >= 0.2:
            self.last = now
            self.progress(done, self.total)


@_write_errors
def rebuild(
    source: Source,
    path: Path,
    *,
    strict: bool = False,
    procs: int | None = None,
    limitmb: int = 128,
    progress: Progress | None = None,
    lock_timeout: float = 10.0,
) -> IndexReport:
    """Build a new index from a corpus, then swap it in place of the old one atomically.

    The new index is written in a temporary directory beside `path`; if anything stops
    the build (an error, Ctrl-C, a kill), the previous index stays as it was.

    Args:
        source: a corpus file or directory, or an iterable of `Article`.
        path: the index directory.
        strict: fail on the first bad record instead of skipping and reporting it.
        procs: indexing processes; by default 2 for corpora over a few MB, else 1.
        limitmb: memory per indexing process for the postings before they go to a
            run file on disk (a process also holds its analysis cache, up to
            about 160 MB: `search.analysis.CACHE_TOKENS`).
        progress: called as progress(done, total) while indexing.
        lock_timeout: seconds to wait for another writer.

    Raises:
        CorpusError: the corpus cannot be read, holds no article, or (strict) a bad record.
        IndexLockedError: another writer held the index too long.
    """
    started = time.monotonic()
    report = IndexReport(action="rebuild")
    if procs is None:
        procs = 2 if (os.cpu_count() or 1) > 1 and _corpus_bytes(source) > _PARALLEL_BYTES else 1
    with writer_lock(path, command="rebuild", timeout=lock_timeout, notes=report.notes):
        check_replaceable(path)
        remove_leftovers(path)
        total = count_records(Path(source)) if progress and isinstance(source, str | os.PathLike) else None
        tmp = temp_dir(path)
        try:
            signature = _source_signature(source)
            _build(tmp, source, strict, procs, limitmb, _Ticker(progress, total), report)
            built = whoosh_index.open_dir(str(tmp))
            if built.doc_count() != report.articles:  # whoosh drops the work of a helper that died
                raise IndexWriteError(path, f"only {built.doc_count():,} of {report.articles:,} "
                                      "articles were written: an indexing process died")
            meta = {
                "schema_version": SCHEMA_VERSION,
                "build_id": new_build_id(),
                "built_at": now_iso(),
                "updated_at": now_iso(),
                "corpus": (text_path(Path(source).resolve())
                           if isinstance(source, str | os.PathLike) else None),
                "signature": signature,
                "generation": built.latest_generation(),
                "articles": report.articles,
            }
            write_meta(tmp, meta)
            report.size_bytes = dir_size(tmp)
            swap_in(tmp, path)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    report.seconds = time.monotonic() - started
    return report


def _build(tmp: Path, source: Source, strict: bool, procs: int, limitmb: int,
           tick: _Ticker, report: IndexReport) -> None:
    corpus = CorpusReport(strict=strict)
    vocabulary = VocabularyBuilder()
    documents = Documents()
    ix = whoosh_index.create_in(str(tmp), make_schema())
    writer: FastSegmentWriter | ParallelWriter = (
        ParallelWriter(ix, tmp, vocabulary, procs=procs, limitmb=limitmb) if procs > 1
        else FastSegmentWriter(ix, vocabulary=vocabulary, limitmb=limitmb))
    seen: dict[str, tuple[str, str]] = {}  # id -> (hash of the last version, where)
    dup_ids: set[str] = set()
    try:
        done = 0
        for record in iter_articles(source, corpus):
            article = record.article
            digest = content_hash(article)
            where = f"{record.path}:{record.line}"
            earlier = seen.get(article.id)
            if earlier is not None:
                dup_ids.add(article.id)
                report.duplicates += 1
                corpus.problems.append(Problem(
                    record.path, record.line,
                    f"duplicate id {article.id!r}: replaces the article read at {earlier[1]}",
                    skipped=False,
                ))
            seen[article.id] = (digest, where)
            writer.add_document(**documents(article, digest))
            done += 1
            tick(done)
        tick(done, final=True)
        if not seen:
            raise CorpusError(_describe(source), None, _empty_reason(corpus))
        writer.commit()
    except BaseException:
        _cancel(writer)
        raise
    finally:
        report.problems = corpus.problems
        report.records = corpus.records
    if dup_ids:
        for stored in _drop_superseded(ix, dup_ids, {i: seen[i][0] for i in dup_ids}):
            vocabulary.remove(documents.words(stored.get("title", ""), stored.get("body", "")))
    vocabulary.save(tmp)
    report.added = len(seen)
    report.articles = len(seen)


def _describe(source: Source) -> str:
    return str(source) if isinstance(source, str | os.PathLike) else "<articles>"


def _empty_reason(corpus: CorpusReport) -> str:
    if corpus.problems:
        return (f"no article could be indexed ({corpus.skipped} bad records, first: "
                f"{corpus.problems[0]}); the previous index is kept")
    return "the corpus holds no article; the previous index is kept"


def _cancel(writer: Any) -> None:
    try:
        writer.cancel()  # the parallel writer's helpers would wait for work forever
    except Exception:  # noqa: BLE001 - the original error matters, not this one
        pass


def _drop_superseded(ix: Any, ids: set[str], last_hash: dict[str, str]) -> list[dict[str, Any]]:
    """Keep only the last version of each duplicated id (the one with the last hash);
    return the stored fields of the versions dropped."""
    with ix.searcher() as searcher:
        hashes = searcher.reader().column_reader("hash")
        doomed: list[int] = []
        for art_id in ids:
            kept = False
            for docnum in searcher.document_numbers(id=art_id):
                if not kept and hashes[docnum] == last_hash[art_id]:
                    kept = True
                else:
                    doomed.append(docnum)
        dropped = [searcher.stored_fields(d) for d in doomed]
    writer = FastSegmentWriter(ix)
    for docnum in doomed:
        writer.delete_document(docnum)
    writer.commit()
    return dropped


@_write_errors
def update(
    source: Source,
    path: Path,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 10.0,
) -> IndexReport:
    """Bring an index up to date with a corpus: add new articles, re-index changed ones
    (by content hash), delete vanished ones.

    When no corpus file changed since the last write (same paths, sizes and times), it
    returns at once. A missing index is built from scratch.

    Raises:
        CorpusError: the corpus cannot be read, or (strict) a bad record.
        IndexLockedError: another writer held the index too long.
        SearchError: the index cannot be opened (damaged, other version).
    """
    from .searcher import _open_whoosh, check_index  # the reader side knows how to validate an index

    if not isinstance(source, str | os.PathLike):
        source = list(source)  # read twice below: a generator would be empty the second time
    if not (path / META_NAME).exists() and not has_toc(path):
        report = rebuild(source, path, strict=strict, progress=progress, lock_timeout=lock_timeout)
        report.action = "update"
        report.notes.append(f"no index at {path}: built it from scratch")
        return report
    started = time.monotonic()
    report = IndexReport(action="update")
    with writer_lock(path, command="update", timeout=lock_timeout, notes=report.notes):
        check_replaceable(path)  # whoosh deletes files named like its own when it commits
        remove_leftovers(path)
        meta = check_index(path)
        ix = _open_whoosh(path)
        signature = _source_signature(source)
        if (signature is not None and signature == meta.get("signature")
                and meta.get("generation") == ix.latest_generation()):
            report.unchanged = report.articles = ix.doc_count()
            report.notes.append("no corpus file changed since the last write")
            report.seconds = time.monotonic() - started
            report.size_bytes = dir_size(path)
            return report
        if meta.get("generation") != ix.latest_generation():
            _recount_vocabulary(ix, path)  # the last writer died between its commit and its metadata
        _apply_changes(ix, path, source, strict, progress, report)
        meta.update({
            "updated_at": now_iso(),
            "signature": signature,
            "generation": ix.latest_generation(),
            "articles": report.articles,
        })
        write_meta(path, meta)
        report.size_bytes = dir_size(path)
    report.seconds = time.monotonic() - started
    return report



def _changed(source: Source, wanted: set[str], latest: dict[str, tuple[int, str]],
             kept: dict[str, Article] | None) -> Iterable[Article]:
    """The articles to write: those kept from the first reading, else read again."""
    if kept is not None:
        yield from kept.values()
        return
    seq = 0
    for record in iter_articles(source, CorpusReport()):
        seq += 1
        if record.article.id in wanted and latest[record.article.id][0] == seq:
            yield record.article


def _recount_vocabulary(ix: Any, path: Path) -> None:
    """Count the vocabulary again from the stored articles."""
    vocabulary = VocabularyBuilder()
    documents = Documents()
    with ix.searcher() as searcher:
        for _docnum, stored in searcher.reader().iter_docs():
            vocabulary.add(documents.words(stored.get("title", ""), stored.get("body", "")))
    vocabulary.save(path)


#: Changed articles kept from the first reading of the corpus in `update`; beyond this
#: many, the corpus is read a second time for them instead (memory stays bounded).
KEEP_CHANGED = 2000


def _apply_changes(ix: Any, path: Path, source: Source, strict: bool, progress: Progress | None,
                   report: IndexReport) -> None:
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ids = reader.column_reader("id")
        hashes = reader.column_reader("hash")
        indexed = {ids[n]: hashes[n] for n in reader.all_doc_ids()}
    # what the corpus holds now (the last version of each id wins), keeping the articles
    # to write while they are few
    corpus = CorpusReport(strict=strict)
    latest: dict[str, tuple[int, str]] = {}
    kept: dict[str, Article] | None = {}
    seq = 0
    for record in iter_articles(source, corpus):
        seq += 1
        article = record.article
        art_id = article.id
        if art_id in latest:
            report.duplicates += 1
        digest = content_hash(article)
        latest[art_id] = (seq, digest)
        if kept is not None:
            if indexed.get(art_id) != digest:
                kept[art_id] = article
                if len(kept) > KEEP_CHANGED:
                    kept = None
            else:
                kept.pop(art_id, None)
    report.problems = corpus.problems
    report.records = corpus.records
    if not latest:
        raise CorpusError(_describe(source), None, _empty_reason(corpus).replace(
            "previous index is kept", "index is left as it was"))
    wanted = {i for i, (_, h) in latest.items() if indexed.get(i) != h}
    vanished = indexed.keys() - latest.keys()
    report.unchanged = len(latest) - len(wanted)
    if not wanted and not vanished:
        report.articles = len(indexed)
        return
    vocabulary = VocabularyBuilder(Vocabulary.load(path))
    documents = Documents()
    with ix.searcher() as searcher:  # uncount the words of what is replaced or removed
        for art_id in vanished | (wanted & indexed.keys()):
            docnum = searcher.document_number(id=art_id)
            if docnum is not None:
                stored = searcher.stored_fields(docnum)
                vocabulary.remove(documents.words(stored.get("title", ""), stored.get("body", "")))
    writer = FastSegmentWriter(ix, vocabulary=vocabulary, limitmb=128)
    try:
        for art_id in vanished:
            writer.delete_by_term("id", art_id)
        report.deleted = len(vanished)
        if wanted:
            tick = _Ticker(progress, len(wanted))
            done = 0
            for article in _changed(source, wanted, latest, kept):
                if article.id in indexed:
                    writer.delete_by_term("id", article.id)
                    report.updated += 1
                else:
                    report.added += 1
                writer.add_document(**documents(article, latest[article.id][1]))
                done += 1
                tick(done)
            tick(done, final=True)
        writer.commit()
    except BaseException:
        _cancel(writer)
        raise
    vocabulary.save(path)
    report.articles = len(latest)

