"""Query history kept across runs, in a small text file (no textual import)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["History", "default_history_path"]

MAX_ENTRIES = 500


def default_history_path() -> Path:
    """`$XDG_STATE_HOME/search-fr/history`, else `~/.local/state/search-fr/history`."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "search-fr" / "history"


class History:
    """Past queries, oldest first, with a cursor for browsing them with ↑/↓.

    Args:
        path: the file holding one query a line; None keeps the history in memory only.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: list[str] = []
        self._cursor: int | None = None
        if path is not None:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                lines = []
            self.entries = [line for line in lines if line.strip()][-MAX_ENTRIES:]

    @property
    def browsing(self) -> bool:
        """Whether ↑ has been pressed and the box shows an entry."""
        return self._cursor is not None

    def add(self, query: str) -> None:
        """Record a query (moved to the end if already there) and save the file."""
        query = " ".join(query.split())
        self._cursor = None
        if not query:
            return
        if self.entries and self.entries[-1] == query:
            return
        if query in self.entries:
            self.entries.remove(query)
        self.entries.append(query)
        del self.entries[:-MAX_ENTRIES]
        self._save()

    def previous(self) -> str | None:
        """The entry before the current one (the newest first); None at the oldest."""
        if not self.entries:
            return None
        if self._cursor is None:
            self._cursor = len(self.entries) - 1
        elif self._cursor > 0:
            self._cursor -= 1
        return self.entries[self._cursor]

    def next(self) -> str:
        """The entry after the current one; "" past the newest (browsing ends)."""
        if self._cursor is None:
            return ""
        self._cursor += 1
        if self._cursor >= len(self.entries):
            self._cursor = None
            return ""
        return self.entries[self._cursor]

    def reset(self) -> None:
        """Stop browsing (the user typed)."""
        self._cursor = None

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp")
            tmp.write_text("\n".join(self.entries) + "\n", encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass  # history is a comfort: never fail a search because of it
