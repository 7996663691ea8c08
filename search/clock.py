"""The time a search may take and its cancellation, checked by the loops that do its work.

Every loop of a search that can run long (reading posting blocks, scoring postings,
walking the vocabulary for expansions, building snippets, counting facets) calls
`Clock.check()` between steps. When the time is out it raises `OutOfTime`, which the
search catches at the end of a stage and answers with what it found by then; when the
search was cancelled it raises `SearchCancelledError`, which ends the search.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .errors import SearchCancelledError

__all__ = ["CancelToken", "Clock", "OutOfTime"]


class OutOfTime(Exception):
    """The search's time is out (internal: the search returns what it found by then)."""


class CancelToken:
    """Cancels a running search from another thread: pass it as `Index.search(..., cancel=token)`,
    then `token.cancel()`; the search raises `SearchCancelledError` at its next check."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the searches holding this token to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether `cancel()` was called."""
        return self._event.is_set()


class Clock:
    """The deadline and cancel token of one search.

    Args:
        limit: seconds the search may take (None: no limit).
        cancel: a token that stops the search when cancelled.
        now: the time source (tests pass a fake one).
    """

    __slots__ = ("_cancel", "_now", "deadline", "limit", "out", "started")

    def __init__(self, limit: float | None, cancel: CancelToken | None = None,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self._now = now
        self._cancel = cancel
        self.started = now()
        self.limit = limit
        self.deadline = None if limit is None else self.started + limit
        self.out = False

    def check(self) -> None:
        """Raise when the search must stop.

        Raises:
            SearchCancelledError: the search was cancelled.
            OutOfTime: the time is out (also on every call after the first).
        """
        if self._cancel is not None and self._cancel.cancelled:
            raise SearchCancelledError()
        if self.out:
            raise OutOfTime()
        if self.deadline is not None and self._now() >= self.deadline:
            self.out = True
            raise OutOfTime()

    def expired(self) -> bool:
        """Whether the time is out (or the search cancelled: then it raises)."""
        try:
            self.check()
        except OutOfTime:
            return True
        return False
