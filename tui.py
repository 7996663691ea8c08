"""Launcher of the terminal UI: `python tui.py [--index DIR] [--corpus PATH] [--theme NAME]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the app, run it."""
    parser = argparse.ArgumentParser(prog="tui.py", description="Chercher dans des articles d’actualité.")
    parser.add_argument("--index", default=None,
                        help="dossier de l’index, ou l’URL sphinx://HÔTE:PORT/TABLE d’un cluster "
                        "(défaut : $SEARCH_INDEX ou index/)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="corpus à indexer (défaut : $SEARCH_CORPUS ou corpus/)")
    parser.add_argument("--theme", default=None,
                        help="thème Textual, p. ex. ansi-dark pour les couleurs du terminal")
    args = parser.parse_args(argv)

    from search.tui import run

    return run(args.index, args.corpus, theme=args.theme)


if __name__ == "__main__":
    sys.exit(main())
