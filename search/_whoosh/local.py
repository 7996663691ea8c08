"""The local index: a folder of whoosh files, behind the `Backend` protocol."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.scoring import BM25F

from ..errors import IndexCorruptError, IndexNotFoundError, SearchError
from ..ranking import RankingConfig
from ..storage import META_NAME, check_index, check_replaceable, has_toc, remove_leftovers, writer_lock
from .damage import damage
from .reads import open_whoosh
from .snapshot import WhooshSnapshot
from .transaction import RebuildWriter, UpdateWriter

__all__ = ["MAPPED_PAGES_KEPT", "RSS_CHECK_EVERY", "WhooshBackend", "mapped_bytes"]

#: Every this many searches, the process looks at how much of the index files it maps...
RSS_CHECK_EVERY = 32
#: ... and lets the pages go beyond this many bytes (they stay in the system's file cache).
MAPPED_PAGES_KEPT = 256 << 20


def mapped_bytes() -> int:
    """The bytes of files this process maps and holds resident (0 where the system does
    not say)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[2]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class WhooshBackend:
    """The whoosh index in the folder `path`.

    Searches hold a `WhooshSnapshot`; when another process rebuilds or updates the
    index, the next `snapshot()` opens the new one, and the old one is closed once the
    last search on it ends.
    """

    def __init__(self, path: Path, ranking: RankingConfig | None = None) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.ranking = ranking or RankingConfig()
        self._lock = threading.Lock()  # guards `_current` and the snapshots' use counts
        self._current: WhooshSnapshot | None = None
        self._closed = False
        self._uses = 0

    # -- reading -------------------------------------------------------------------------

    def _stamp(self) -> tuple[int, ...]:
        try:
            st = os.stat(self.path)
            meta = os.stat(self.path / META_NAME)
        except OSError:
            return (0,)
        return (st.st_dev, st.st_ino, meta.st_ino, meta.st_mtime_ns)

    def _open(self) -> WhooshSnapshot:
        for attempt in range(5):
            check_index(self.path)
            stamp = self._stamp()
            try:
                ix = open_whoosh(self.path)
                ix.schema  # noqa: B018 - unpickles the schema: fails here if it is damaged
                searcher = ix.searcher(weighting=BM25F(B=self.ranking.b, K1=self.ranking.k1))
            except Exception as err:  # only whoosh runs here: whatever it raises is damage
                # a writer that commits deletes the table of contents it replaces: one that
                # vanished between listing and reading it is a race, not damage (whoosh's
                # searcher() retries the same way for the segment files)
                if attempt < 4 and isinstance(err, FileNotFoundError):
                    time.sleep(0.02 * (attempt + 1))
                    continue
                reason = "no table of contents" if type(err).__name__ == "EmptyIndexError" else (
                    f"{type(err).__name__}: {err}".strip()[:160])
                raise IndexCorruptError(self.path, reason) from err
            return WhooshSnapshot(self.path, searcher, stamp, self.ranking, ix.storage)
        raise AssertionError("unreachable")

    @contextmanager
    def snapshot(self) -> Iterator[WhooshSnapshot]:
        """The current snapshot (reopened when the index changed), held for the block."""
        with self._lock:
            if self._closed:
                raise IndexNotFoundError(self.path)
            snap = self._current
            # not whoosh's searcher.refresh(): it keeps the readers of segments that a merge
            # replaced, so that their articles come twice
            if snap is None or snap.stamp != self._stamp() or not snap.searcher.up_to_date():
                fresh = self._open()
                if snap is not None:
                    self._retire(snap)
                self._current = snap = fresh
            snap.users += 1
        try:
            yield snap
        finally:
            with self._lock:
                snap.users -= 1
                if snap.retired and not snap.users:
                    snap.close()
                self._uses += 1
                check = not self._uses % RSS_CHECK_EVERY
            if check and mapped_bytes() > MAPPED_PAGES_KEPT:
                snap.release_pages()

    def refresh(self) -> None:
        """Drop the current snapshot: the next search opens the index again."""
        with self._lock:
            if self._current is not None:
                self._retire(self._current)
                self._current = None

    def _retire(self, snap: WhooshSnapshot) -> None:
        snap.retired = True
        if not snap.users:
            snap.close()

    # -- writing ---------------------------------------------------------------------------

    def exists(self) -> bool:
        """Whether there is an index (perhaps damaged or of another version) to update."""
        return (self.path / META_NAME).exists() or has_toc(self.path)

    @contextmanager
    def writer(self, action: str, *, lock_timeout: float = 10.0, procs: int | None = None,
               notes: list[str] | None = None) -> Iterator[RebuildWriter | UpdateWriter]:
        """A rebuild or an update of this index, holding the one-writer lock."""
        if action not in ("rebuild", "update"):
            raise ValueError(f"action must be rebuild or update, not {action!r}")
        with writer_lock(self.path, command=action, timeout=lock_timeout, notes=notes):
            check_replaceable(self.path)  # and whoosh deletes files named like its own in an update
            remove_leftovers(self.path)
            try:
                writer = RebuildWriter(self.path, procs=procs or 1) if action == "rebuild" \
                    else UpdateWriter(self.path)
            except Exception as err:
                translated = damage(self.path, err)
                if translated is err or isinstance(err, OSError | SearchError):
                    raise
                raise translated from err
            try:
                yield writer
            finally:
                if not writer.committed:
                    writer.cancel()
        self.refresh()

    def close(self) -> None:
        """Release the open files (searches still running finish first)."""
        with self._lock:
            self._closed = True
            if self._current is not None:
                self._retire(self._current)
                self._current = None
