"""Full garbage collections while the user is idle, not between a keystroke and its results."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

__all__ = ["IdleCollector"]

#: Allocations between two collections of the youngest generation (Python: 700). Textual
#: allocates a lot per screen update; fewer young collections, and fewer promotions.
YOUNG = 5000
#: Young collections after which a full collection runs even if the user never stops (about
#: 40 keystrokes of continuous typing: it bounds the memory and the pause).
OVERDUE = 15


class IdleCollector:
    """Runs Python's full garbage collections while the user is idle.

    Textual's rendered lines hold themselves in their own caches: every screen update leaves
    thousands of objects in reference cycles that only a full collection frees, and with the
    widgets and the index in memory a full collection takes 50 to 150 ms on a small machine.
    Python runs one every second or so while the user types, and it often fell between a
    keystroke and its results. While `start()`ed, the automatic full collections are off (the
    young generations are still collected as usual); `tick()`, called a few times a second,
    runs one once `busy()` is false and `idle` seconds passed since the last `touch()`, or
    after `OVERDUE` young collections whatever the user does. `stop()` puts Python's
    thresholds back.
    """

    def __init__(self, busy: Callable[[], bool], idle: float = 0.3) -> None:
        self.busy = busy
        self.idle = idle
        self.last_activity = time.monotonic()
        self.collections = 0
        self._saved: tuple[int, int, int] | None = None

    def start(self) -> None:
        """Turn the automatic full collections off."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            _young, middle, _old = self._saved
            gc.set_threshold(YOUNG, middle, 1 << 30)

    def stop(self) -> None:
        """Python's thresholds again."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def touch(self) -> None:
        """The user did something."""
        self.last_activity = time.monotonic()

    def tick(self) -> bool:
        """Run the full collection if it is due and the user is idle (True if it ran)."""
        pending = gc.get_count()[2]  # young collections since the last full one
        if not pending:
            return False
        quiet = time.monotonic() - self.last_activity >= self.idle and not self.busy()
        if not quiet and pending < OVERDUE:
            return False
        gc.collect()
        self.collections += 1
        return True
