"""`search watch`: keep the index up to date with the corpus folder, and fetch feeds on a timer."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..corpus import RECORD_SUFFIXES, TEXT_SUFFIXES
from ..errors import SearchError

__all__ = ["corpus_change", "watch"]


def corpus_change(path: str, root: Path) -> bool:
    """Whether a changed path under `root` can change the index: a corpus file, not
    hidden, not a README."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        parts = Path(path).parts[-1:]
    name = parts[-1].lower() if parts else ""
    if any(part.startswith(".") for part in parts):
        return False
    return name.endswith(RECORD_SUFFIXES + TEXT_SUFFIXES) and not name.startswith(
        ("readme", "license", "licence"))


def watch(corpus: Path, *, update: Callable[[set[str]], None], fetch: Callable[[], None] | None = None,
          fetch_every: float | None = None, stop: threading.Event | None = None,
          debounce_ms: int = 400, report: Callable[[str], None] = print) -> None:
    """Call `update` with the changed corpus files whenever some change (debounced), until
    `stop` is set; call `fetch` every `fetch_every` seconds.

    `update` and `fetch` run in this thread, one at a time: there is one writer. A
    `SearchError` they raise is reported and the watch goes on.

    Args:
        corpus: the corpus folder (watched recursively).
        update: brings the index up to date; receives the changed paths.
        fetch: fetches the feeds (and updates the index).
        fetch_every: seconds between fetches (None: never).
        stop: set it to stop (e.g. from a signal handler).
        debounce_ms: changes closer than this are taken together.
        report: where problems are written, one line each.
    """
    from watchfiles import watch as watch_files

    stop = stop or threading.Event()
    next_fetch = time.monotonic() if fetch and fetch_every else float("inf")

    def guarded(action: Callable[[], None]) -> None:
        try:
            action()
        except SearchError as err:
            report(f"search: error: {err}")

    root = Path(corpus).resolve()
    changes = watch_files(root, watch_filter=lambda _change, path: corpus_change(path, root),
                          debounce=debounce_ms, step=50, stop_event=stop, rust_timeout=500,
                          yield_on_timeout=True, raise_interrupt=False)
    first = True
    for batch in changes:
        if stop.is_set():
            break
        if first:  # the watcher runs now: what changes from here on is seen
            guarded(lambda: update(set()))
            first = False
        elif batch:
            paths = {path for _change, path in batch}
            guarded(lambda paths=paths: update(paths))  # type: ignore[misc]
        if fetch is not None and fetch_every and time.monotonic() >= next_fetch:
            guarded(fetch)
            next_fetch = time.monotonic() + fetch_every
