"""Launcher of the terminal UI: `python tui.py [--index DIR] [--corpus PATH] [--theme NAME] [--lang fr|en]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Parse the options, build the app, run it."""
    from search.config import Settings
    from search.errors import SearchError
    from search.i18n import _, use_language

    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        language = Settings()["language"]
    except SearchError:
        language = None
    if "--lang" in args_list[:-1]:
        language = args_list[args_list.index("--lang") + 1]
    use_language(language)
    parser = argparse.ArgumentParser(prog="tui.py", description=_("Search French news articles."))
    parser.add_argument("--index", default=None,
                        help=_("index folder, or a cluster's URL sphinx://HOST:PORT/TABLE (default: "
                               "$SEARCH_INDEX, the config file's index, or index/)"))
    parser.add_argument("--corpus", type=Path, default=None,
                        help=_("corpus file or folder (default: $SEARCH_CORPUS, the config file's corpus, "
                               "or corpus/)"))
    parser.add_argument("--theme", default=None,
                        help=_("a Textual theme, e.g. ansi-dark for the terminal's own colours"))
    parser.add_argument("--lang", choices=("fr", "en"), default=None,
                        help=_("language of the messages (default: $SEARCH_LANG, the config file's "
                               "language, else the locale's)"))
    args = parser.parse_args(args_list)

    from search.tui import run

    try:
        return run(args.index, args.corpus, theme=args.theme, language=args.lang)
    except SearchError as error:
        print(_("search: error: {message}").format(message=error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
