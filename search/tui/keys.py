"""The app's keys: bindings (English, translated per instance) and the letter keys that a box takes."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ..i18n import N_

__all__ = ["BINDINGS", "LETTER_ACTIONS", "LOOKED_AT"]

#: Actions bound to plain letters: off (and out of the footer) while typing in a box.
LETTER_ACTIONS = frozenset({"toggle_sort", "toggle_filters", "open_url", "copy_url", "remove_last_filter",
                            "toggle_timeline", "export", "save_alert"})
#: Seconds results stay on screen, untouched, before their query is kept in the history.
LOOKED_AT = 3.0
#: Textual's own name of Ctrl+P in the footer, translated with the app's bindings.
N_("palette")


#: The app's keys (their descriptions are translated by `localize_bindings`).
BINDINGS: list[BindingType] = [
    Binding("ctrl+q", "quit", N_("Quit"), priority=True),
    # priority: keys typed right after Tab go to the newly focused pane, not the old one
    Binding("tab", "focus_next", N_("Next pane"), show=False, priority=True),
    Binding("shift+tab", "focus_previous", N_("Previous pane"), show=False, priority=True),
    Binding("q", "leave", N_("Quit"), show=False),
    Binding("f1", "help", N_("Help"), key_display="F1"),
    Binding("question_mark", "help", N_("Help"), show=False),
    Binding("slash", "focus_search", N_("Search"), show=False),
    Binding("escape", "escape", N_("Back"), show=False),
    Binding("s", "toggle_sort", N_("Sort")),
    Binding("f", "toggle_filters", N_("Filters")),
    Binding("t", "toggle_timeline", N_("Timeline"), show=False),
    Binding("o", "open_url", N_("Open the URL")),
    Binding("y", "copy_url", N_("Copy")),
    Binding("e", "export", N_("Export"), show=False),
    Binding("a", "save_alert", N_("Save as an alert"), show=False),
    Binding("x", "remove_last_filter", N_("Remove a filter"), show=False),
    Binding("ctrl+d", "accept_suggestion", N_("Accept the suggestion"), priority=True, show=False),
    Binding("ctrl+r", "rebuild", N_("Rebuild"), show=False),
    Binding("f5", "update", N_("Update"), show=False),
]
