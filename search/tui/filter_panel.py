"""The filter panel: facet counts (sources, rubriques, years) to click, and a date range."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.css.styles import RulesMap
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from .. import FacetCount
from ..i18n import N_, _, number
from .request import Request, valid_date
from .wording import localize_bindings

__all__ = ["FacetList", "FacetRow", "FilterPanel"]

FACETS = (("source", N_("Sources")), ("tags", N_("Rubriques")), ("year", N_("Years")))


class FacetRow(Visual):
    """One facet value: a check mark when active, the value, and its count on the right."""

    def __init__(self, value: str, count: int, active: bool) -> None:
        self.value = value
        self.count = count
        self.active = active

    def line(self, width: int) -> Content:
        """The row laid out in `width` cells."""
        mark = Content("✓ ").stylize(".facet-active") if self.active else Content("  ")
        count = Content(" " + number(self.count)).stylize(".facet-count")
        room = max(width - mark.cell_length - count.cell_length, 1)
        label = Content(self.value)
        if self.active:
            label = label.stylize(".facet-active")
        label = label.truncate(room, ellipsis=True, pad=True)
        return mark + label + count

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        """Render the row (Visual protocol)."""
        return self.line(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """As wide as the panel."""
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        """One line."""
        return 1


class FacetList(OptionList):
    """The values of one facet field with their counts; Enter or a click toggles a filter."""

    COMPONENT_CLASSES = {"facet-active", "facet-count"}
    BINDINGS = [Binding("j", "cursor_down", show=False), Binding("k", "cursor_up", show=False)]

    def __init__(self, field: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.field = field
        self.values: list[str] = []

    def show(self, counts: Sequence[FacetCount], active: Sequence[str]) -> None:
        """Show these counts; active values first if they have no count any more."""
        keep = self.values[self.highlighted] if self.highlighted is not None and self.values else None
        rows = [(c.value, c.count) for c in counts]
        seen = {v for v, _ in rows}
        rows = [(v, 0) for v in active if v not in seen] + rows
        self.values = [v for v, _ in rows]
        self.set_options([Option(FacetRow(v, n, v in active)) for v, n in rows])
        if keep in self.values:
            self.highlighted = self.values.index(keep)
        elif rows:
            self.highlighted = 0
        self.display = bool(rows)


class FilterPanel(VerticalScroll):
    """Facets to filter by, and the date range; toggled with `f`.

    The panel owns the active filters and the date range (`selected`, a `Request` with no
    query), shown or hidden: facets, chips and keys change them through its methods, and it
    posts `Changed` after each change.
    """

    class Changed(Message):
        """The active filters or the date range changed (`now`: search at once; else as keys typed)."""

        def __init__(self, *, now: bool = True) -> None:
            super().__init__()
            self.now = now

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: The active filters, in the order they were added, and the date range (no query, no sort).
        self.selected = Request()
        self._focus_when_counted = False

    def on_mount(self) -> None:
        """Titled, and hidden until `f`."""
        self.border_title = _("Filters")
        self.display = False

    def compose(self) -> ComposeResult:
        """A list per facet, then the date range."""
        for field, title in FACETS:
            yield Label(_(title), classes="facet-title", id=f"facet-title-{field}")
            yield FacetList(field, id=f"facet-{field}", classes="facet-list")
        yield Label(_("Period"), classes="facet-title")
        yield Label(_("a year, a month or a day: 2023, 2023-03, 2023-03-10"), classes="date-help",
                    markup=False)
        hint = _("YYYY-MM-DD")
        for input_id, label in (("date-from", _("from")), ("date-to", _("to"))):
            with Horizontal(classes="date-row"):
                yield Label(label, classes="date-label")
                yield Input(placeholder=hint, id=input_id, classes="date-input", max_length=10)

    def show(self, facets: Mapping[str, Sequence[FacetCount]], *, counted: bool = True) -> None:
        """Show the counts of the current results (the active filters stay listed); `counted`:
        they were counted (not a blank screen), the moment to focus if `focus_when_counted`."""
        selected = self.selected
        for field, _title in FACETS:
            active = [v for f, v in selected.filters if f == field]
            self.query_one(f"#facet-{field}", FacetList).show(facets.get(field, ()), active)
            self.query_one(f"#facet-title-{field}", Label).display = bool(facets.get(field) or active)
        for input_id, value in (("#date-from", selected.date_from), ("#date-to", selected.date_to)):
            box = self.query_one(input_id, Input)
            if not box.has_focus and box.value != value:
                box.value = value
        if counted and self._focus_when_counted:
            self._focus_when_counted = False
            self.focus_first()

    def focus_first(self) -> None:
        """Focus the first facet list that has values (else the date range)."""
        for facet in self.query(".facet-list"):
            if facet.display:
                facet.focus()
                return
        self.query_one("#date-from").focus()

    def focus_when_counted(self) -> None:
        """Focus the first facet list again once the counts (asked for now) are shown."""
        self._focus_when_counted = True

    def toggle(self, field: str, value: str) -> None:
        """Add the filter `field` = `value`, or remove it if it is active ("date": the date range)."""
        if field == "date":
            for box in ("#date-from", "#date-to"):
                self.query_one(box, Input).value = ""
            self._select(replace(self.selected, date_from="", date_to=""))
        else:
            self._select(self.selected.toggled(field, value))

    def set_dates(self, start: str, end: str) -> None:
        """Filter the period from `start` to `end` (the timeline's choice)."""
        for box, value in (("#date-from", start), ("#date-to", end)):
            self.query_one(box, Input).value = value
        self._select(replace(self.selected, date_from=start, date_to=end))

    def remove_last(self) -> bool:
        """Remove the filter added last (the date range first); False if there is none."""
        selected = self.selected
        if selected.date_from or selected.date_to:
            self.toggle("date", "")
        elif selected.filters:
            self.toggle(*selected.filters[-1])
        else:
            return False
        return True

    def clear(self) -> None:
        """Remove every filter and the date range."""
        for box in ("#date-from", "#date-to"):
            self.query_one(box, Input).value = ""
        self._select(replace(self.selected, filters=(), date_from="", date_to=""))

    def _select(self, selected: Request, *, now: bool = True) -> None:
        self.selected = selected
        self.post_message(self.Changed(now=now))

    @on(OptionList.OptionSelected, ".facet-list")
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        facet = event.option_list
        assert isinstance(facet, FacetList)
        self.toggle(facet.field, facet.values[event.option_index])

    @on(Input.Changed, ".date-input")
    def _dates(self, event: Input.Changed) -> None:
        event.stop()
        event.input.set_class(not valid_date(event.value), "-invalid")
        start = self.query_one("#date-from", Input).value.strip()
        end = self.query_one("#date-to", Input).value.strip()
        if valid_date(start) and valid_date(end):
            self._select(replace(self.selected, date_from=start, date_to=end), now=False)

    @on(Input.Submitted, ".date-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not valid_date(event.value):
            self.notify(_("Invalid date: write 2024, 2024-03 or 2024-03-15."), severity="warning")
