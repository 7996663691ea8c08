"""What only the terminal UI says: its fixes are keys (Ctrl+R, F5), its write failures and
the index it cannot find; bindings in the language in use (no textual import at module level)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..i18n import _
from ..wording import Fix, error_message

if TYPE_CHECKING:
    from ._write_process import WriteOutcome

__all__ = ["TUI_FIX", "localize_bindings", "missing_index_message", "tui_error", "write_failure_message"]

#: In the UI, an index is rebuilt with Ctrl+R and updated with F5.
TUI_FIX = Fix(rebuild="Ctrl+R", update="F5", other_index="--index")


def tui_error(error: BaseException) -> str:
    """An engine error as the UI says it: what to do, with its keys."""
    return error_message(error, TUI_FIX)


def missing_index_message(index: Path | str, corpus: Path) -> str:
    """No index, and no corpus to build it from: what to run instead."""
    text = _("No index in {index}, and no corpus in {corpus}. Start again with --corpus PATH (a .jsonl file "
             "or a folder of articles), or --index PATH to an existing index.")
    return text.format(index=index, corpus=corpus)


def write_failure_message(outcome: WriteOutcome) -> str:
    """A failed rebuild or update: the child's typed error, else what it said."""
    if outcome.cancelled:
        return _("Indexing cancelled: the index was left as it was.")
    if isinstance(outcome.error, OSError):
        return _("Cannot start the indexing: {error}.").format(error=outcome.error.strerror or outcome.error)
    if outcome.error is not None:
        return tui_error(outcome.error)
    if outcome.detail:
        return _("The indexing failed: {detail}").format(detail=outcome.detail)
    return _("The indexing stopped with neither a report nor a readable error.")


def localize_bindings(node: Any) -> None:
    """Give a widget's (or the app's) key bindings their descriptions in the language in use.

    The classes' `BINDINGS` hold the English text (marked with `N_`); Textual copies them to
    each instance, whose copy this translates (so an app started in French, then one in
    English, each show their own)."""
    for key, bindings in node._bindings.key_to_bindings.items():
        node._bindings.key_to_bindings[key] = [
            dataclasses.replace(b, description=_(b.description) if b.description else b.description,
                                tooltip=_(b.tooltip) if b.tooltip else b.tooltip)
            for b in bindings]
