"""Opening an index's files: whoosh's storage, reading segment files in place.

Whoosh writes each segment as one compound file, maps it, and opens each part of it as a
`BufferFile` over a memoryview of the map, whose `BytesIO(buf)` copies that part into
memory: every reader held a private copy of the whole index (150 MB for 36,000 articles
at each open, and an update, which opens a few readers, peaked near 1 GB).

`ZeroCopyStorage`, the storage of the indexes this package opens (and of no other whoosh
index in the process), maps a segment file once and hands out its parts as `MappedPart`s
that read the map in place. It leans on whoosh-reloaded 2.7.5's `CompoundStorage`, which
takes a part from `dbfile.subset()` when the storage does not map files itself; with any
other whoosh version the plain `FileStorage` (copying, but correct) is used.
"""

from __future__ import annotations

import mmap
import os
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import whoosh
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import FileIndex

__all__ = [
    "INDEX_NAME",
    "MappedPart",
    "MemoryFile",
    "SegmentFile",
    "ZeroCopyStorage",
    "create_whoosh",
    "open_whoosh",
]

#: Whoosh's name of the index inside its folder (`_MAIN_1.toc`, `MAIN_….seg`).
INDEX_NAME = "MAIN"
#: The whoosh versions whose compound storage `ZeroCopyStorage` was checked against.
_CHECKED = ((2, 7, 5),)


class MemoryFile:
    """A read-only file over a buffer (a memoryview of a map), without copying it."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: Any) -> None:
        self._buf = memoryview(buf)
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        self._pos = max(start, end)
        return self._buf[start:self._pos].tobytes()

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the current position, without moving it (pickle's unpickler reads
        ahead with it instead of calling `read` for every opcode)."""
        start = self._pos
        return self._buf[start:start + max(size, 4096)].tobytes()

    def readinto(self, into: Any) -> int:
        data = self.read(len(into))
        into[:len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._pos + size)
        start = self._pos
        if start >= end:
            return b""
        chunk = 256
        at = start
        while at < end:
            found = self._buf[at:min(end, at + chunk)].tobytes().find(b"\n")
            if found >= 0:
                end = at + found + 1
                break
            at += chunk
            chunk *= 2
        self._pos = end
        return self._buf[start:end].tobytes()

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._buf))[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self._buf.release()  # lets the segment file close its map


class MappedPart(BufferFile):  # type: ignore[misc]
    """A part of a mapped segment file: whoosh's `BufferFile`, reading the map in place."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = MemoryFile(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position: int, length: int, name: str | None = None) -> MappedPart:
        return MappedPart(self._buf[position:position + length], name=name or self._name)


class SegmentFile(StructFile):  # type: ignore[misc]
    """A whole compound segment file, mapped once (its file descriptor closed at once);
    `subset` gives its parts in place."""

    def __init__(self, path: str, name: str) -> None:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        self._view = memoryview(self._map) if self._map is not None else memoryview(b"")
        super().__init__(MemoryFile(self._view), name=name)

    def subset(self, position: int, length: int, name: str | None = None) -> MappedPart:
        return MappedPart(self._view[position:position + length], name=name)

    def release_pages(self) -> None:
        """Drop this process's mapping of the pages read so far (see `ZeroCopyStorage`)."""
        if self._map is not None and not self.is_closed and hasattr(mmap, "MADV_DONTNEED"):
            try:
                self._map.madvise(mmap.MADV_DONTNEED)
            except (OSError, ValueError):  # a closed map, or a system without it
                pass

    def close(self) -> None:
        if self.is_closed:
            return
        super().close()  # releases the MemoryFile's view
        try:
            self._view.release()
        except BufferError:  # parts still open: the map is freed with the last of them
            pass
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:
                pass


class ZeroCopyStorage(FileStorage):  # type: ignore[misc]
    """Whoosh's file storage, with compound segment files read in place (`SegmentFile`)."""

    def __init__(self, path: str) -> None:
        # whoosh's own mapping copies each part: `SegmentFile` maps instead
        super().__init__(path, supports_mmap=False)
        self.mapped: weakref.WeakSet[SegmentFile] = weakref.WeakSet()

    def open_file(self, name: str, **kwargs: Any) -> Any:
        if name.endswith(".seg") and not kwargs:
            segment = SegmentFile(self._fpath(name), name)
            self.mapped.add(segment)
            return segment
        return super().open_file(name, **kwargs)

    def release_pages(self) -> None:
        """Let go of the pages of the mapped segment files this process has read: they stay
        in the system's file cache, are read back from it when needed, and stop counting in
        this process's resident memory (which would otherwise grow to the index's size)."""
        for segment in list(self.mapped):
            segment.release_pages()


def _storage(path: Path) -> FileStorage:
    if tuple(whoosh.__version__[:3]) in _CHECKED:
        return ZeroCopyStorage(str(path))
    return FileStorage(str(path))  # pragma: no cover - another whoosh: its own (copying) reads


def open_whoosh(path: Path) -> FileIndex:
    """Open the whoosh index in the folder `path` (whoosh's errors pass through)."""
    return FileIndex(_storage(path), indexname=INDEX_NAME)


def create_whoosh(path: Path, schema: Any) -> FileIndex:
    """Create an empty whoosh index with `schema` in the (empty) folder `path`."""
    return _storage(path).create_index(schema, indexname=INDEX_NAME)
