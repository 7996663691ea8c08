"""Rebuild and update: read the corpus, find what changed, hand it to a backend's writer.

The engine-neutral half of writing an index (the corpus readers, duplicate ids, problems,
progress, the report); the engine's half is its `Writer` (`search.backend`).
"""

from __future__ import annotations

import functools
import gzip
import inspect
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from .backend import Backend
from .corpus import (
    RECORD_SUFFIXES,
    Article,
    CorpusReport,
    Problem,
    content_hash,
    corpus_files,
    corpus_signature,
    iter_articles,
)
from .errors import CorpusError, IndexNotFoundError, IndexWriteError

__all__ = ["PHASES", "IndexReport", "Progress", "count_records", "rebuild", "update"]

#: Called as progress(done, total) while articles are indexed; total may be None. A
#: callback that takes a `phase` keyword is also told the phase: "index" while articles
#: are read and analysed, then once "write" (done and total as they ended) when the
#: engine starts writing the index, which may take a while with nothing to count.
Progress = Callable[..., None]

#: The phases a progress callback is told about, in order.
PHASES = ("index", "write")

Source = Path | str | Iterable[Article]

#: Corpora larger than this (bytes on disk) are indexed with two processes.
_PARALLEL_BYTES = 8 << 20

_F = TypeVar("_F", bound=Callable[..., Any])


def _write_errors(func: _F) -> _F:
    """Report what the system refuses (a full disk, a read-only or missing folder) as an
    `IndexWriteError` naming the index."""
    kept = func.__name__ == "rebuild"

    @functools.wraps(func)
    def wrapper(source: Any, backend: Backend, **kwargs: Any) -> Any:
        try:
            return func(source, backend, **kwargs)
        except IndexWriteError as err:
            if str(err.path) == backend.location:
                raise
            raise IndexWriteError(backend.location, err.reason, kept) from err  # not its temporary folder
        except OSError as err:
            reason = err.strerror or str(err)
            if err.filename:
                reason += f": {err.filename}"
            raise IndexWriteError(backend.location, reason, kept) from err

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
    #: The ids an update added, re-indexed and deleted, sorted (a rebuild lists none:
    #: every article is new).
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)

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


def _source_signature(source: Source) -> list[Any] | None:
    if isinstance(source, str | os.PathLike):
        return [list(item) for item in corpus_signature(Path(source))]
    return None


def _takes_phase(progress: Progress) -> bool:
    """Whether a progress callback takes the `phase` keyword."""
    try:
        params = inspect.signature(progress).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "phase" or p.kind is p.VAR_KEYWORD for p in params)


class _Ticker:
    """Call the progress callback at most every 0.2 s (and at the end), and tell it when
    the writing starts (if it takes a phase)."""

    def __init__(self, progress: Progress | None, total: int | None) -> None:
        self.progress = progress
        self.total = total
        self.last = 0.0
        self.done = 0
        self.phased = progress is not None and _takes_phase(progress)

    def __call__(self, done: int, final: bool = False) -> None:
        self.done = done
        if self.progress is None:
            return
        now = time.monotonic()
        if final or now - self.last >= 0.2:
            self.last = now
            if self.phased:
                self.progress(done, self.total, phase="index")
            else:
                self.progress(done, self.total)

    def writing(self) -> None:
        """The engine starts writing the index."""
        if self.progress is not None and self.phased:
            self.progress(self.done, self.total, phase="write")


@_write_errors
def rebuild(
    source: Source,
    backend: Backend,
    *,
    strict: bool = False,
    procs: int | None = None,
    progress: Progress | None = None,
    lock_timeout: float = 10.0,
) -> IndexReport:
    """Build a new index from a corpus; the backend swaps it in place of the old one at once.

    If anything stops the build (an error, Ctrl-C, a kill), the previous index stays as it was.

    Args:
        source: a corpus file or directory, or an iterable of `Article`.
        backend: the index to write.
        strict: fail on the first bad record instead of skipping and reporting it.
        procs: indexing processes; by default 2 for corpora over a few MB, else 1.
        progress: called as progress(done, total) while indexing.
        lock_timeout: seconds to wait for another writer.

    Raises:
        CorpusError: the corpus cannot be read, holds no article, or (strict) a bad record.
        IndexLockedError: another writer held the index too long.
        IndexWriteError: the system refused the write.
    """
    started = time.monotonic()
    report = IndexReport(action="rebuild")
    if procs is None:
        procs = 2 if (os.cpu_count() or 1) > 1 and _corpus_bytes(source) > _PARALLEL_BYTES else 1
    with backend.writer("rebuild", lock_timeout=lock_timeout, procs=procs, notes=report.notes) as writer:
        total = count_records(Path(source)) if progress and isinstance(source, str | os.PathLike) else None
        signature = _source_signature(source)
        tick = _Ticker(progress, total)
        corpus = CorpusReport(strict=strict)
        seen: dict[str, str] = {}  # id -> where it was read last
        try:
            for record in iter_articles(source, corpus):
                article = record.article
                earlier = seen.get(article.id)
                if earlier is not None:
                    report.duplicates += 1
                    corpus.problems.append(Problem(
                        record.path, record.line,
                        f"duplicate id {article.id!r}: replaces the article read at {earlier}",
                        skipped=False,
                    ))
                seen[article.id] = f"{record.path}:{record.line}"
                writer.add(article, content_hash(article))
                tick(len(seen) + report.duplicates)
            tick(len(seen) + report.duplicates, final=True)
        finally:
            report.problems = corpus.problems
            report.records = corpus.records
        if not seen:
            raise CorpusError(_describe(source), None, _empty_reason(corpus))
        tick.writing()
        written = writer.commit(signature)
    report.added = len(seen)
    report.articles = written.articles
    report.size_bytes = written.size_bytes
    report.seconds = time.monotonic() - started
    return report


