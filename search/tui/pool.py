"""A few open `Index` objects on one index, so a slow stale search never blocks the next one.

An `Index` serialises its searches behind one lock, and a running search cannot be
interrupted: a prefix or fuzzy query that takes seconds would hold back every search
typed after it. The pool hands each search the least busy instance and opens another
(up to `size`) when they are all busy. No textual import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["IndexPool"]


class IndexPool:
    """Instances of one index, handed out least busy first.

    Args:
        first: an open index (the pool's first instance).
        size: how many instances at most; 1 shares `first` between all searches.
        opener: opens one more instance (called from the searching thread).
    """

    def __init__(self, first: Any, *, size: int = 2, opener: Callable[[], Any] | None = None) -> None:
        self.instances: list[Any] = [first]
        self.busy: list[int] = [0]
        self.size = max(size, 1)
        self.opener = opener
        self._lock = threading.Lock()

    @contextmanager
    def acquire(self) -> Iterator[Any]:
        """An instance to search with, for the duration of the block."""
        with self._lock:
            slot = min(range(len(self.instances)), key=self.busy.__getitem__)
            grow = self.busy[slot] > 0 and len(self.instances) < self.size and self.opener is not None
            if grow:
                self.instances.append(None)
                self.busy.append(1)
                slot = len(self.instances) - 1
            else:
                self.busy[slot] += 1
        try:
            if grow:
                try:
                    assert self.opener is not None
                    self.instances[slot] = self.opener()
                except Exception:  # noqa: BLE001 - cannot open another: share the first one
                    self.instances[slot] = self.instances[0]
            yield self.instances[slot]
        finally:
            with self._lock:
                self.busy[slot] = max(self.busy[slot] - 1, 0)

    def close(self) -> None:
        """Close every instance but the first (its owner closes it)."""
        with self._lock:
            extra = [ix for ix in self.instances[1:] if ix is not None and ix is not self.instances[0]]
            self.instances = self.instances[:1]
            self.busy = self.busy[:1]
        for ix in extra:
            ix.close()
