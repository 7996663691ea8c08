"""Thin bars around the results: "Vouliez-vous dire", filter chips, and the status line."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.events import Click
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Label, Static

from .. import Results
from ..i18n import _, ngettext, number
from ..wording import field_name, notice_message, sort_label
from .request import Request

__all__ = ["Chip", "ChipBar", "StatusBar", "SuggestionBar"]


class SuggestionBar(Static):
    """"Vouliez-vous dire : …" when the engine has a suggestion, or "Résultats pour …" when
    it corrected a word; Ctrl+D or a click searches the suggestion (or the words as typed).

    The bar keeps its line when it has nothing to say: the results do not jump by a line
    (and the whole screen is not laid out again) each time a half-typed word gets a
    suggestion or loses it.
    """

    class Accepted(Message):
        """The user clicked the suggestion."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("", **kwargs)
        #: the query Ctrl+D puts in the box (None: nothing to offer)
        self.suggestion: str | None = None
        self._shown: Content = Content("")

    def show(self, suggestion: str | None) -> None:
        """Show `suggestion`, or nothing for None."""
        self._set(suggestion, Content.from_markup(
            _("Did you mean: [b u]$s[/]?  [dim](Ctrl+D accepts it)[/]"), s=suggestion
        ) if suggestion else Content(""))

    def show_for(self, results: Results | None) -> None:
        """What `results` offer: the words as typed when a word was corrected, else the
        engine's suggestion."""
        corrected = next((n for n in results.notices if n.code == "corrected"), None) if results else None
        if corrected is None:
            self.show(results.suggestion if results is not None else None)
            return
        self._set(corrected.params["as_typed"], Content.from_markup(
            _("Results for [b]$q[/].  [dim](Ctrl+D searches $t as typed)[/]"),
            q=corrected.params["query"], t=corrected.params["as_typed"]))

    def _set(self, suggestion: str | None, content: Content) -> None:
        self.suggestion = suggestion
        if content != self._shown:
            self._shown = content
            self.update(content, layout=False)

    def on_click(self, event: Click) -> None:
        """Accept the suggestion."""
        if self.suggestion:
            self.post_message(self.Accepted())


class Chip(Static):
    """One active filter; a click removes it."""

    def __init__(self, field: str, value: str, label: str) -> None:
        super().__init__(Content(f"{label} ✕"), classes="chip", markup=False)
        self.field = field
        self.value = value
        self.tooltip = _("Click to remove this filter (x: remove the last one)")

    def on_click(self, event: Click) -> None:
        """Ask the bar to remove this filter."""
        event.stop()
        self.post_message(ChipBar.Removed(self.field, self.value))


class ChipBar(Horizontal):
    """The active filters as removable chips; hidden when there is none."""

    class Removed(Message):
        """Remove this filter ("date" for the date range)."""

        def __init__(self, field: str, value: str) -> None:
            super().__init__()
            self.field = field
            self.value = value

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[object, ...] = ()
        self.display = False

    def show(self, request: Request) -> None:
        """Show the filters of `request`."""
        key = (request.filters, request.date_from, request.date_to)
        if key == self._shown:
            return
        self._shown = key
        self.remove_children()
        chips: list[Static] = [Label(_("Filters:"), classes="chips-label")]
        for field, value in request.filters:
            chips.append(Chip(field, value, _("{field}: {value}").format(field=field_name(field).capitalize(),
                                                                          value=value)))
        if request.date_from or request.date_to:
            start, end = request.date_from, request.date_to
            if start and end:
                label = (_("In {period}").format(period=start) if start == end else
                         _("From {start} to {end}").format(start=start, end=end))
            elif start:
                label = _("Since {start}").format(start=start)
            else:
                label = _("Until {end}").format(end=end)
            chips.append(Chip("date", "", label))
        self.display = len(chips) > 1
        if len(chips) > 1:
            self.mount_all(chips)


class StatusBar(Horizontal):
    """Count, time, sort and notes on the left; the progress of a rebuild on the right.

    Args:
        writes: the widget that runs and shows the rebuilds and updates.
    """

    COMPONENT_CLASSES = {"status-note"}

    def __init__(self, writes: Widget, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.writes = writes

    def compose(self) -> ComposeResult:
        """The text and the (hidden) progress of a write."""
        yield Static("", id="status-text", markup=False)
        yield self.writes

    def show_results(self, results: Results, loaded: int, *, timings: bool = True) -> None:
        """Show the figures of a result set (`loaded`: hits in the list; `timings`: the search time)
        and the sort the engine used (a query with nothing to rank by is listed newest first)."""
        parts = [ngettext("{n} result", "{n} results", results.total).format(n=number(results.total)),
                 _("sort: {sort}").format(sort=sort_label(results.sort)),
                 f"{results.took_ms:.0f} ms" if timings else "… ms"]
        if loaded and loaded < results.total:  # last: the first part a narrow screen cuts
            parts.append(_("{n} in the list, more as you scroll").format(n=number(loaded)))
        text = Content(" · ".join(parts))
        for warning in results.notices:  # (a correction has the line above the results)
            if getattr(warning, "code", "") not in ("empty", "corrected"):
                text += Content("  ⚠ " + notice_message(warning)).stylize(".status-note")
        self.query_one("#status-text", Static).update(text, layout=False)

    def show_text(self, text: str) -> None:
        """Show a plain message instead of figures."""
        self.query_one("#status-text", Static).update(Content(text), layout=False)
