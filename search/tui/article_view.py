"""The article view: the whole article, every match highlighted, n / N to jump between them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widgets import Static

from .. import Article, Highlight
from ..i18n import N_, _, date_text
from ._wrap import wrap_offsets
from .wording import localize_bindings

__all__ = ["ArticleView", "Match"]


@dataclass(frozen=True)
class Match:
    """One highlighted span of the article: `field` ("title" or "body") and offsets."""

    field: str
    start: int
    end: int


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one article laid out for the pane's width; tracks the current match."""

    COMPONENT_CLASSES = {"article-title", "article-meta", "article-url", "article-tags", "article-lead",
                         "article-match", "article-match--current"}
    BINDINGS = [
        Binding("n", "next_match", N_("Next match")),
        Binding("N", "previous_match", N_("Previous match")),
        Binding("j", "scroll_down", N_("Down"), show=False),
        Binding("k", "scroll_up", N_("Up"), show=False),
        Binding("space", "page_down", N_("Next page"), show=False),
        Binding("g", "scroll_home", N_("Top"), show=False),
        Binding("G", "scroll_end", N_("End"), show=False),
    ]

    class MatchMoved(Message):
        """The current match changed (index into `matches`, or -1 for none)."""

        def __init__(self, view: ArticleView, index: int, count: int) -> None:
            super().__init__()
            self.view = view
            self.index = index
            self.count = count

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        localize_bindings(self)
        self.article: Article | None = None
        self.duplicates: tuple[str, ...] = ()  # the ids of the copies the article stands for
        self.matches: list[Match] = []
        self.current = -1
        self.match_lines: list[int] = []
        self.placeholder = ""
        self._width = 0

    def compose(self) -> ComposeResult:
        """The article text, one Static laid out by this widget (no re-wrapping)."""
        yield Static(id="article-text", markup=False)

    # -- public --------------------------------------------------------------

    def show(self, article: Article, highlights: Sequence[Highlight], *,
             duplicates: Sequence[str] = ()) -> None:
        """Show `article` with `highlights` (spans into its original title, lead and body) and
        the ids of the `duplicates` it stands for. The same article with the same matches
        (the search ran again: a filter panel opened, facets counted) keeps the current match."""
        same = self.article is not None and self.article.id == article.id
        self.article = article
        self.duplicates = tuple(duplicates)
        order = {"title": 0, "lead": 1, "body": 2}
        if not _shows_lead(article):
            del order["lead"]
        matches = sorted((Match(h.field, h.start, h.end) for h in highlights
                          if h.field in order and self._valid(h)),
                         key=lambda m: (order[m.field], m.start))
        if not (same and matches == self.matches and 0 <= self.current < len(matches)):
            self.current = 0 if matches else -1
        self.matches = matches
        self._relayout(scroll=True)
        self.post_message(self.MatchMoved(self, self.current, len(self.matches)))

    def clear(self, message: str = "") -> None:
        """Show no article, only `message`."""
        self.article = None
        self.matches = []
        self.current = -1
        self.match_lines = []
        self.placeholder = message
        self.query_one("#article-text", Static).update(Content(message).stylize(".article-meta"))
        self.scroll_to(y=0, animate=False, immediate=True)
        self.border_subtitle = ""

    def action_next_match(self) -> None:
        """Move to the next match (wrapping around)."""
        self._move(1)

    def action_previous_match(self) -> None:
        """Move to the previous match (wrapping around)."""
        self._move(-1)

    # -- layout --------------------------------------------------------------

    def _valid(self, h: Highlight) -> bool:
        assert self.article is not None
        text: str = getattr(self.article, h.field)
        return 0 <= h.start < h.end <= len(text)

    def _move(self, step: int) -> None:
        if not self.matches:
            self.notify(_("No highlighted match in this article."), severity="warning", timeout=2)
            return
        self.current = (self.current + step) % len(self.matches)
        self._relayout(scroll=True)
        self.post_message(self.MatchMoved(self, self.current, len(self.matches)))

    def on_resize(self) -> None:
        """Lay the text out again for the new width."""
        if self.article is not None and self.scrollable_content_region.width != self._width:
            self._relayout(scroll=True)

    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width, 10)

    def on_mount(self) -> None:
        """Empty, titled; follow theme changes (the match colours are resolved when the text is
        laid out)."""
        self.border_title = _("Article")
        self.clear()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        if self.article is not None:
            self.call_after_refresh(self._relayout, scroll=False)

    def _match_styles(self) -> tuple[Style, Style]:
        # Resolved here rather than as ".class" spans: partial component styles drop backgrounds.
        return (self.get_visual_style("article-match"), self.get_visual_style("article-match--current"))

    def _paragraph(self, text: str, offset: int, field: str, style: str, lines: list[Content],
                   width: int) -> None:
        """Wrap `text` (which starts at `offset` of `field`) into `lines`; record match lines."""
        spans = [(i, m) for i, m in enumerate(self.matches) if m.field == field]
        base = Content(text).stylize(style) if style else Content(text)
        other, current = self._styles
        for i, m in spans:
            start, end = m.start - offset, m.end - offset
            if end <= 0 or start >= len(text):
                continue
            base = base.stylize(current if i == self.current else other, max(start, 0), min(end, len(text)))
        for start, end in wrap_offsets(text, width):
            for i, m in spans:
                if self.match_lines[i] < 0 and start <= m.start - offset < max(end, start + 1):
                    self.match_lines[i] = len(lines)
            lines.append(base[start:end])

    def _relayout(self, *, scroll: bool) -> None:
        article = self.article
        if article is None:
            return
        width = self._text_width()
        self._width = self.scrollable_content_region.width
        self.match_lines = [-1] * len(self.matches)
        self._styles = self._match_styles()
        lines: list[Content] = []
        self._paragraph(article.title, 0, "title", ".article-title", lines, width)
        meta = " · ".join(x for x in (date_text(article.date, long=True), article.source,
                                      article.author) if x)
        if meta:
            self._paragraph(meta, -1, "meta", ".article-meta", lines, width)
        if article.url:
            self._paragraph(article.url, -1, "url", ".article-url", lines, width)
        if article.tags:
            self._paragraph(_("Rubriques: {tags}").format(tags=", ".join(article.tags)), -1, "tags",
                            ".article-tags", lines, width)
        if self.duplicates:
            self._paragraph(_("Also published as: {ids}").format(ids=", ".join(self.duplicates)),
                            -1, "copies", ".article-tags", lines, width)
        lines.append(Content("─" * width).stylize(".article-meta"))
        if _shows_lead(article):
            lead = article.lead.strip()
            self._paragraph(lead, article.lead.index(lead), "lead", ".article-lead", lines, width)
            lines.append(Content(""))
        pos = 0
        body = article.body
        for n, line in enumerate(body.split("\n")):
            if n:
                pos += 1
            if line.strip():
                self._paragraph(line, pos, "body", "", lines, width)
            elif lines and lines[-1].plain:
                lines.append(Content(""))  # paragraph break
            pos += len(line)
        self.query_one("#article-text", Static).update(Content("\n").join(lines))
        if self.matches:
            self.border_subtitle = _("match {n}/{count} · n / N").format(n=self.current + 1,
                                                                           count=len(self.matches))
        else:
            self.border_subtitle = ""
        if scroll:
            self.call_after_refresh(self._scroll_to_current)

    def _scroll_to_current(self) -> None:
        if 0 <= self.current < len(self.match_lines) and self.match_lines[self.current] >= 0:
            line = self.match_lines[self.current]
            target = max(line - self.scrollable_content_region.height // 3, 0)
            self.scroll_to(y=target, animate=False, immediate=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)


def _shows_lead(article: Article) -> bool:
    """Whether the lead is shown above the body (not when the body opens with it)."""
    lead = article.lead.strip()
    return bool(lead) and not article.body.lstrip().startswith(lead[:40])
