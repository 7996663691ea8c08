"""Noticing an index that another process changed (`search update`, `search watch`, a fetch):
a look at `Index.stats()` every few seconds, in a thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.message import Message
from textual.timer import Timer

from .. import Index, IndexStats
from ..i18n import _, ngettext, number

__all__ = ["IndexWatch"]

#: Seconds between two looks at the index.
EVERY = 3.0


class IndexWatch:
    """Tells the app when the index it searches was written by someone else.

    Every `every` seconds a thread worker reads `Index.stats()` (engine-neutral: the count and
    the time of the last write); when they differ from the last look, `Changed` is posted with
    the counts before and after. The app's own rebuilds and updates are not news: it calls
    `expect()` after them, which takes the new figures as the baseline.

    Args:
        app: where the messages go.
        index: gives the open index (None while there is none).
        busy: whether the app writes the index itself (no look meanwhile).
        every: seconds between two looks.
    """

    class Changed(Message):
        """The index changed under the app: `before` and `after` article counts."""

        def __init__(self, before: int, after: int) -> None:
            super().__init__()
            self.before = before
            self.after = after

        @property
        def text(self) -> str:
            """What changed, for a person: "12 new articles in the index"."""
            added = self.after - self.before
            if added > 0:
                text = ngettext("{n} new article in the index", "{n} new articles in the index", added)
            elif added < 0:
                text = ngettext("{n} article removed from the index", "{n} articles removed from the index",
                                -added)
            else:
                text = _("The index was updated ({n} articles)")
            return text.format(n=number(abs(added) or self.after))

    def __init__(self, app: App[Any], index: Callable[[], Index | None], busy: Callable[[], bool],
                 every: float = EVERY) -> None:
        self.app = app
        self.index = index
        self.busy = busy
        self.every = every
        self.seen: tuple[int, object] | None = None
        self._timer: Timer | None = None

    def start(self) -> None:
        """Look every `every` seconds from now on."""
        if self._timer is None:
            self._timer = self.app.set_interval(self.every, self.look)

    def stop(self) -> None:
        """Stop looking."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def expect(self) -> None:
        """The app wrote the index itself: the next figures are the new baseline."""
        self.seen = None
        self.look()

    def look(self) -> None:
        """Read the figures in a thread (the UI never waits for the disk)."""
        ix = self.index()
        if ix is None or self.busy():
            return
        self.app.run_worker(lambda: self._look(ix), thread=True, exclusive=True, group="index-watch",
                            exit_on_error=False)

    def _look(self, ix: Index) -> None:
        try:
            stats: IndexStats = ix.stats()
        except Exception:  # noqa: BLE001 - a failing index is the searches' news, not this
            return
        try:
            self.app.call_from_thread(self._compare, (stats.articles, stats.updated_at))
        except RuntimeError:
            pass  # the app is closing

    def _compare(self, figures: tuple[int, object]) -> None:
        before, self.seen = self.seen, figures
        if before is not None and before != figures and not self.busy():
            self.app.post_message(self.Changed(before[0], figures[0]))
