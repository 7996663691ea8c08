"""The results pane: one card per hit (title, date, source, rubriques, snippet), or a message in its place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.signal import Signal
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from .. import Hit, Results
from ..i18n import N_, _, date_text
from ..query_help import EXAMPLES
from ..wording import notice_message
from ._wrap import wrap_offsets
from .request import Request
from .timeline_bar import Timeline
from .wording import localize_bindings

__all__ = ["CardLayout", "EmptyState", "HitCard", "ResultList", "ResultsPane", "no_results_message", "styled"]

#: Ask for the next page when the cursor gets this close to the last loaded hit.
MORE_AHEAD = 8
#: Terminals at least this tall show the timeline at first (`t` shows or hides it).
TIMELINE_ROWS = 30


def styled(text: str, spans: Iterable[tuple[int, int]], base: str, match: str) -> Content:
    """`text` in the `base` style with each span in the `match` style (component class names)."""
    content = Content(text)
    if base:
        content = content.stylize(base)
    for start, end in spans:
        if 0 <= start < end <= len(text):
            content = content.stylize(match, start, end)
    return content


@dataclass
class CardLayout:
    """Shared by the cards of one list: how many snippet lines to show."""

    snippet_lines: int = 2


class HitCard(Visual):
    """A Visual for one hit, laid out for the width it is given.

    Line 1 the title, line 2 date · source · rubriques, then the snippet cut to
    `layout.snippet_lines` lines with an ellipsis; matches use the `.hit-match` style.
    """

    def __init__(self, hit: Hit, layout: CardLayout) -> None:
        self.hit = hit
        self.card_layout = layout
        self._cache: tuple[tuple[int, int], list[Content]] | None = None

    def lines(self, width: int) -> list[Content]:
        """The card's lines for this width (each fits in it)."""
        key = (width, self.card_layout.snippet_lines)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        hit = self.hit
        width = max(width, 4)
        title = styled(hit.title, hit.title_spans(), ".hit-title", ".hit-match")
        meta_parts = [date_text(hit.date), hit.source, ", ".join(hit.tags)]
        if hit.also_in:  # the copies of a duplicate filed elsewhere
            meta_parts.append(_("also in: {rubriques}").format(rubriques=", ".join(hit.also_in)))
        if not hit.all_words:
            meta_parts.append(_("some of the words"))
        meta = Content(" · ".join(p for p in meta_parts if p)).stylize(".hit-meta")
        out = [title.truncate(width, ellipsis=True), meta.truncate(width, ellipsis=True)]
        snippet = hit.snippet.replace("\n", " ")
        if snippet and self.card_layout.snippet_lines > 0:
            body = styled(snippet, hit.snippet_spans, ".hit-snippet", ".hit-match")
            wrapped = wrap_offsets(snippet, width)
            shown = wrapped[: self.card_layout.snippet_lines]
            for i, (start, end) in enumerate(shown):
                line = body[start:end]
                if i == len(shown) - 1 and len(wrapped) > len(shown):
                    line = line.truncate(width - 1) + Content("…").stylize(".hit-snippet")
                out.append(line)
        self._cache = (key, out)
        return out

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        """Render the card (part of the Visual protocol). Its lines fit the width already:
        each becomes a strip as it is, without Textual's wrapping (a third of the list's paint)."""
        strips = []
        for line in self.lines(width)[:height]:
            segments = [Segment(text, (style + text_style).rich_style)
                        for text, text_style in line.render(style, "", parse_style=options.get_style)]
            strips.append(Strip(segments, line.cell_length))
        return strips

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        """As wide as the list."""
        return container_width

    def get_height(self, rules: RulesMap, width: int) -> int:
        """Lines of the card at this width."""
        return len(self.lines(width))


