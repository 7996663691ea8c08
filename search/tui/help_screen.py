"""The help screen (F1): every key, the history rule and the query syntax, with examples."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer

from ..i18n import N_, _
from ..query_help import syntax_markdown
from .wording import localize_bindings

__all__ = ["KEYS", "HelpScreen", "help_text"]

#: (keys, what they do): the key table of the help (and of the README).
KEYS = (
    (N_("*type*"), N_("search; the results follow as you type")),
    (N_("`↑` in the empty box"), N_("earlier queries (the history, kept from one session to the next)")),
    (N_("`↑` `↓` in the box"), N_("previous / next result")),
    ("`↑` `↓`, `j` `k`", N_("move in the list; `g` / `G` first / last")),
    (N_("`PgUp` `PgDn`"), N_("previous / next page (more results load as you go down)")),
    (N_("`Enter`"), N_("open the article")),
    (N_("`Esc`"), N_("back to the search box; a second time: clear it")),
    (N_("`Tab` `Shift+Tab`"), N_("next / previous pane")),
    ("`/`", N_("go to the search box")),
    ("`n` `N`", N_("next / previous match in the article")),
    ("`o`", N_("open the article's URL in the browser")),
    ("`y`", N_("copy the URL")),
    ("`s`", N_("sort by relevance / by date")),
    ("`f`", N_("show / hide the filters (sources, rubriques, years, period)")),
    ("`t`", N_("show the timeline and move into it (again: hide it); in it `←` `→` move, `Shift+←` `→` "
               "widen, `Enter` or a click filters that period")),
    ("`x`", N_("remove the last filter (or click its chip)")),
    ("`e`", N_("export the results to a file in the current folder (CSV; Markdown or JSON from Ctrl+P)")),
    ("`a`", N_("save the query and its filters as an alert (`search alerts run`)")),
    ("`Ctrl+D`", N_("accept “Did you mean …”")),
    ("`Ctrl+R`", N_("rebuild the index from the corpus")),
    ("`F5`", N_("update the index (articles added, changed, deleted)")),
    ("`Ctrl+P`", N_("command palette (rebuild, sort, export, theme, quit…)")),
    ("`?` `F1`", N_("this help")),
    ("`q` `Ctrl+Q`", N_("quit")),
)


def help_text() -> str:
    """The help as Markdown, in the language in use."""
    rows = "\n".join(f"| {_(keys)} | {_(does)} |" for keys, does in KEYS)
    return "\n\n".join([
        "# " + _("Help"),
        _("The results follow as you type. Letters go to the search box; the one-letter keys work in "
          "the list, the article and the filters."),
        "## " + _("Keys"),
        f"| {_('Key')} | {_('Does')} |\n|---|---|\n{rows}",
        _("The mouse works too: click a result, a facet, a filter chip, a period of the timeline; scroll "
          "the list or the article."),
        "## " + _("History"),
        _("A query is kept in the history (↑ in the empty box) when you press Enter or open one of its "
          "articles, open or copy a URL (o, y), leave its results on screen for 3 seconds, or quit; "
          "queries typed on the way are not kept. The history is kept in "
          "$XDG_STATE_HOME/search-fr/history."),
        "## " + _("Query syntax"),
        syntax_markdown(),
        _("When fewer than 10 articles hold every word, those with the most of them follow. A query "
          "never fails: syntax errors are reported in the status line."),
    ]) + "\n"


class HelpScreen(ModalScreen[None]):
    """Every key and the query syntax with examples; Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", N_("Close the help")),
        Binding("j,down", "scroll(1)", show=False),
        Binding("k,up", "scroll(-1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        localize_bindings(self)

    def compose(self) -> ComposeResult:
        """The help text in a scrolling frame."""
        from textual.widgets import Markdown  # only when the help is opened: faster start

        with VerticalScroll(id="help-frame") as frame:
            frame.border_title = _("Help — Esc closes it")
            yield Markdown(help_text(), id="help-text")
        yield Footer()

    def action_scroll(self, lines: int) -> None:
        """Scroll the help."""
        self.query_one("#help-frame", VerticalScroll).scroll_relative(y=lines, animate=False)
