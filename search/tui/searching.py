"""Searching as the user types: debounce, thread workers, stale results dropped, pages, the article."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget

from .. import (
    Article,
    CancelToken,
    FacetCount,
    Hit,
    Index,
    IndexNotFoundError,
    NotAnIndexError,
    Results,
    SearchCancelledError,
)
from .request import Request
from .wording import SORT_LABELS, error_message, notice_message

if TYPE_CHECKING:
    from textual.app import App
    from textual.widgets import Static

    from ._idle_gc import IdleCollector
    from .article_view import ArticleView
    from .filter_panel import FilterPanel
    from .result_list import ResultList
    from .search_box import SearchBox
    from .status_bars import ChipBar, StatusBar, SuggestionBar

if TYPE_CHECKING:
    _Base = App[None]
else:
    _Base = object

__all__ = ["EXAMPLES", "FAST_SEARCH", "ResultsPainted", "SearchingMixin"]

#: When a search this fast ends, the search for what was typed meanwhile starts at once.
FAST_SEARCH = 0.05
#: A highlight this soon after a keystroke comes from typing: its article waits for the keys to stop.
TYPING = 0.4
EXAMPLES = "réforme des retraites · \"bouclier tarifaire\" · électri* · chevaux -course · date:2020"


class ResultsPainted(Message):
    """A result set is on screen (posted once the screen update that rendered it is done)."""

    def __init__(self, request: Request, total: int, painted_at: float) -> None:
        super().__init__()
        self.request = request
        self.total = total
        self.painted_at = painted_at


class SearchingMixin(_Base):
    """The search pipeline of `SearchApp` (its `@on` handlers call these methods).

    A keystroke starts a search at once when none is running, else after `debounce` seconds
    without keys; each search runs in a thread worker (`exclusive`: a newer one cancels the
    older); a result is shown only if it answers what is typed now.
    """

    index_path: Path
    corpus_path: Path
    writing: str | None
    debounce: float
    timings: bool
    first_page: int | None
    more_page: int
    request: Request
    shown: Request | None
    results: Results | None
    has_facets: bool
    focus_facets_later: bool
    last_painted: tuple[Request, float] | None
    box: SearchBox
    suggestion: SuggestionBar
    chips: ChipBar
    filters: FilterPanel
    result_list: ResultList
    empty: Static
    preview: ArticleView
    status: StatusBar
    collector: IdleCollector

    if TYPE_CHECKING:
        def start_write(self, action: str) -> None: ...  # from IndexingMixin

        def focus_facets(self) -> None: ...  # from SearchApp

    def init_searching(self) -> None:
        """Set the state (call from `__init__`)."""
        self.index: Index | None = None
        self._token: CancelToken | None = None
        self.request = Request()
        self.shown = None
        self.results = None
        self.has_facets = False
        self.focus_facets_later = False
        self.last_painted = None
        self._paint_pending: tuple[Request, int] | None = None
        self._fired: Request | None = None
        self._in_flight = False
        self._last_cost = 0.0
        self._timer: Timer | None = None
        self._typed_at = 0.0
        self._article_timer: Timer | None = None
        self._paint_listeners: list[Callable[[Request, float], None]] = []

    def show_empty(self, content: Content) -> None:
        """Show a message in place of the results list."""
        self.result_list.display = False
        empty = self.empty
        empty.update(content)
        empty.display = True

    def welcome(self) -> None:
        """The empty state of a ready index and an empty query."""
        text = Content.assemble(
            ("Tapez pour chercher", "bold"), f" dans les articles de l’index ({self.index_path}).\n\n",
            ("Exemples : ", "dim"), EXAMPLES, "\n\n",
            ("↑ dans la boîte vide : requêtes précédentes · F1 : aide · Ctrl+P : commandes", "dim"))
        self.show_empty(text)
        self.preview.clear()

    # -- the index -----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def open_index(self) -> None:
        """Open the index (in a thread: the UI never waits for the disk)."""
        try:
            ix = Index.open(self.index_path)
        except Exception as error:  # noqa: BLE001 - shown to the user, never a traceback
            self.call_from_thread(self.index_failed, error)
        else:
            self.call_from_thread(self.index_ready, ix)

    def index_ready(self, ix: Index) -> None:
        """The index is open: search what is typed."""
        if not self.is_running:
            return
        if self.index is not None and self.index is not ix:
            self.index.close()
        self.index = ix
        self.status.show_text(f"Index : {self.index_path}")
        self.search_now(force=True)

    def index_failed(self, error: Exception) -> None:
        """The index cannot be opened: build it if there is a corpus, else say what to do."""
        if not self.is_running:
            return
        missing = isinstance(error, IndexNotFoundError) and not isinstance(error, NotAnIndexError)
        if missing and self.corpus_path.exists() and not self.writing:
            self.show_empty(Content.assemble(
                ("Aucun index", "bold"),
                f" dans {self.index_path} : construction depuis {self.corpus_path}…"))
            self.start_write("rebuild")
            return
        message = error_message(error)
        if missing:
            message = (f"Aucun index dans {self.index_path}, et pas de corpus dans {self.corpus_path}. "
                       "Relancez avec --corpus CHEMIN (un fichier .jsonl ou un dossier d’articles), "
                       "ou --index CHEMIN vers un index existant.")
        self.notify(message, title="Index indisponible", severity="error", timeout=15)
        self.show_empty(Content.assemble(("Index indisponible\n\n", "bold"), message))
        self.status.show_text("Pas d’index : Ctrl+R pour le construire depuis le corpus.")

    # -- searching -------------------------------------------------------------------

    @property
    def settled(self) -> bool:
        """Whether the results on screen answer what is typed (no search pending)."""
        return (self.index is not None and not self._in_flight and self._timer is None
                and self._article_timer is None and self.shown == self.current_request())

    def current_request(self) -> Request:
        """What the user asks for right now (the query is the box's value)."""
        return replace(self.request, query=self.box.value)

    def schedule_search(self) -> None:
        """Debounce with a leading edge: search now if no search is running, else once the
        keys have stopped for `debounce` seconds (or as soon as a fast search ends)."""
        self._typed_at = time.monotonic()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not self._in_flight:
            self.search_now()
        else:
            self._timer = self.set_timer(self.debounce, self.search_now)

    def search_now(self, force: bool = False) -> None:
        """Start the search for the current request (unless it is already running or shown)."""
        if not self.is_running:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        request = self.current_request()
        self.request = request
        self.chips.show(request)
        if self.index is None:
            return
        if not force and request in (self._fired, self.shown) and (self._in_flight or request == self.shown):
            return
        if self._token is not None:
            self._token.cancel()  # the running search is stale: it stops at its next check
            self._token = None
        if request.blank:
            self._fired = None
            self._in_flight = False
            self.show_blank(request)
            return
        self._fired = request
        self._in_flight = True
        self._token = token = CancelToken()
        self.search_worker(self.index, request, token, facets=bool(self.filters.display),
                           limit=self.page_size())

    def show_blank(self, request: Request) -> None:
        """Nothing typed and no filter: the welcome screen."""
        self.shown = request
        self.results = None
        self.result_list.show_hits([], 0)
        self.suggestion.show(None)
        self.status.show_text(f"Index : {self.index_path} · tri : {SORT_LABELS[request.sort]}")
        self.filters.show({}, request)
        self.welcome()
        self.await_paint(request, 0)

    def page_size(self) -> int:
        """Hits to ask for at first: the cards that fit in the list, plus two (never fewer than 6)."""
        if self.first_page is not None:
            return self.first_page
        card = 3 + self.result_list.card_layout.snippet_lines  # title, meta, snippet, rule
        pane = self.result_list.parent  # shown even when the list is not (no results)
        height = pane.size.height if isinstance(pane, Widget) else self.result_list.size.height
        return min(max(6, height // card + 2), 30)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search_worker(self, ix: Index, request: Request, token: CancelToken, *, facets: bool,
                      limit: int) -> None:
        """Run one search in a thread, then hand the results to the UI thread.

        Facet counts are asked for only while the filter panel shows them (they cost).
        """
        started = time.perf_counter()
        results: Results | None = None
        extra: dict[str, tuple[FacetCount, ...]] = {}
        error: Exception | None = None
        try:
            results = ix.search(request.query, limit=limit, facets=facets, cancel=token,
                                **request.search_kwargs())
            # counts of the other values of a filtered field (to add one more to the filter)
            for field in dict.fromkeys(f for f, _ in request.filters) if facets else ():
                others = ix.search(request.query, limit=0, snippets=False, cancel=token,
                                   **request.search_kwargs(without=field))
                extra[field] = others.facets.get(field, ())
        except SearchCancelledError:
            results = None  # a newer search started: nothing to show
        except Exception as err:  # noqa: BLE001 - shown as a notification
            error = err
        if results is not None and not facets:
            extra = {"__none__": ()}  # tells show_results that no facet was counted
        self.call_from_thread(self.search_done, token, request, results, extra, error,
                              time.perf_counter() - started)

    def search_done(self, token: CancelToken, request: Request, results: Results | None,
                    extra: dict[str, tuple[FacetCount, ...]], error: Exception | None, cost: float) -> None:
        """Show the results if they answer the current request; drop them otherwise."""
        if not self.is_running or token.cancelled:
            return  # a newer search is running (or the app is closing): a dropped result
        if token is self._token:
            self._token = None
            self._in_flight = False
            self._last_cost = cost
        current = self.current_request()
        if request != current:  # stale: a newer request exists
            if self._timer is not None and self._last_cost < FAST_SEARCH:
                self.search_now()
            return
        if error is not None or results is None:
            self.notify(error_message(error or RuntimeError("no result")), title="Recherche impossible",
                        severity="error", timeout=8)
            self.status.show_text("La recherche a échoué : voir la notification.")
            return
        self.show_results(request, results, extra)

    def show_results(self, request: Request, results: Results,
                     extra: dict[str, tuple[FacetCount, ...]]) -> None:
        """Paint a result set: list, counts, suggestion, facets."""
        hits = self.result_list
        keep = hits.highlighted if request == self.shown else None  # the same search again
        self.shown = request
        self.results = results
        hits.show_hits(results.hits, results.total)
        if keep is not None and 0 < keep < len(hits.hits):
            hits.highlighted = keep
        self.suggestion.show(results.suggestion)
        self.has_facets = "__none__" not in extra
        if self.has_facets:
            facets = dict(results.facets)
            facets.update(extra)
            self.filters.show(facets, request)
            if self.focus_facets_later:
                self.focus_facets_later = False
                self.focus_facets()
        self.show_status()
        if results.hits:
            hits.display = True
            self.empty.display = False
        else:
            self.show_no_results(request, results)
        self.await_paint(request, results.total)

    def show_status(self) -> None:
        """The status line for the shown results."""
        results = self.results
        if results is None or self.shown is None:
            return
        notes = [notice_message(w) for w in results.warnings if getattr(w, "code", "") != "empty"]
        self.status.show_results(results.total, len(self.result_list.hits),
                                               results.took_ms if self.timings else None,
                                               self.shown.sort, notes)

    def show_no_results(self, request: Request, results: Results) -> None:
        """The empty state of a search that found nothing, with what to try."""
        parts: list[Content | tuple[str, str] | str] = [
            ("Aucun résultat", "bold"),
            f" pour « {request.query.strip()} »." if request.query.strip() else "."]
        if results.suggestion:
            parts += ["\n\nVouliez-vous dire ", (results.suggestion, "bold underline"), " ? (Ctrl+D)"]
        if request.filters or request.date_from or request.date_to:
            parts.append("\n\nDes filtres sont actifs : x (hors de la boîte) retire le dernier.")
        for warning in results.warnings:
            if getattr(warning, "code", "") != "empty":
                parts += ["\n\n", (notice_message(warning), "italic")]
        parts += ["\n\n", ("Essayez moins de mots, un préfixe (électri*) ou une faute tolérée "
                           "(gouvernemant~).", "dim")]
        self.show_empty(Content.assemble(*parts))
        self.preview.clear()

    def await_paint(self, request: Request, total: int) -> None:
        """Note the moment the result set just shown reaches the screen (`ResultsPainted`)."""
        self._paint_pending = (request, total)
        self.call_after_refresh(self._painted)  # in case neither the list nor the message renders

    def results_rendered(self) -> None:
        """The results list (or the message in its place) was just rendered: the screen update
        that holds it is written before the event loop runs anything else."""
        if self._paint_pending is not None:
            asyncio.get_running_loop().call_soon(self._painted)

    def _painted(self) -> None:
        if self._paint_pending is None:
            return
        request, total = self._paint_pending
        self._paint_pending = None
        self.collector.touch()
        now = time.perf_counter()
        self.last_painted = (request, now)
        for listener in self._paint_listeners:
            listener(request, now)
        self.post_message(ResultsPainted(request, total, now))

    def subscribe_paints(self, listener: Callable[[Request, float], None]) -> None:
        """Call `listener(request, painted_at)` after each result set is painted (for benchmarks)."""
        self._paint_listeners.append(listener)

    @work(thread=True, exclusive=True, group="more", exit_on_error=False)
    def more_worker(self, request: Request, offset: int) -> None:
        """Load the next page of the shown results."""
        try:
            if self.index is None:
                return
            page = self.index.search(request.query, limit=self.more_page, offset=offset, facets=False,
                                     **request.search_kwargs())
        except Exception as error:  # noqa: BLE001
            self.call_from_thread(self.notify, error_message(error), severity="error")
            return
        self.call_from_thread(self.more_done, request, offset, page)

    def more_done(self, request: Request, offset: int, page: Results) -> None:
        """Append a page if it still follows the shown list."""
        if not self.is_running:
            return
        hits = self.result_list
        if request == self.shown == self.current_request() and offset == len(hits.hits):
            hits.add_hits(page.hits)
            self.show_status()

    # -- the article -------------------------------------------------------------------

    def show_article(self, hit: Hit) -> None:
        """Show the article of the highlighted hit: at once when the user moves in the list;
        while they type, once the keys stop (reading and laying out a whole article between two
        keystrokes would delay the results of the next one)."""
        if self._article_timer is not None:
            self._article_timer.stop()
            self._article_timer = None
        if time.monotonic() - self._typed_at < TYPING:
            self._article_timer = self.set_timer(self.debounce, self._article_when_idle)
        else:
            self.article_worker(hit)

    def _article_when_idle(self) -> None:
        self._article_timer = None
        hit = self.result_list.current
        if hit is None or not self.is_running:
            return
        if self._in_flight or self._timer is not None or time.monotonic() - self._typed_at < self.debounce:
            self._article_timer = self.set_timer(self.debounce, self._article_when_idle)
            return
        self.article_worker(hit)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def article_worker(self, hit: Hit) -> None:
        """Read the whole article of a hit."""
        try:
            if self.index is None:
                return
            article: Article | None = self.index.get(hit.id)
            error: Exception | None = None
        except Exception as err:  # noqa: BLE001
            article, error = None, err
        self.call_from_thread(self.article_done, hit, article, error)

    def article_done(self, hit: Hit, article: Article | None, error: Exception | None) -> None:
        """Show the article if its hit is still the highlighted one."""
        if not self.is_running:
            return
        if self.result_list.current is not hit:
            return
        preview = self.preview
        if article is None:
            preview.clear(error_message(error or RuntimeError("?")))
        else:
            preview.show(article, hit.highlights)