class EmptyState(Static):
    """The message shown in place of the results list (welcome, no result, errors).

    Args:
        rendered: published each time the message is rendered (default: a signal of its own).
    """

    def __init__(self, *args: Any, rendered: Signal[None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rendered: Signal[None] = rendered or Signal(self, "rendered")

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render, and say so (as the list does)."""
        lines = super().render_lines(crop)
        self.rendered.publish(None)
        return lines


class ResultList(OptionList):
    """The hits of the current search, a page at a time: asks for more near the end.

    Args:
        rendered: published each time the list is rendered (default: a signal of its own); the app
            times keystroke to results painted with it.
    """

    COMPONENT_CLASSES = {"hit-title", "hit-meta", "hit-snippet", "hit-match"}
    BINDINGS = [
        Binding("j", "cursor_down", N_("Next"), show=False),
        Binding("k", "cursor_up", N_("Previous"), show=False),
        Binding("g", "first", N_("First"), show=False),
        Binding("G", "last", N_("Last"), show=False),
    ]

    class NeedMore(Message):
        """The user is near the last loaded hit and more exist."""

        def __init__(self, results: ResultList, loaded: int) -> None:
            super().__init__()
            self.results = results
            self.loaded = loaded

    #: The list's size comes from the layout (it fills its pane): a new result set changes only
    #: what scrolls inside (and the scrollbar, which `_scroll_update` refreshes). Textual lays
    #: the whole screen out again when a virtual size changes; here a repaint is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, rendered: Signal[None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.rendered: Signal[None] = rendered or Signal(self, "rendered")
        self.hits: list[Hit] = []
        self.total = 0
        self.card_layout = CardLayout()
        self._asked_at = -1

    @property
    def current(self) -> Hit | None:
        """The highlighted hit."""
        index = self.highlighted
        return self.hits[index] if index is not None and 0 <= index < len(self.hits) else None

    def show_hits(self, hits: Sequence[Hit], total: int) -> None:
        """Replace the list with a new result set and highlight its first hit."""
        self.hits = list(hits)
        self.total = total
        self._asked_at = -1
        self.set_options(self._make_options(hits))
        self.highlighted = 0 if hits else None

    def move_cursor(self, delta: int) -> None:
        """Move the highlight by `delta` hits (from before the first when none is highlighted)."""
        if self.hits:
            start = self.highlighted if self.highlighted is not None else -1
            self.highlighted = max(0, min(len(self.hits) - 1, start + delta))

    def add_hits(self, hits: Sequence[Hit]) -> None:
        """Append the next page."""
        if not hits:
            return
        self.hits.extend(hits)
        self.add_options(self._make_options(hits))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render, and say so."""
        lines = super().render_lines(crop)
        self.rendered.publish(None)
        return lines

    def set_snippet_lines(self, count: int) -> None:
        """Show `count` snippet lines per card (the cards are laid out again)."""
        if count != self.card_layout.snippet_lines:
            self.card_layout.snippet_lines = count
            highlighted = self.highlighted
            self.set_options(self._make_options(self.hits))
            self.highlighted = highlighted

    def on_resize(self) -> None:
        """One snippet line per card on a small terminal, two otherwise."""
        small = self.app.size.width < 100 or self.app.size.height < 30
        self.set_snippet_lines(1 if small else 2)

    def _make_options(self, hits: Iterable[Hit]) -> list[Option | None]:
        out: list[Option | None] = []
        for hit in hits:
            out.append(Option(HitCard(hit, self.card_layout)))
            out.append(None)
        return out

    def _ask_more(self) -> None:
        if len(self.hits) < self.total and self._asked_at != len(self.hits):
            self._asked_at = len(self.hits)
            self.post_message(self.NeedMore(self, len(self.hits)))

    @on(OptionList.OptionHighlighted)
    def _near_end(self, event: OptionList.OptionHighlighted) -> None:
        # not for the first hit, which a new result set highlights: the next page waits for a move
        if 0 < event.option_index >= len(self.hits) - MORE_AHEAD:
            self._ask_more()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        """Ask for more when the user scrolls the view near the bottom (not when a new result
        set puts it back at the top: that page would cost as much as the search)."""
        super().watch_scroll_y(old_value, new_value)
        if self.hits and new_value > old_value and new_value >= self.max_scroll_y - self.size.height:
            self._ask_more()


class ResultsPane(Vertical):
    """The results list, or a message in its place: welcome, no result, errors.

    `rendered_signal` is published each time the list or the message is rendered: the
    screen update that holds a new result set is written before the event loop runs
    anything else.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rendered_signal: Signal[None] = Signal(self, "rendered")
        self.list = ResultList(id="results", rendered=self.rendered_signal)
        self.empty = EmptyState("", id="empty", markup=False, rendered=self.rendered_signal)
        self.timeline = Timeline(id="timeline")
        self._timeline_chosen: bool | None = None

    def compose(self) -> ComposeResult:
        """The list or the message (one of them shown), and the timeline docked above them (last in
        the Tab order: Tab goes from the search box to the list)."""
        yield self.list
        yield self.empty
        yield self.timeline

    def on_mount(self) -> None:
        """The pane's title; the timeline waits for results."""
        self.border_title = _("Results")
        self.timeline.display = False

    def timeline_wanted(self) -> bool:
        """Whether the timeline should show with results: the user's choice (`t`), else on a
        terminal tall enough."""
        if self._timeline_chosen is not None:
            return self._timeline_chosen
        return self.app.size.height >= TIMELINE_ROWS

    def on_resize(self) -> None:
        """Show the timeline when the terminal grows tall enough, unless the user chose."""
        self.timeline.display = self.timeline_wanted() and self.list.display

    def toggle_timeline(self) -> bool:
        """`t`: show the timeline and move into it; in it, hide it (the list takes the focus).
        Returns whether it is shown now."""
        if self.timeline.display and self.timeline.has_focus:
            self.show_timeline(False)
            self.list.focus()
            return False
        self.show_timeline(True)
        if not self.list.display:
            self.timeline.display = False  # nothing to count yet: shown with the next results
            return False
        self.timeline.enter()
        return True

    def show_timeline(self, shown: bool) -> None:
        """Show or hide the timeline (the user's choice: kept whatever the size)."""
        self._timeline_chosen = shown
        self.timeline.display = shown

    def page_size(self) -> int:
        """Hits to ask for at first: the cards that fit in the pane, plus two (6 to 30)."""
        card = 3 + self.list.card_layout.snippet_lines  # title, meta, snippet, rule
        return min(max(6, self.size.height // card + 2), 30)

    def show_message(self, content: Content) -> None:
        """Show `content` in place of the list (and of the timeline: nothing to count)."""
        self.list.display = False
        self.timeline.display = False
        self.empty.update(content)
        self.empty.display = True

    def show_titled(self, title: str, text: str, *, apart: bool = False) -> None:
        """Show a bold `title` and `text` in place of the list (`apart`: on their own lines)."""
        self.show_message(Content.assemble((title, "bold"), "\n\n" if apart else " ", text))

    def welcome(self, index: Path | str) -> None:
        """Nothing typed, no filter: what to type, with examples."""
        self.list.show_hits([], 0)
        self.show_message(Content.assemble(
            (_("Type to search"), "bold"),
            " " + _("the articles of the index ({index}).").format(index=index),
            "\n\n", (_("Examples: "), "dim"), " · ".join(e.replace(" ", "\u00a0") for e in EXAMPLES), "\n\n",
            (_("↑ in the empty box: earlier queries · F1: help · Ctrl+P: commands"), "dim")))

    def show_results(self, request: Request, results: Results, *, keep: int | None = None,
                     keep_id: str | None = None) -> None:
        """Show a result set, its first hit highlighted (or the hit at `keep`, or the hit with id
        `keep_id` when it is still there), or what to try when it is empty."""
        hits = self.list
        hits.show_hits(results.hits, results.total)
        ids = [h.id for h in hits.hits]
        if keep_id is not None and keep_id in ids:
            hits.highlighted = ids.index(keep_id)
        elif keep is not None and 0 < keep < len(hits.hits):
            hits.highlighted = keep
        if results.hits:
            hits.display = True
            self.empty.display = False
            self.timeline.display = self.timeline_wanted()
        else:
            self.show_message(no_results_message(request, results))


def no_results_message(request: Request, results: Results) -> Content:
    """The message of a search that found nothing, with what to try."""
    query = request.query.strip()
    parts: list[Content | tuple[str, str] | str] = [
        (_("No result"), "bold"), " " + _("for “{query}”.").format(query=query) if query else "."]
    if results.suggestion:
        parts += ["\n\n" + _("Did you mean") + " ", (results.suggestion, "bold underline"), _("? (Ctrl+D)")]
    if request.filters or request.date_from or request.date_to:
        parts.append("\n\n" + _("Filters are active: x (outside the box) removes the last one."))
    for warning in results.notices:
        if getattr(warning, "code", "") != "empty":
            parts += ["\n\n", (notice_message(warning), "italic")]
    parts += ["\n\n", (_("Try fewer words, a prefix (électri*) or a typo allowed (gouvernemant~)."), "dim")]
    return Content.assemble(*parts)
