"""The query bar: the search box (history on ↑, list moves on ↑/↓ like fzf), the suggestion, the chips."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

from ..i18n import N_, _
from .history import History
from .status_bars import ChipBar, SuggestionBar
from .wording import localize_bindings

__all__ = ["QueryBar", "SearchBox"]


class SearchBox(Input):
    """Type a query; ↑ in the empty box walks the history, otherwise ↑/↓ move in the results."""

    BINDINGS = [
        Binding("up", "up", N_("History / previous result"), show=False),
        Binding("down", "down", N_("Next result"), show=False),
        Binding("pageup", "move(-10)", show=False),
        Binding("pagedown", "move(10)", show=False),
    ]

    class Move(Message):
        """Move the results cursor by `delta` rows."""

        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    #: The box's size comes from the layout: a longer value changes only what scrolls inside.
    #: (Textual lays the whole screen out again when a virtual size changes: at every key.)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, history: History, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.history = history
        self._recalled: str | None = None

    def _recall(self, text: str) -> None:
        self._recalled = text
        self.value = text
        self.cursor_position = len(text)

    def action_up(self) -> None:
        """Previous history entry when the box is empty (or already browsing), else move up."""
        if not self.value or (self.history.browsing and self.value == self._recalled):
            entry = self.history.previous()
            if entry is not None:
                self._recall(entry)
            return
        self.post_message(self.Move(-1))

    def action_down(self) -> None:
        """Next history entry while browsing, else move down in the results."""
        if self.history.browsing and self.value == self._recalled:
            self._recall(self.history.next())
            return
        self.post_message(self.Move(1))

    def action_move(self, delta: int) -> None:
        """Move the results cursor by `delta`."""
        self.post_message(self.Move(delta))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.value != self._recalled:
            self.history.reset()
            self._recalled = None


class QueryBar(Vertical):
    """The search box, "Vouliez-vous dire : …" under it, and the active filters as chips.

    Args:
        history: the query history (↑ in the empty box).
    """

    def __init__(self, history: History, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.box = SearchBox(history, id="search", placeholder=_("Search…  (F1 help · Ctrl+P commands)"))
        self.suggestion = SuggestionBar(id="suggestion")
        self.chips = ChipBar(id="chips")

    def compose(self) -> ComposeResult:
        """The box, the suggestion line, the chips."""
        yield self.box
        yield self.suggestion
        yield self.chips

    @on(SuggestionBar.Accepted)
    def accept_suggestion(self) -> None:
        """Search the suggested spelling (Ctrl+D, or a click on it)."""
        suggestion = self.suggestion.suggestion
        if suggestion:
            self.box.value = suggestion
            self.box.cursor_position = len(suggestion)
            self.box.focus()

    def escape(self) -> None:
        """Back to the search box; in the box, clear it."""
        if not self.box.has_focus:
            self.box.focus()
        elif self.box.value:
            self.box.value = ""
