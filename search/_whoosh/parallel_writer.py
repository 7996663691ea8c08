"""The parallel writer: several `FastSegmentWriter`s in helper processes, one segment each."""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import queue
import signal
import sys
from pathlib import Path
from typing import Any

from ..errors import IndexWriteError
from ..vocabulary import VocabularyBuilder
from .reads import open_whoosh
from .segment_writer import FastSegmentWriter

__all__ = ["ParallelWriter"]

_BATCH = 100  # documents per job handed to a helper


class ParallelWriter:
    """Index with `procs` helper processes, each writing its own segment of the new index.

    The documents go to the helpers in batches through a queue; each helper counts the
    vocabulary of its documents and leaves it in a file beside its segment. `commit`
    writes the table of contents listing the helpers' segments and merges their
    vocabularies into `vocabulary`.

    A helper dies with the writer (Linux), reports its error and exits if it fails, and
    the writer raises `IndexWriteError` as soon as it finds a helper gone: whoosh's own
    parallel writer would wait forever for a dead helper, or commit without its documents.
    """

    def __init__(self, ix: Any, path: Path, vocabulary: VocabularyBuilder, procs: int = 2,
                 limitmb: int = 128) -> None:
        self.ix = ix
        self.path = path
        self.vocabulary = vocabulary
        self.jobs: Any = multiprocessing.Queue(procs * 4)
        self.results: Any = multiprocessing.Queue()
        self.errors: Any = multiprocessing.SimpleQueue()
        self.batch: list[dict[str, Any]] = []
        self.sent = 0
        self.helpers = [multiprocessing.Process(
            target=_helper, args=(str(path), self.jobs, self.results, self.errors, limitmb, os.getpid()),
            daemon=True) for _ in range(procs)]
        for helper in self.helpers:
            helper.start()

    def add_document(self, **fields: Any) -> None:
        self.batch.append(fields)
        if len(self.batch) >= _BATCH:
            self._send()

    def _send(self) -> None:
        self._put((self.sent, self.batch))
        self.sent += 1
        self.batch = []

    def _put(self, job: Any) -> None:
        while True:
            self._check()
            try:
                return self.jobs.put(job, True, 0.5)  # type: ignore[no-any-return]
            except queue.Full:
                continue

    def _check(self) -> None:
        """Raise if a helper is gone before its work was done."""
        for helper in self.helpers:
            if helper.exitcode in (None, 0):
                continue
            reason: tuple[Any, ...] = ("died", f"exit code {helper.exitcode}")
            if not self.errors.empty():
                reason = self.errors.get()
            if reason[0] == "os":
                raise OSError(reason[1], reason[2])
            raise IndexWriteError(self.path, f"an indexing process "
                                  f"{'died' if reason[0] == 'died' else 'failed'}: {reason[1]}")

    def commit(self) -> None:
        """Wait for the helpers, then write the new table of contents and the vocabulary."""
        from whoosh.index import TOC, clean_files

        if self.batch:
            self._send()
        for _ in self.helpers:
            self._put(None)
        results: list[tuple[Any, str | None]] = []
        while len(results) < len(self.helpers):
            self._check()
            try:
                results.append(self.results.get(True, 0.5))
            except queue.Empty:
                continue
        for helper in self.helpers:
            helper.join()
        self._check()
        segments = [segment for segment, _ in results if segment is not None]
        for part in [part for _, part in results if part is not None]:  # any order: see `merge`
            self.vocabulary.merge(VocabularyBuilder.load_part(self.path / part))
            (self.path / part).unlink()
        storage, generation = self.ix.storage, self.ix.latest_generation() + 1
        TOC(self.ix.schema, segments, generation).write(storage, self.ix.indexname)
        clean_files(storage, self.ix.indexname, generation, segments)

    def cancel(self) -> None:
        """Stop the helpers; what they wrote is left for the caller to delete."""
        for helper in self.helpers:
            if helper.is_alive():
                helper.kill()
            helper.join(5)
        # jobs no helper will take: the queue's feeder thread must not wait for them at exit
        self.jobs.cancel_join_thread()
        self.jobs.close()


def _die_with_parent(parent: int) -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed when the writer dies (Linux)
    except (OSError, AttributeError, TypeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _helper(path: str, jobs: Any, results: Any, errors: Any, limitmb: int, parent: int) -> None:
    """One helper process: index the batches it takes until told to stop, then finish its
    segment and leave its vocabulary counts beside it."""
    _die_with_parent(parent)
    try:
        ix = open_whoosh(Path(path))
        vocabulary = VocabularyBuilder()
        writer = FastSegmentWriter(ix, vocabulary=vocabulary, limitmb=limitmb, _lk=False)
        while (job := jobs.get()) is not None:
            vocabulary.batch, docs = job
            for doc in docs:
                writer.add_document(**doc)
        if not writer.doc_count():
            writer.cancel()
            results.put((None, None))
            return
        segment = writer._finalize_segment()
        writer._finish()
        part = f"{segment.segment_id()}.words"
        vocabulary.save_part(Path(path) / part)
        results.put((segment, part))
    except BaseException as err:  # noqa: BLE001 - reported to the writer, which raises it
        errors.put(("os", err.errno, err.strerror) if isinstance(err, OSError) and err.errno
                   else ("error", f"{type(err).__name__}: {err}"))
        sys.exit(1)
