"""The timeline above the results: matching articles per month (or year) as bars; a click, or
Enter on the cursor, filters that period; Shift+click or Shift+←/→ a span of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from .. import FacetCount
from ..i18n import N_, _, date_text, ngettext, number
from ..timeline import Period, periods
from .wording import localize_bindings

__all__ = ["Timeline"]

_LEVELS = " ▁▂▃▄▅▆▇█"
#: The widest column of one period.
MAX_COLUMN = 3


class Timeline(Widget, can_focus=True):
    """Bars of the matching articles per period, oldest on the left (two lines of bars, one of
    labels). The focused timeline has a cursor; `Selected` asks for a period filter."""

    COMPONENT_CLASSES = {"timeline--bar", "timeline--cursor", "timeline--label", "timeline--empty"}
    BINDINGS = [
        Binding("left", "move(-1)", N_("Earlier"), show=False),
        Binding("right", "move(1)", N_("Later"), show=False),
        Binding("shift+left", "extend(-1)", N_("Widen to the left"), show=False),
        Binding("shift+right", "extend(1)", N_("Widen to the right"), show=False),
        Binding("enter", "select", N_("Filter this period")),
    ]

    class Selected(Message):
        """Filter the period from `start` to `end` (each `YYYY` or `YYYY-MM`)."""

        def __init__(self, start: str, end: str) -> None:
            super().__init__()
            self.start = start
            self.end = end

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.periods: list[Period] = []
        self.cursor = -1
        self.span_start = -1
        self._armed = False

    def allow_focus(self) -> bool:
        """Out of the Tab order (Tab goes from the box to the list): focused by `t` (`enter`)."""
        return self._armed

    def enter(self) -> None:
        """Take the focus (the `t` key)."""
        self._armed = True
        self.focus()

    # -- data -------------------------------------------------------------------

    def show(self, facets: Mapping[str, Sequence[FacetCount]]) -> None:
        """Draw the counts of these facets ("month", else "year")."""
        width = max(self.content_region.width, 12)
        found = periods(facets, width)
        if [p.value for p in found] != [p.value for p in self.periods]:
            self.cursor = self.span_start = len(found) - 1
        self.periods = found
        self.refresh()

    def column_width(self) -> int:
        """Cells per period."""
        if not self.periods:
            return 1
        return max(1, min(MAX_COLUMN, self.content_region.width // len(self.periods)))

    def period_at(self, x: int) -> int:
        """The period under column `x` of the content (-1: none)."""
        index = x // self.column_width()
        return index if 0 <= index < len(self.periods) else -1

    # -- drawing ----------------------------------------------------------------

    def render(self) -> Content:
        """Two lines of bars, then the years and the cursor's period with its count."""
        if not self.periods:
            return Content(_("No dated article among the results.")).stylize(".timeline--empty")
        width = self.column_width()
        peak = max(p.count for p in self.periods) or 1
        low, high = sorted((self.span_start, self.cursor))
        focused = self.has_focus
        top: list[Content] = []
        bottom: list[Content] = []
        for i, period in enumerate(self.periods):
            eighths = round(period.count * 16 / peak)
            if period.count and not eighths:
                eighths = 1
            style = ".timeline--cursor" if focused and low <= i <= high else ".timeline--bar"
            top.append(Content(_LEVELS[max(eighths - 8, 0)] * width).stylize(style))
            bottom.append(Content(_LEVELS[min(eighths, 8)] * width).stylize(style))
        return Content("\n").join([Content("").join(top), Content("").join(bottom), self._labels(width)])

    def _labels(self, width: int) -> Content:
        """The year under its first period, and on the right what the cursor points at."""
        cells = [" "] * (width * len(self.periods))
        every = -(-5 // width)  # years: a label every few columns, where four digits fit
        for i, period in enumerate(self.periods):
            if period.is_month and not (i == 0 or period.value.endswith("-01")):
                continue
            if not period.is_month and i % every:
                continue
            label = period.value[:4]
            at = i * width
            if at + len(label) <= len(cells) and all(c == " " for c in cells[max(at - 1, 0):at + len(label)]):
                cells[at:at + len(label)] = label
        labels = "".join(cells).rstrip()
        info = self.describe()
        room = self.content_region.width - len(labels) - 2
        if info and room >= len(info):
            labels = labels + " " * (room - len(info) + 2) + info
        return Content(labels).stylize(".timeline--label")

    def describe(self) -> str:
        """The cursor's period (or span) and how many articles it holds."""
        if not (0 <= self.cursor < len(self.periods)):
            return ""
        low, high = sorted((self.span_start, self.cursor))
        count = sum(p.count for p in self.periods[low:high + 1])
        span = _period_name(self.periods[low])
        if high > low:
            span = _("{start} to {end}").format(start=span, end=_period_name(self.periods[high]))
        return ngettext("{period}: {n} article", "{period}: {n} articles", count).format(period=span,
                                                                                    n=number(count))

    # -- moving and choosing --------------------------------------------------------

    def action_move(self, step: int) -> None:
        """Move the cursor (the span shrinks to it)."""
        if self.periods:
            self.cursor = max(0, min(len(self.periods) - 1, self.cursor + step))
            self.span_start = self.cursor
            self.refresh()

    def action_extend(self, step: int) -> None:
        """Widen (or narrow) the span from its anchor."""
        if self.periods:
            self.cursor = max(0, min(len(self.periods) - 1, self.cursor + step))
            self.refresh()

    def action_select(self) -> None:
        """Filter the span under the cursor."""
        if 0 <= self.cursor < len(self.periods):
            low, high = sorted((self.span_start, self.cursor))
            self.post_message(self.Selected(self.periods[low].value, self.periods[high].value))

    def on_click(self, event: events.Click) -> None:
        """A click filters its period; Shift+click the span from the cursor to it."""
        index = self.period_at(event.x - self.gutter.left)
        if index < 0:
            return
        if not event.shift:
            self.span_start = index
        self.cursor = index
        self.refresh()
        self.action_select()

    def on_focus(self) -> None:
        """Show the cursor."""
        self.refresh()

    def on_blur(self) -> None:
        """Hide the cursor; out of the Tab order again."""
        self._armed = False
        self.refresh()


def _period_name(period: Period) -> str:
    if period.is_month:
        return date_text(datetime(int(period.value[:4]), int(period.value[5:7]), 1)).split(" ", 1)[1]
    return period.value
