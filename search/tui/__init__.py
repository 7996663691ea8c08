"""The terminal UI (Textual): `make_app(index=..., corpus=...)`, `run(...)`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..config import Settings
from ..i18n import _, use_language
from .app import SearchApp
from .history import default_history_path

__all__ = ["SearchApp", "make_app", "run"]


def make_app(index: str | os.PathLike[str] | None = None, corpus: str | os.PathLike[str] | None = None, *,
             history: Path | None | bool = True, timings: bool = True, debounce: float = 0.15,
             lock_wait: float = 10.0, cursor_blink: bool = True, theme: str | None = None,
             language: str | None = None, remember_theme: bool = True) -> SearchApp:
    """Build the search app (used by `tui.py`, `search tui` and the tests).

    Unset paths, theme and language come from the environment, then the config file
    (`search.config`), then the defaults.

    Args:
        index: the index directory, or a cluster's URL (`sphinx://host:9306/articles`)
            (default `$SEARCH_INDEX`, the config file's, or `index/`); built from the
            corpus when it does not exist.
        corpus: the corpus file or folder (default `$SEARCH_CORPUS`, the config file's, or `corpus/`).
        history: the history file; True for the default
            (`$XDG_STATE_HOME/search-fr/history`), None or False to keep none on disk.
        timings: show search times (turn off for reproducible screenshots).
        debounce: seconds to wait after a keystroke when searches are slow.
        lock_wait: seconds a rebuild waits for another writer before giving up.
        cursor_blink: blink the cursor of the search box.
        theme: a Textual theme name, e.g. "ansi-dark" for the terminal's own colours.
        language: "fr" or "en" (default `$SEARCH_LANG`, the config file's, else the locale's).
        remember_theme: save a theme chosen in the palette in the config file.

    Returns:
        The app, ready for `.run()` or `.run_test()`.

    Raises:
        SearchError: the config file cannot be read.
    """
    settings = Settings({"index": index and str(index), "corpus": corpus and str(corpus), "theme": theme,
                         "language": language})
    use_language(settings["language"])
    history_path = default_history_path() if history is True else (history or None)
    return SearchApp(settings.index_location(), settings.path_of("corpus"), history=history_path,
                     timings=timings, debounce=debounce, lock_wait=lock_wait, cursor_blink=cursor_blink,
                     theme=settings["theme"], remember_theme=remember_theme)


def run(index: str | os.PathLike[str] | None = None, corpus: str | os.PathLike[str] | None = None,
        *, theme: str | None = None, language: str | None = None) -> int:
    """Run the app in the terminal; return the exit status (2, with one line on stderr,
    when stdin or stdout is not a terminal: in a pipe, cron or CI the app would wait for
    keys that never come)."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(_("search tui: needs a terminal (stdin and stdout must be a TTY); in scripts and pipes use "
                "`search query`"), file=sys.stderr)
        return 2
    app = make_app(index, corpus, theme=theme, language=language)
    app.run()
    return app.return_code or 0
