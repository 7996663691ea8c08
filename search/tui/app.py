"""The search app: a search box, the results, the article, filters — searches run in threads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual import events, on
from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Footer, Input, OptionList

from .. import Index, IndexNotFoundError, NotAnIndexError
from ..i18n import _
from ..index import index_location
from ..ingest.urls import is_web_url
from ..wording import sort_label
from ._idle_gc import IdleCollector
from .article_view import ArticleView
from .commands import SearchCommands
from .filter_panel import FilterPanel
from .help_screen import HelpScreen
from .history import History
from .index_watch import IndexWatch
from .keys import BINDINGS, LETTER_ACTIONS, LOOKED_AT
from .outside import Outside
from .request import Request
from .result_list import ResultList, ResultsPane
from .search_box import QueryBar, SearchBox
from .search_controller import SearchController
from .status_bars import ChipBar, StatusBar
from .timeline_bar import Timeline
from .wording import localize_bindings, missing_index_message, tui_error
from .write_status import WriteStatus

__all__ = ["SearchApp", "is_web_url"]

class SearchApp(App[None]):
    """Search French news as you type.

    The app lays the widgets out, maps keys to actions and passes messages between the
    widgets and the parts that own their state: `SearchController` (the index, the searches,
    the article), `WriteStatus` (rebuild and update in a child process), `IndexWatch` (an
    index written by another process) and `Outside` (browser, clipboard, files, alerts).

    Args:
        index: the index directory, or a cluster's URL.
        corpus: the corpus it is built from (for rebuild and update).
        history: the query history file (None: kept in memory only).
        timings: show search times (off for reproducible snapshots).
        debounce: seconds to wait after a keystroke when searches are slow.
        lock_wait: seconds a rebuild waits for another writer before failing.
        cursor_blink: blink the search box cursor (off for snapshots).
        theme: a Textual theme name (None: the default).
        remember_theme: save the theme chosen in the palette in the config file.
    """

    CSS_PATH = "app.tcss"
    #: Hits of the first page: what fits in the list plus two, at most this (snippets cost); None: 15.
    first_page: int | None = None
    #: Hits of each further page (loaded as the cursor or the view nears the end).
    more_page = 40
    COMMANDS = {SearchCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = BINDINGS

    ResultsPainted = SearchController.ResultsPainted

    def __init__(self, index: Path | str, corpus: Path, *, history: Path | None = None, timings: bool = True,
                 debounce: float = 0.15, lock_wait: float = 10.0, cursor_blink: bool = True,
                 theme: str | None = None, remember_theme: bool = True) -> None:
        super().__init__()
        localize_bindings(self)
        self.title = _("French news search")
        self.index_path = index_location(index)
        self.corpus_path = Path(corpus)
        self.history = History(history)
        self.timings = timings
        self.cursor_blink = cursor_blink
        self.start_theme = theme
        self.remember_theme = remember_theme
        #: "relevance", "-date" (newest first) or "date".
        self.sort = "relevance"
        self.searches = SearchController(self, self.index_path, debounce=debounce)
        self.writes = WriteStatus(self.corpus_path, self.index_path, lock_wait=lock_wait, id="write-status")
        self.watch_index = IndexWatch(self, lambda: self.searches.index, lambda: bool(self.writes.action))
        self.outside = Outside(self)
        self.collector = IdleCollector(busy=lambda: self.searches.busy)
        self._keep_hit: str | None = None

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Search box and bars on top; filters, results (under their timeline) and article; status
        and keys below."""
        self.query_bar = QueryBar(self.history, id="top")
        self.box = self.query_bar.box
        self.suggestion = self.query_bar.suggestion
        self.chips = self.query_bar.chips
        self.filters = FilterPanel(id="filters")
        self.pane = ResultsPane(id="results-pane")
        self.result_list = self.pane.list
        self.timeline = self.pane.timeline
        self.empty = self.pane.empty
        self.preview = ArticleView(id="preview")
        self.status = StatusBar(self.writes, id="status")
        yield self.query_bar
        with Horizontal(id="main"):
            yield self.filters
            yield self.pane
            yield self.preview
        yield self.status
        yield Footer()

    def on_mount(self) -> None:
        """Open the index in a thread; the search box is usable at once."""
        if self.start_theme in self.available_themes:
            self.theme = self.start_theme
        elif self.start_theme:
            themes = ", ".join(sorted(self.available_themes))
            self.notify(_("Unknown theme: {theme}. Themes: {themes}.").format(theme=self.start_theme,
                                                                             themes=themes),
                        severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self.outside.theme_chosen)
        box = self.box
        box.cursor_blink = self.cursor_blink
        box.focus()
        self.watch(box, "value", self._typed, init=False)
        self.pane.rendered_signal.subscribe(self, self.searches.rendered, immediate=True)
        self.pane.show_message(Content(_("Opening the index…")))
        self.status.show_text(_("Index: {path}").format(path=self.index_path))
        self.collector.start()
        self.set_interval(0.1, self.collector.tick)
        self.searches.open()

    async def on_event(self, event: events.Event) -> None:
        """Keys and the mouse keep the full garbage collections away (see `IdleCollector`)."""
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.collector.touch()
        await super().on_event(event)

    def on_unmount(self) -> None:
        """Keep the last query in the history (as Enter, an opened URL or a look of a few seconds
        do: see `looked_at`); stop a running write and the watch; close the index."""
        try:
            self.history.add(self.box.value)
        except Exception:  # noqa: BLE001 - the widgets may be gone already
            pass
        self.watch_index.stop()
        self.collector.stop()
        self.searches.close()

    # -- what the tests, benchmarks and screenshots look at -------------------------

    @property
    def index(self) -> Index | None:
        """The open index (None until it is opened)."""
        return self.searches.index

    @property
    def settled(self) -> bool:
        """Whether the results on screen answer what is typed (no search pending)."""
        return self.searches.settled(self.current_request())

    def current_request(self) -> Request:
        """What the user asks for right now: the box's query, the panel's filters, the sort."""
        return replace(self.filters.selected, query=self.box.value, sort=self.sort)

    def page_size(self) -> int:
        """Hits to ask for at first (`first_page`, else what fits in the list)."""
        return self.first_page if self.first_page is not None else self.pane.page_size()

    # -- searching -----------------------------------------------------------------

    def _typed(self, value: str) -> None:
        # a watcher, called as the key changes the value: the search starts before the box is
        # painted (an Input.Changed message would be handled after that paint)
        self.search_request(debounce=True)

    def search_request(self, *, debounce: bool = False, force: bool = False) -> None:
        """Search what the user asks for now (`debounce`: as they type; `force`: even if shown)."""
        request = self.current_request()
        self.chips.show(request)
        facets = self.filters.display or self.pane.timeline_wanted()
        if debounce:
            self.searches.typed(request, facets=facets, limit=self.page_size())
        else:
            self.searches.search(request, facets=facets, limit=self.page_size(), force=force)

    @on(SearchController.IndexOpened)
    def _index_opened(self) -> None:
        self.status.show_text(_("Index: {path}").format(path=self.index_path))
        self.search_request(force=True)
        self.watch_index.expect()
        self.watch_index.start()

    @on(SearchController.IndexFailed)
    def _index_failed(self, event: SearchController.IndexFailed) -> None:
        """The index cannot be opened: build it if there is a corpus, else say what to do."""
        error = event.error
        missing = isinstance(error, IndexNotFoundError) and not isinstance(error, NotAnIndexError)
        if missing and self.corpus_path.exists() and not self.writes.action:
            self.pane.show_titled(_("No index"), _("in {index}: building it from {corpus}…").format(
                index=self.index_path, corpus=self.corpus_path))
            self.writes.start("rebuild", searching=False)
            return
        message = missing_index_message(self.index_path, self.corpus_path) if missing else tui_error(error)
        self.notify(message, title=_("Index unavailable"), severity="error", timeout=15)
        self.pane.show_titled(_("Index unavailable"), message, apart=True)
        if not missing:
            self.status.show_text(_("Index unavailable: see the message."))
        elif self.corpus_path.exists():
            self.status.show_text(_("No index: Ctrl+R builds it from the corpus."))
        else:
            self.status.show_text(_("No index and no corpus: start again with --corpus PATH or --index "
                                    "PATH."))

    @on(SearchController.Answered)
    def _answered(self, event: SearchController.Answered) -> None:
        """Put an answer in the widgets (unless keys typed meanwhile made it stale)."""
        answer = event.answer
        request, results = answer.request, answer.results
        if request != self.current_request():
            return
        shown = self.searches.shown
        keep = self.result_list.highlighted if shown is not None and shown.request == request else None
        if results is None:
            self.pane.welcome(self.index_path)
            self.status.show_text(_("Index: {path} · sort: {sort}").format(path=self.index_path,
                                                                           sort=sort_label(request.sort)))
        else:
            self.pane.show_results(request, results, keep=keep, keep_id=self._keep_hit)
            self.set_timer(LOOKED_AT, lambda: self.looked_at(request))
        self._keep_hit = None
        self.suggestion.show_for(results)
        if answer.facets is not None or results is None:
            self.filters.show(answer.facets or {}, counted=results is not None)
            self.timeline.show(answer.facets or {})
        if results is None or not results.hits:
            self.preview.clear()
        self.searches.shown_now(answer)
        if results is not None:
            self.status.show_results(results, len(self.result_list.hits), timings=self.timings)

    def looked_at(self, request: Request) -> None:
        """Results left on screen for `LOOKED_AT` seconds: their query goes to the history."""
        if request == self.current_request() and self.settled:
            self.history.add(request.query)

    @on(SearchController.SearchFailed)
    def _search_failed(self, event: SearchController.SearchFailed) -> None:
        self.notify(tui_error(event.error), title=_("Search failed"), severity="error", timeout=8)
        self.status.show_text(_("The search failed: see the notification."))

    @on(SearchController.ResultsPainted)
    def _painted(self) -> None:
        self.collector.touch()

    @on(ResultList.NeedMore)
    def _need_more(self, event: ResultList.NeedMore) -> None:
        self.searches.load_more(event.loaded, self.more_page)

    @on(SearchController.MoreLoaded)
    def _more_loaded(self, event: SearchController.MoreLoaded) -> None:
        """Append a page if it still follows the shown list."""
        shown = self.searches.shown
        if event.page is None:
            self.notify(tui_error(event.error or RuntimeError("?")), severity="error")
        elif (shown is not None and shown.results is not None and event.offset == len(self.result_list.hits)
              and event.request == shown.request == self.current_request()):
            self.result_list.add_hits(event.page.hits)
            self.status.show_results(shown.results, len(self.result_list.hits), timings=self.timings)

    @on(IndexWatch.Changed)
    def _index_changed(self, event: IndexWatch.Changed) -> None:
        """Another process wrote the index: say what changed, search again, keep the user's place."""
        self.notify(event.text, title=_("Index updated"), timeout=6)
        current = self.result_list.current
        self._keep_hit = current.id if current is not None else None
        self.search_request(force=True)

    # -- the article ---------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        hit = self.result_list.current
        if hit is not None:
            self.searches.load_article(hit)

    @on(SearchController.ArticleLoaded)
    def _article_loaded(self, event: SearchController.ArticleLoaded) -> None:
        """Show the article if its hit is still the highlighted one."""
        if self.result_list.current is not event.hit:
            return
        if event.article is None:
            self.preview.clear(tui_error(event.error or RuntimeError("?")))
        else:
            self.preview.show(event.article, event.hit.highlights, duplicates=event.hit.duplicates)

    @on(OptionList.OptionSelected, "#results")
    @on(Input.Submitted, "#search")
    def open_article(self) -> None:
        """Enter: remember the query and move to the article."""
        self.history.add(self.box.value)
        if self.result_list.current is not None:
            self.preview.focus()

    @on(SearchBox.Move)
    def _move(self, event: SearchBox.Move) -> None:
        self.result_list.move_cursor(event.delta)

    # -- filters, timeline and sort -------------------------------------------------------

    def set_sort(self, sort: str) -> None:
        """Sort by "relevance", "-date" (newest first) or "date"."""
        self.sort = sort
        self.search_request()
        self.notify(_("Sort: {sort}").format(sort=sort_label(sort)), timeout=2)

    def action_toggle_sort(self) -> None:
        """s: relevance <-> newest first."""
        self.set_sort("-date" if self.sort == "relevance" else "relevance")

    def action_toggle_filters(self) -> None:
        """f: show (and focus) or hide the filter panel."""
        panel = self.filters
        panel.display = not panel.display
        if panel.display:
            if self._uncounted():
                panel.focus_when_counted()  # the counts were not asked for while it was hidden
                self.search_request(force=True)
            panel.focus_first()
        elif self.focused is None or panel in self.focused.ancestors:
            self.result_list.focus()

    def action_toggle_timeline(self) -> None:
        """t: show the timeline above the results and move into it; in it, hide it."""
        if self.pane.toggle_timeline() and self._uncounted():
            self.search_request(force=True)

    def _uncounted(self) -> bool:
        """Whether the results on screen came without their facet counts (not asked for then)."""
        shown = self.searches.shown
        return shown is not None and shown.results is not None and shown.facets is None

    @on(Timeline.Selected)
    def _period(self, event: Timeline.Selected) -> None:
        self.filters.set_dates(event.start, event.end)

    @on(FilterPanel.Changed)
    def _filtered(self, event: FilterPanel.Changed) -> None:
        self.search_request(debounce=not event.now)

    @on(ChipBar.Removed)
    def _chip_removed(self, event: ChipBar.Removed) -> None:
        self.filters.toggle(event.field, event.value)

    def action_remove_last_filter(self) -> None:
        """x: remove the filter added last (the date range first)."""
        if not self.filters.remove_last():
            self.notify(_("No active filter."), timeout=2)

    def clear_filters(self) -> None:
        """Remove every filter and the date range."""
        self.filters.clear()

    # -- rebuild and update ---------------------------------------------------------

    def action_rebuild(self) -> None:
        """Ctrl+R: rebuild the index from the corpus."""
        self.writes.start("rebuild", searching=self.index is not None)

    def action_update(self) -> None:
        """F5: update the index from the corpus."""
        self.writes.start("update", searching=self.index is not None)

    @on(WriteStatus.Progressed)
    def _building(self, event: WriteStatus.Progressed) -> None:
        if self.index is None:
            self.pane.show_titled(_("Building the index"), _("from {corpus}").format(corpus=self.corpus_path)
                                  + f"\n\n{event.label}")

    @on(WriteStatus.Finished)
    def _written(self) -> None:
        if self.index is None:
            self.searches.open()
        else:
            self.search_request(force=True)  # the engine reads the new index at its next search
            self.watch_index.expect()

    @on(WriteStatus.Failed)
    def _write_failed(self, event: WriteStatus.Failed) -> None:
        if self.index is None:
            self.pane.show_titled(event.title, event.message, apart=True)

    # -- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letter keys are for typing while a box has focus; Ctrl+D only with a suggestion."""
        if action in LETTER_ACTIONS and isinstance(self.focused, Input):
            return False
        if action == "accept_suggestion":
            return bool(self.suggestion.suggestion)
        return True

    def action_accept_suggestion(self) -> None:
        """Ctrl+D: search the suggested spelling (or, after a correction, the words as typed)."""
        self.query_bar.accept_suggestion()

    def action_focus_search(self) -> None:
        """/: back to the search box."""
        self.box.focus()

    def action_escape(self) -> None:
        """Esc: back to the search box; a second Esc clears it."""
        self.query_bar.escape()

    def action_help(self) -> None:
        """? / F1: the help screen."""
        self.push_screen(HelpScreen())

    def action_leave(self) -> None:
        """q: quit."""
        self.exit()

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette, in the language in use."""
        if not isinstance(self.screen, CommandPalette):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for a command…")))

    def action_open_url(self) -> None:
        """o: open the article's url in the browser (http and https only)."""
        self.outside.open_url(self.result_list.current)
        self.history.add(self.box.value)

    def action_copy_url(self) -> None:
        """y: copy the article's url."""
        self.outside.copy_url(self.result_list.current)
        self.history.add(self.box.value)

    def action_export(self, fmt: str = "csv") -> None:
        """e: export the current results to a file (CSV; Markdown or JSON from the palette)."""
        self.outside.export(self.index, self.current_request(), fmt)

    def action_save_alert(self) -> None:
        """a: save the current query (and its filters) as an alert."""
        self.outside.save_alert(self.current_request())
