"""The command palette (Ctrl+P): rebuild, update, sort, filters, timeline, export, alert,
theme, help, quit — in the language in use."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

from ..i18n import _

if TYPE_CHECKING:
    from .app import SearchApp

__all__ = ["SearchCommands"]


class SearchCommands(Provider):
    """The app's commands, with their help text."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("SearchApp", self.app)
        return [
            (_("Rebuild the index"), _("Read the whole corpus again and replace the index (Ctrl+R)"),
             app.action_rebuild),
            (_("Update the index"), _("Add, re-index and delete what changed (F5)"), app.action_update),
            (_("Sort by relevance"), _("The best results first"), partial(app.set_sort, "relevance")),
            (_("Sort by date, newest first"), _("The newest articles first"), partial(app.set_sort, "-date")),
            (_("Sort by date, oldest first"), _("The oldest articles first"), partial(app.set_sort, "date")),
            (_("Show or hide the filters"), _("Sources, rubriques, years, period (f)"),
             app.action_toggle_filters),
            (_("Clear the filters"), _("Remove every active filter"), app.clear_filters),
            (_("Show or hide the timeline"), _("Matching articles per month or year (t)"),
             app.action_toggle_timeline),
            (_("Export the results (CSV)"), _("Into a file of the current folder (e)"),
             partial(app.action_export, "csv")),
            (_("Export the results (Markdown)"), _("A digest with links, into a file of the current folder"),
             partial(app.action_export, "md")),
            (_("Export the results (JSON)"), _("Into a file of the current folder"),
             partial(app.action_export, "json")),
            (_("Save the query as an alert"), _("search alerts run reports what is new (a)"),
             app.action_save_alert),
            (_("Change the theme"), _("Choose the colours of the app (remembered)"), self._pick_theme),
            (_("Open the article in the browser"), _("The URL of the selected article (o)"),
             app.action_open_url),
            (_("Copy the URL"), _("The URL of the selected article (y)"), app.action_copy_url),
            (_("Screenshot"), _("Save the screen as SVG in the current folder"), self._screenshot),
            (_("Help"), _("The keys and the query syntax (? or F1)"), app.action_help),
            (_("Quit"), _("Close the app (q or Ctrl+Q)"), app.exit),
        ]

    def _pick_theme(self) -> None:
        from textual.theme import ThemeProvider

        self.app.push_screen(CommandPalette(providers=[ThemeProvider], placeholder=_("Search for a theme…")))

    def _screenshot(self) -> None:
        path = self.app.save_screenshot()
        self.app.notify(_("Screenshot saved: {path}").format(path=path), timeout=5)

    async def discover(self) -> Hits:
        """Every command, before anything is typed."""
        for name, text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=text)

    async def search(self, query: str) -> Hits:
        """Commands matching what was typed."""
        matcher = self.matcher(query)
        for name, text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=text)
