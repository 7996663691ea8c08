"""The results list: one card per hit (title, date, source, rubriques, snippet), loaded page by page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.css.styles import RulesMap
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from .. import Hit
from ._wrap import wrap_offsets
from .wording import french_date

__all__ = ["CardLayout", "EmptyState", "HitCard", "ResultList", "styled"]

#: Ask for the next page when the cursor gets this close to the last loaded hit.
MORE_AHEAD = 8


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
        meta_parts = [french_date(hit.date), hit.source, ", ".join(hit.tags)]
        if not hit.all_words:
            meta_parts.append("une partie des mots")
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


def _tell_rendered(widget: Widget) -> None:
    rendered = getattr(widget.app, "results_rendered", None)
    if rendered is not None:
        rendered()


class EmptyState(Static):
    """The message shown in place of the results list (welcome, no result, errors)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render, and tell the app (as the list does)."""
        lines = super().render_lines(crop)
        _tell_rendered(self)
        return lines


class ResultList(OptionList):
    """The hits of the current search, a page at a time: asks for more near the end."""

    COMPONENT_CLASSES = {"hit-title", "hit-meta", "hit-snippet", "hit-match"}
    BINDINGS = [
        Binding("j", "cursor_down", "Suivant", show=False),
        Binding("k", "cursor_up", "Précédent", show=False),
        Binding("g", "first", "Premier", show=False),
        Binding("G", "last", "Dernier", show=False),
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

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
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

    def add_hits(self, hits: Sequence[Hit]) -> None:
        """Append the next page."""
        if not hits:
            return
        self.hits.extend(hits)
        self.add_options(self._make_options(hits))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render, and tell the app (it times keystroke to results painted)."""
        lines = super().render_lines(crop)
        _tell_rendered(self)
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
