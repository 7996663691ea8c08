"""The search app: a search box, the results, the article, filters — searches run in threads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, OptionList

from ._idle_gc import IdleCollector
from .article_view import ArticleView
from .commands import SearchCommands
from .filter_panel import FilterPanel
from .help_screen import HelpScreen
from .history import History
from .indexing import IndexingMixin
from .request import Request
from .result_list import EmptyState, ResultList
from .search_box import SearchBox
from .searching import ResultsPainted, SearchingMixin
from .status_bars import ChipBar, StatusBar, SuggestionBar
from .wording import SORT_LABELS

__all__ = ["SearchApp", "is_web_url"]

#: Actions bound to plain letters: off (and out of the footer) while typing in a box.
LETTER_ACTIONS = frozenset({"toggle_sort", "toggle_filters", "open_url", "copy_url", "remove_last_filter"})


def is_web_url(url: str) -> bool:
    """Whether `url` is an http or https address with a host (what `o` may open)."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


class SearchApp(SearchingMixin, IndexingMixin, App[None]):
    """Search French news as you type.

    Args:
        index: the index directory.
        corpus: the corpus it is built from (for rebuild and update).
        history: the query history file (None: kept in memory only).
        timings: show search times (off for reproducible snapshots).
        debounce: seconds to wait after a keystroke when searches are slow.
        lock_wait: seconds a rebuild waits for another writer before failing.
        cursor_blink: blink the search box cursor (off for snapshots).
        theme: a Textual theme name (None: the default).
    """

    CSS_PATH = "app.tcss"
    #: Hits of the first page: what fits in the list plus two, at most this (snippets cost); None: 15.
    first_page: int | None = None
    #: Hits of each further page (loaded as the cursor or the view nears the end).
    more_page = 40
    TITLE = "Recherche d’actualités"
    COMMANDS = {SearchCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quitter", priority=True),
        # priority: keys typed right after Tab go to the newly focused pane, not the old one
        Binding("tab", "focus_next", "Panneau suivant", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Panneau précédent", show=False, priority=True),
        Binding("q", "leave", "Quitter", show=False),
        Binding("f1", "help", "Aide", key_display="F1"),
        Binding("question_mark", "help", "Aide", show=False),
        Binding("slash", "focus_search", "Rechercher", show=False),
        Binding("escape", "escape", "Retour", show=False),
        Binding("s", "toggle_sort", "Tri"),
        Binding("f", "toggle_filters", "Filtres"),
        Binding("o", "open_url", "Ouvrir l’URL"),
        Binding("y", "copy_url", "Copier"),
        Binding("x", "remove_last_filter", "Retirer un filtre", show=False),
        Binding("ctrl+d", "accept_suggestion", "Accepter la suggestion", priority=True, show=False),
        Binding("ctrl+r", "rebuild", "Reconstruire", show=False),
        Binding("f5", "update", "Mettre à jour", show=False),
    ]

    ResultsPainted = ResultsPainted

    def __init__(self, index: Path, corpus: Path, *, history: Path | None = None, timings: bool = True,
                 debounce: float = 0.15, lock_wait: float = 10.0, cursor_blink: bool = True,
                 theme: str | None = None) -> None:
        super().__init__()
        self.index_path = Path(index)
        self.corpus_path = Path(corpus)
        self.history = History(history)
        self.timings = timings
        self.debounce = debounce
        self.lock_wait = lock_wait
        self.cursor_blink = cursor_blink
        self.start_theme = theme
        self.init_searching()
        self.init_indexing()
        self.collector = IdleCollector(busy=lambda: self._in_flight or self._timer is not None)

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Search box and bars on top; filters, results and article; status and keys below."""
        self.box = SearchBox(self.history, id="search",
                             placeholder="Rechercher…  (F1 aide · Ctrl+P commandes)")
        self.suggestion = SuggestionBar(id="suggestion")
        self.chips = ChipBar(id="chips")
        self.filters = FilterPanel(id="filters")
        self.result_list = ResultList(id="results")
        self.empty = EmptyState("", id="empty", markup=False)
        self.preview = ArticleView(id="preview")
        self.status = StatusBar(id="status")
        with Vertical(id="top"):
            yield self.box
            yield self.suggestion
            yield self.chips
        with Horizontal(id="main"):
            yield self.filters
            with Vertical(id="results-pane"):
                yield self.result_list
                yield self.empty
            yield self.preview
        yield self.status
        yield Footer()

    def on_mount(self) -> None:
        """Open the index in a thread; the search box is usable at once."""
        if self.start_theme in self.available_themes:
            self.theme = self.start_theme
        elif self.start_theme:
            themes = ", ".join(sorted(self.available_themes))
            self.notify(f"Thème inconnu : {self.start_theme}. Thèmes : {themes}.", severity="warning",
                        timeout=10)
        box = self.box
        box.cursor_blink = self.cursor_blink
        box.focus()
        self.watch(box, "value", self._typed, init=False)
        self.filters.display = False
        self.query_one("#results-pane").border_title = "Résultats"
        self.filters.border_title = "Filtres"
        self.preview.border_title = "Article"
        self.preview.clear()
        self.show_empty(Content("Ouverture de l’index…"))
        self.status.show_text(f"Index : {self.index_path}")
        self.collector.start()
        self.set_interval(0.1, self.collector.tick)
        self.open_index()

    async def on_event(self, event: events.Event) -> None:
        """Keys and the mouse keep the full garbage collections away (see `IdleCollector`)."""
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.collector.touch()
        await super().on_event(event)

    def _typed(self, value: str) -> None:
        # a watcher, called as the key changes the value: the search starts before the box is
        # painted (an Input.Changed message would be handled after that paint)
        self.request = self.current_request()
        self.schedule_search()

    @on(ResultList.NeedMore)
    def _need_more(self, event: ResultList.NeedMore) -> None:
        if self.shown is not None and self.shown == self.current_request() and self.index is not None:
            self.more_worker(self.shown, event.loaded)

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        hit = self.result_list.current
        if hit is not None:
            self.show_article(hit)

    @on(OptionList.OptionSelected, "#results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.open_article()

    def open_article(self) -> None:
        """Enter: remember the query and move to the article."""
        self.history.add(self.box.value)
        if self.result_list.current is not None:
            self.preview.focus()

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.open_article()

    @on(SearchBox.Move)
    def _move(self, event: SearchBox.Move) -> None:
        hits = self.result_list
        if hits.hits:
            start = hits.highlighted if hits.highlighted is not None else -1
            hits.highlighted = max(0, min(len(hits.hits) - 1, start + event.delta))

    # -- filters and sort ----------------------------------------------------------------

    def set_request(self, request: Request, *, now: bool = True) -> None:
        """Ask for `request` (its query is the box's) and search."""
        self.request = replace(request, query=self.box.value)
        self.chips.show(self.request)
        if now:
            self.search_now()
        else:
            self.schedule_search()

    def set_sort(self, sort: str) -> None:
        """Sort by "relevance", "-date" (newest first) or "date"."""
        self.set_request(replace(self.request, sort=sort))
        self.notify(f"Tri : {SORT_LABELS[sort]}", timeout=2)

    def action_toggle_sort(self) -> None:
        """s: relevance <-> newest first."""
        self.set_sort("-date" if self.request.sort == "relevance" else "relevance")

    def action_toggle_filters(self) -> None:
        """f: show (and focus) or hide the filter panel."""
        panel = self.filters
        panel.display = not panel.display
        if panel.display:
            if self.shown is not None and self.results is not None and not self.has_facets:
                self.focus_facets_later = True  # once the counts, not asked for while hidden, arrive
                self.search_now(force=True)
            self.focus_facets()
        elif self.focused is None or panel in self.focused.ancestors:
            self.result_list.focus()

    def focus_facets(self) -> None:
        """Focus the first facet list that has values (else the date range)."""
        for facet in self.filters.query(".facet-list"):
            if facet.display:
                facet.focus()
                return
        self.filters.query_one("#date-from").focus()

    @on(FilterPanel.Toggled)
    def _toggled(self, event: FilterPanel.Toggled) -> None:
        self.set_request(self.request.toggled(event.field, event.value))

    @on(FilterPanel.DatesChanged)
    def _dates(self, event: FilterPanel.DatesChanged) -> None:
        self.set_request(replace(self.request, date_from=event.date_from, date_to=event.date_to), now=False)

    @on(ChipBar.Removed)
    def _chip_removed(self, event: ChipBar.Removed) -> None:
        self.remove_filter(event.field, event.value)

    def remove_filter(self, field: str, value: str) -> None:
        """Remove one filter ("date": the date range)."""
        if field == "date":
            for box in ("#date-from", "#date-to"):
                self.filters.query_one(box, Input).value = ""
            self.set_request(replace(self.request, date_from="", date_to=""))
        else:
            self.set_request(self.request.toggled(field, value))

    def action_remove_last_filter(self) -> None:
        """x: remove the filter added last (the date range first)."""
        if self.request.date_from or self.request.date_to:
            self.remove_filter("date", "")
        elif self.request.filters:
            self.remove_filter(*self.request.filters[-1])
        else:
            self.notify("Aucun filtre actif.", timeout=2)

    def clear_filters(self) -> None:
        """Remove every filter and the date range."""
        for box in ("#date-from", "#date-to"):
            self.filters.query_one(box, Input).value = ""
        self.set_request(replace(self.request, filters=(), date_from="", date_to=""))

    # -- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Letter keys are for typing while a box has focus; Ctrl+D only with a suggestion."""
        if action in LETTER_ACTIONS and isinstance(self.focused, Input):
            return False
        if action == "accept_suggestion":
            return bool(self.suggestion.suggestion)
        return True

    def action_accept_suggestion(self) -> None:
        """Ctrl+D: search the suggested spelling."""
        suggestion = self.suggestion.suggestion
        if suggestion:
            box = self.box
            box.value = suggestion
            box.cursor_position = len(suggestion)
            box.focus()

    @on(SuggestionBar.Accepted)
    def _suggestion_clicked(self) -> None:
        self.action_accept_suggestion()

    def action_focus_search(self) -> None:
        """/: back to the search box."""
        self.box.focus()

    def action_escape(self) -> None:
        """Esc: back to the search box; a second Esc clears it."""
        box = self.box
        if self.focused is not box:
            box.focus()
        elif box.value:
            box.value = ""

    def action_help(self) -> None:
        """? / F1: the help screen."""
        self.push_screen(HelpScreen())

    def action_leave(self) -> None:
        """q: quit."""
        self.exit()

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette, in French."""
        if not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(CommandPalette(id="--command-palette", placeholder="Chercher une commande…"))

    def action_pick_theme(self) -> None:
        """Choose a theme in a palette."""
        from textual.theme import ThemeProvider

        self.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Chercher un thème…"))

    def action_screenshot_svg(self) -> None:
        """Save an SVG screenshot in the current folder."""
        path = self.save_screenshot()
        self.notify(f"Capture enregistrée : {path}", timeout=5)

    def _url(self) -> str | None:
        hit = self.result_list.current
        if hit is None:
            self.notify("Aucun article sélectionné.", severity="warning", timeout=3)
            return None
        if not hit.url:
            self.notify("Cet article n’a pas d’URL.", severity="warning", timeout=3)
            return None
        return hit.url

    def action_open_url(self) -> None:
        """o: open the article's url in the browser (only http and https: a corpus may hold
        any text in its urls, `file:` or `javascript:` ones too)."""
        url = self._url()
        if url and not is_web_url(url):
            self.notify(f"Seules les adresses http et https s’ouvrent : {url}", severity="warning",
                        timeout=4)
        elif url:
            self.open_url(url)
            self.notify(f"Ouverture dans le navigateur : {url}", timeout=3)

    def action_copy_url(self) -> None:
        """y: copy the article's url."""
        url = self._url()
        if url:
            self.copy_to_clipboard(url)
            self.notify(f"URL copiée : {url}", timeout=3)

    def on_unmount(self) -> None:
        """Keep the last query in the history; stop a running write; close the index."""
        try:
            self.history.add(self.box.value)
        except Exception:  # noqa: BLE001 - the widgets may be gone already
            pass
        self.stop_write()
        self.collector.stop()
        if self.index is not None:
            self.index.close()
