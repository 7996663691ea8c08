"""Searching as the user types: debounce, a thread per search, stale ones cancelled, pages, the article."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.message import Message
from textual.timer import Timer

from .. import Article, CancelToken, FacetCount, Hit, Index, Results, SearchCancelledError
from .request import Request

__all__ = ["FAST_SEARCH", "TYPING", "Answer", "SearchController"]

#: When a search this fast ends, the search for what was typed meanwhile starts at once.
FAST_SEARCH = 0.05
#: A highlight this soon after a keystroke comes from typing: its article waits for the keys to stop.
TYPING = 0.4


@dataclass(frozen=True)
class Answer:
    """What goes on screen for a request: its results (None for a blank request: the welcome
    screen) and the facet counts (None when they were not asked for: the filters are hidden)."""

    request: Request
    results: Results | None = None
    facets: Mapping[str, Sequence[FacetCount]] | None = None


class SearchController:
    """Runs the searches of the app on one `Index` and tells the app what to show.

    A keystroke (`typed`) starts a search at once when none is running, else once the keys
    have stopped for `debounce` seconds (or as soon as a fast search ends). Each search runs
    in a thread worker with its own `CancelToken`: a newer search cancels the older one, which
    stops within milliseconds; a result that does not answer the latest request is dropped.
    So on one `Index`, whether the engine runs its searches one at a time or side by side, a
    search the user typed past never holds back the next one.
    The app shows each `Answered` and hands it back with `shown_now`, which notes when it
    reaches the screen (`ResultsPainted`).

    Messages, posted to the app: `IndexOpened`, `IndexFailed`, `Answered`, `SearchFailed`,
    `MoreLoaded`, `ArticleLoaded`, `ResultsPainted`.

    Args:
        app: the app the messages go to (its workers and timers run the searches).
        path: the index directory, or a cluster's URL.
        debounce: seconds to wait after a keystroke while a search runs.
    """

    class IndexOpened(Message):
        """The index is open: search what is asked for."""

        def __init__(self, index: Index) -> None:
            super().__init__()
            self.index = index

    class IndexFailed(Message):
        """The index cannot be opened."""

        def __init__(self, error: Exception) -> None:
            super().__init__()
            self.error = error

    class Answered(Message):
        """A result set (or the blank screen) that answers the latest request."""

        def __init__(self, answer: Answer) -> None:
            super().__init__()
            self.answer = answer

    class SearchFailed(Message):
        """The latest request failed (never a cancelled search)."""

        def __init__(self, request: Request, error: Exception) -> None:
            super().__init__()
            self.request = request
            self.error = error

    class MoreLoaded(Message):
        """The next page of the shown results, from `offset`."""

        def __init__(self, request: Request, offset: int, page: Results | None,
                     error: Exception | None) -> None:
            super().__init__()
            self.request = request
            self.offset = offset
            self.page = page
            self.error = error

    class ArticleLoaded(Message):
        """The whole article of a hit (or why it cannot be read)."""

        def __init__(self, hit: Hit, article: Article | None, error: Exception | None) -> None:
            super().__init__()
            self.hit = hit
            self.article = article
            self.error = error

    class ResultsPainted(Message):
        """A result set is on screen (posted once the screen update that rendered it is done)."""

        def __init__(self, request: Request, total: int, painted_at: float) -> None:
            super().__init__()
            self.request = request
            self.total = total
            self.painted_at = painted_at

    def __init__(self, app: App[Any], path: Path | str, *, debounce: float = 0.15) -> None:
        self.app = app
        self.path = path
        self.debounce = debounce
        #: The open index (None until it is opened).
        self.index: Index | None = None
        #: The answer on screen.
        self.shown: Answer | None = None
        #: The last result set painted, and when (`time.perf_counter()`).
        self.last_painted: tuple[Request, float] | None = None
        self._wanted = Request()
        self._facets = False
        self._limit = 10
        self._running: tuple[Request, CancelToken] | None = None
        self._more: CancelToken | None = None
        self._last_cost = 0.0
        self._timer: Timer | None = None
        self._typed_at = 0.0
        self._article_timer: Timer | None = None
        self._article_hit: Hit | None = None
        self._paint_pending: tuple[Request, int] | None = None
        self._paint_listeners: list[Callable[[Request, float], None]] = []

    # -- state ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a search runs or waits for the keys to stop."""
        return self._running is not None or self._timer is not None

    def settled(self, request: Request) -> bool:
        """Whether the answer on screen is for `request`, with nothing running or waiting."""
        return (self.index is not None and not self.busy and self._article_timer is None
                and self.shown is not None and self.shown.request == request)

    # -- the index -----------------------------------------------------------------

    def open(self) -> None:
        """Open the index in a thread (the UI never waits for the disk)."""
        self.app.run_worker(self._open, thread=True, exclusive=True, group="open", exit_on_error=False)

    def _open(self) -> None:
        try:
            ix = Index.open(self.path)
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            self.app.post_message(self.IndexFailed(error))
            return
        if not self._to_ui(self._opened, ix):
            ix.close()

    def _opened(self, ix: Index) -> None:
        if self.index is not None and self.index is not ix:
            self.index.close()
        self.index = ix
        self.app.post_message(self.IndexOpened(ix))

    def close(self) -> None:
        """Stop what runs and close the index."""
        self._cancel()
        if self._more is not None:
            self._more.cancel()
        for timer in (self._timer, self._article_timer):
            if timer is not None:
                timer.stop()
        if self.index is not None:
            self.index.close()

    # -- searching -----------------------------------------------------------------

    def typed(self, request: Request, *, facets: bool, limit: int) -> None:
        """A keystroke: search now if no search is running, else once the keys have stopped for
        `debounce` seconds (or as soon as a fast search ends)."""
        self._typed_at = time.monotonic()
        self._want(request, facets, limit)
        if self._running is None:
            self._search(force=False)
        else:
            self._timer = self.app.set_timer(self.debounce, self._search)

    def search(self, request: Request, *, facets: bool, limit: int, force: bool = False) -> None:
        """Search `request` now, unless it already runs or is on screen (`force`: search anyway).

        Args:
            request: what the user asks for.
            facets: count the facets (they cost: only while the filters show them).
            limit: hits of the first page.
            force: search even if this request is on screen (for the facets, or a new index).
        """
        self._want(request, facets, limit)
        self._search(force=force)

    def _want(self, request: Request, facets: bool, limit: int) -> None:
        self._wanted, self._facets, self._limit = request, facets, limit
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _search(self, force: bool = False) -> None:
        self._timer = None
        request = self._wanted
        if self.index is None:
            return
        if not force:
            if self._running is not None and self._running[0] == request:
                return  # already running
            if self.shown is not None and self.shown.request == request:
                self._cancel()  # on screen already: whatever runs is stale
                return
        self._cancel()
        if self._more is not None:  # the next page of a list about to be replaced
            self._more.cancel()
            self._more = None
        if request.blank:
            self.app.post_message(self.Answered(Answer(request)))
            return
        token = CancelToken()
        self._running = (request, token)
        self.app.run_worker(partial(self._run, self.index, request, token, self._facets, self._limit),
                            thread=True, exclusive=True, group="search", exit_on_error=False)

    def _cancel(self) -> None:
        """Cancel the running search: it stops at its next check, and its end is dropped."""
        if self._running is not None:
            self._running[1].cancel()
            self._running = None

    def _run(self, ix: Index, request: Request, token: CancelToken, facets: bool, limit: int) -> None:
        """One search, in a worker's thread; facet counts only when asked for."""
        started = time.perf_counter()
        answer: Answer | None = None
        error: Exception | None = None
        try:
            results = ix.search(request.query, limit=limit, facets=facets, cancel=token,
                                **request.search_kwargs())
            counts: dict[str, Sequence[FacetCount]] | None = None
            if facets:
                counts = dict(results.facets)
                # the counts of the other values of a filtered field (to add one more to the filter)
                for field in dict.fromkeys(f for f, _ in request.filters):
                    others = ix.search(request.query, limit=0, snippets=False, cancel=token,
                                       **request.search_kwargs(without=field))
                    counts[field] = others.facets.get(field, ())
            answer = Answer(request, results, counts)
        except SearchCancelledError:
            pass  # a newer search started: a dropped result
        except Exception as err:  # noqa: BLE001 - shown as a notification
            error = err
        self._to_ui(self._done, token, request, answer, error, time.perf_counter() - started)

    def _done(self, token: CancelToken, request: Request, answer: Answer | None, error: Exception | None,
              cost: float) -> None:
        """In the UI thread: hand the answer to the app if it answers the latest request."""
        if self._running is None or self._running[1] is not token:
            return  # cancelled by a newer search
        self._running = None
        self._last_cost = cost
        if request != self._wanted:  # typed past it: the newer request waits for its debounce
            if self._timer is not None and cost < FAST_SEARCH:
                self._timer.stop()
                self._search()
            return
        if answer is None:
            self.app.post_message(self.SearchFailed(request, error or RuntimeError("no result")))
        else:
            self.app.post_message(self.Answered(answer))

    def _to_ui(self, callback: Callable[..., object], *args: Any) -> bool:
        """From a worker's thread: run `callback` in the UI thread (False: the app is closing)."""
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:
            return False
        return True

    # -- on screen -----------------------------------------------------------------

    def shown_now(self, answer: Answer) -> None:
        """The app put `answer` in its widgets: note when it reaches the screen (`ResultsPainted`)."""
        self.shown = answer
        self._paint_pending = (answer.request, answer.results.total if answer.results is not None else 0)
        self.app.call_after_refresh(self._painted)  # in case neither the list nor the message renders

    def rendered(self, _data: object = None) -> None:
        """The results list (or the message in its place) was just rendered: the screen update
        that holds it is written before the event loop runs anything else."""
        if self._paint_pending is not None:
            asyncio.get_running_loop().call_soon(self._painted)

    def _painted(self) -> None:
        if self._paint_pending is None:
            return
        request, total = self._paint_pending
        self._paint_pending = None
        now = time.perf_counter()
        self.last_painted = (request, now)
        for listener in self._paint_listeners:
            listener(request, now)
        self.app.post_message(self.ResultsPainted(request, total, now))

    def subscribe_paints(self, listener: Callable[[Request, float], None]) -> None:
        """Call `listener(request, painted_at)` after each result set is painted (for benchmarks)."""
        self._paint_listeners.append(listener)

    # -- more pages and the article ---------------------------------------------------

    def load_more(self, offset: int, limit: int) -> None:
        """Load `limit` more hits of the shown results, from `offset` (`MoreLoaded`)."""
        shown = self.shown
        if shown is None or shown.request != self._wanted or self.index is None:
            return
        if self._more is not None:
            self._more.cancel()
        self._more = token = CancelToken()
        self.app.run_worker(partial(self._load_more, self.index, shown.request, offset, limit, token),
                            thread=True, exclusive=True, group="more", exit_on_error=False)

    def _load_more(self, ix: Index, request: Request, offset: int, limit: int, token: CancelToken) -> None:
        try:
            page = ix.search(request.query, limit=limit, offset=offset, facets=False, cancel=token,
                             **request.search_kwargs())
        except SearchCancelledError:
            return
        except Exception as error:  # noqa: BLE001 - shown as a notification
            self.app.post_message(self.MoreLoaded(request, offset, None, error))
            return
        self.app.post_message(self.MoreLoaded(request, offset, page, None))

    def load_article(self, hit: Hit) -> None:
        """Read the article of `hit` (`ArticleLoaded`): at once when the user moves in the list;
        while they type, once the keys stop (reading and laying out a whole article between two
        keystrokes would delay the results of the next one)."""
        self._article_hit = hit
        if self._article_timer is not None:
            self._article_timer.stop()
            self._article_timer = None
        if time.monotonic() - self._typed_at < TYPING:
            self._article_timer = self.app.set_timer(self.debounce, self._article_when_idle)
        else:
            self._read_article(hit)

    def _article_when_idle(self) -> None:
        self._article_timer = None
        if self.busy or time.monotonic() - self._typed_at < self.debounce:
            self._article_timer = self.app.set_timer(self.debounce, self._article_when_idle)
        elif self._article_hit is not None:
            self._read_article(self._article_hit)

    def _read_article(self, hit: Hit) -> None:
        if self.index is not None:
            self.app.run_worker(partial(self._get_article, self.index, hit), thread=True, exclusive=True,
                                group="article", exit_on_error=False)

    def _get_article(self, ix: Index, hit: Hit) -> None:
        try:
            article: Article | None = ix.get(hit.id)
            error: Exception | None = None
        except Exception as err:  # noqa: BLE001 - shown in the article pane
            article, error = None, err
        self.app.post_message(self.ArticleLoaded(hit, article, error))
