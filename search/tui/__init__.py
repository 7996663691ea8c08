"""The terminal UI (Textual): `make_app(index=..., corpus=...)`, `run(...)`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..index import index_location
from .app import SearchApp
from .history import default_history_path

__all__ = ["SearchApp", "make_app", "run"]

DEFAULT_INDEX = "index"
DEFAULT_CORPUS = "corpus"


def make_app(index: str | os.PathLike[str] | None = None, corpus: str | os.PathLike[str] | None = None, *,
             history: Path | None | bool = True, timings: bool = True, debounce: float = 0.15,
             lock_wait: float = 10.0, cursor_blink: bool = True, theme: str | None = None) -> SearchApp:
    """Build the search app (used by `tui.py`, `search tui` and the tests).

    Args:
        index: the index directory, or a cluster's URL (`sphinx://host:9306/articles`)
            (default `$SEARCH_INDEX` or `index/`); built from the corpus when it does not exist.
        corpus: the corpus file or folder (default `$SEARCH_CORPUS` or `corpus/`).
        history: the history file; True for the default
            (`$XDG_STATE_HOME/search-fr/history`), None or False to keep none on disk.
        timings: show search times (turn off for reproducible screenshots).
        debounce: seconds to wait after a keystroke when searches are slow.
        lock_wait: seconds a rebuild waits for another writer before giving up.
        cursor_blink: blink the cursor of the search box.
        theme: a Textual theme name, e.g. "ansi-dark" for the terminal's own colours.

    Returns:
        The app, ready for `.run()` or `.run_test()`.
    """
    index_path = index_location(index if index is not None
                                else os.environ.get("SEARCH_INDEX") or DEFAULT_INDEX)
    corpus_path = Path(corpus if corpus is not None else os.environ.get("SEARCH_CORPUS") or DEFAULT_CORPUS)
    history_path = default_history_path() if history is True else (history or None)
    return SearchApp(index_path, corpus_path, history=history_path, timings=timings, debounce=debounce,
                     lock_wait=lock_wait, cursor_blink=cursor_blink, theme=theme)


def run(index: str | os.PathLike[str] | None = None, corpus: str | os.PathLike[str] | None = None,
        *, theme: str | None = None) -> int:
    """Run the app in the terminal; return the exit status (2, with one line on stderr,
    when stdin or stdout is not a terminal: in a pipe, cron or CI the app would wait for
    keys that never come)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("search tui: needs a terminal (stdin and stdout must be a TTY); "
              "in scripts and pipes use `search query`", file=sys.stderr)
        return 2
    app = make_app(index, corpus, theme=theme)
    app.run()
    return app.return_code or 0