def _describe(source: Source) -> str:
    return str(source) if isinstance(source, str | os.PathLike) else "<articles>"


def _empty_reason(corpus: CorpusReport) -> str:
    if corpus.problems:
        return (f"no article could be indexed ({corpus.skipped} bad records, first: "
                f"{corpus.problems[0]}); the previous index is kept")
    return "the corpus holds no article; the previous index is kept"


@_write_errors
def update(
    source: Source,
    backend: Backend,
    *,
    strict: bool = False,
    progress: Progress | None = None,
    lock_timeout: float = 10.0,
    build_if_missing: bool = True,
) -> IndexReport:
    """Bring an index up to date with a corpus: add new articles, re-index changed ones
    (by content hash), delete vanished ones.

    When no corpus file changed since the last write (same paths, sizes and times), it
    returns at once.

    Args:
        source: a corpus file or directory, or an iterable of `Article`.
        backend: the index to update.
        strict: fail on the first bad record instead of skipping and reporting it.
        progress: called as progress(done, total) while the changed articles are written.
        lock_timeout: seconds to wait for another writer.
        build_if_missing: build the index from scratch when there is none (else raise
            `IndexNotFoundError`).

    Raises:
        CorpusError: the corpus cannot be read, or (strict) a bad record.
        IndexLockedError: another writer held the index too long.
        IndexNotFoundError: no index, and not `build_if_missing`.
        SearchError: the index cannot be opened (damaged, other version).
    """
    if not isinstance(source, str | os.PathLike):
        source = list(source)  # read twice below: a generator would be empty the second time
    if not backend.exists():
        if not build_if_missing:
            raise IndexNotFoundError(backend.location)
        report = rebuild(source, backend, strict=strict, progress=progress, lock_timeout=lock_timeout)
        report.action = "update"
        report.notes.append(f"no index at {backend.location}: built it from scratch")
        return report
    started = time.monotonic()
    report = IndexReport(action="update")
    with backend.writer("update", lock_timeout=lock_timeout, procs=1, notes=report.notes) as writer:
        signature = _source_signature(source)
        written = writer.unchanged(signature) if signature is not None else None
        if written is not None:
            report.unchanged = written.articles
            report.notes.append("no corpus file changed since the last write")
        else:
            tick = _apply_changes(writer, source, strict, progress, report)
            tick.writing()
            written = writer.commit(signature)
    report.articles = written.articles
    report.size_bytes = written.size_bytes
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


#: Changed articles kept from the first reading of the corpus in `update`, in characters of
#: text (about 64 MB: 20,000 news articles); beyond this, the corpus is read a second time
#: for them instead (memory stays bounded).
KEEP_CHANGED = 32_000_000


def _size(article: Article) -> int:
    return len(article.title) + len(article.body) + len(article.lead) + 200


def _apply_changes(writer: Any, source: Source, strict: bool, progress: Progress | None,
                   report: IndexReport) -> _Ticker:
    """Delete the vanished articles and write the new and changed ones (the ids in `report`);
    return the progress ticker, to tell it when the writing starts."""
    indexed = writer.indexed()
    # what the corpus holds now (the last version of each id wins), keeping the articles
    # to write while they are few
    corpus = CorpusReport(strict=strict)
    latest: dict[str, tuple[int, str]] = {}
    kept: dict[str, Article] | None = {}
    kept_size = 0
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
            earlier = kept.pop(art_id, None)
            if earlier is not None:
                kept_size -= _size(earlier)
            if indexed.get(art_id) != digest:
                kept[art_id] = article
                kept_size += _size(article)
                if kept_size > KEEP_CHANGED:
                    kept = None
    report.problems = corpus.problems
    report.records = corpus.records
    if not latest:
        raise CorpusError(_describe(source), None, _empty_reason(corpus).replace(
            "previous index is kept", "index is left as it was"))
    wanted = {i for i, (_, h) in latest.items() if indexed.get(i) != h}
    vanished = indexed.keys() - latest.keys()
    report.unchanged = len(latest) - len(wanted)
    for art_id in sorted(vanished):
        writer.delete(art_id)
    report.deleted = len(vanished)
    report.deleted_ids = sorted(vanished)
    tick = _Ticker(progress, len(wanted))
    done = 0
    for article in _changed(source, wanted, latest, kept):
        if article.id in indexed:
            report.updated += 1
            report.updated_ids.append(article.id)
        else:
            report.added += 1
            report.added_ids.append(article.id)
        writer.add(article, latest[article.id][1])
        done += 1
        tick(done)
    if wanted:
        tick(done, final=True)
    report.added_ids.sort()
    report.updated_ids.sort()
    return tick
