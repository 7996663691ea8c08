"""Launcher of the terminal UI (not built yet: see `search query` meanwhile)."""

import sys

if __name__ == "__main__":
    print("tui.py: the terminal UI is not built yet; search with `search query WORDS`", file=sys.stderr)
    sys.exit(1)
