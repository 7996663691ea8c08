"""A work-around for whoosh-reloaded 2.7.5, applied when `search` is imported.

Whoosh writes each segment as one compound file, maps it, and opens each part of it as a
`BufferFile` over a memoryview of the map, whose `BytesIO(buf)` copies that part into
memory. Every reader thus held a private copy of the whole index: 150 MB for 36,000
articles at each `Index.open`, and an update (which opens a few readers) peaked near 1 GB.
`MemoryFile` reads the map in place instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.filedb import structfile

__all__ = ["MemoryFile"]


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
        self._buf.release()  # lets whoosh close the map


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = MemoryFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _buffer_file_init
