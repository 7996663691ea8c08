"""The `search` command: a thin layer over the library (rebuild, update, query, show…)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..config import Settings
from ..errors import IndexCorruptError, IndexNotFoundError, IndexVersionError, NotAnIndexError, SearchError
from ..i18n import N_, _, current_language, use_language
from ..index import Index, index_location
from ..indexer import IndexReport
from ..pipeline import SORT_NAMES
from ..query_help import EXAMPLES, syntax_rows
from ..results import Results
from ..wording import Fix, error_message
from .output import Out

__all__ = ["build_parser", "cli_fix", "common_options", "main"]

#: What `search --help` and `search query --help` say of the query language.
SYNTAX_EPILOG = N_(
    "query language: words are all required (the articles with most of them follow when few have them "
    "all); \"a phrase\", OR / OU, -word or NOT / SAUF, (parentheses), prefix*, typo~, titre:word, "
    "source:AFP, auteur:Dubois, rubrique:économie, date:2024-03, date:[2024-01 TO 2024-06], word^2. "
    "Examples: {examples}. The whole table: `search help syntax`."
)


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        text = _("{prog}: error: {message} (see `{prog} --help`)").format(prog=self.prog, message=message)
        self.exit(2, text + "\n")


def common_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command: where the index and the corpus are, colour, language."""
    parser.add_argument("--index", type=index_location, default=None,
                        help=_("index folder, or a cluster's URL sphinx://HOST:PORT/TABLE (default: "
                               "$SEARCH_INDEX, the config file's index, or index/)"))
    parser.add_argument("--corpus", type=Path, default=None,
                        help=_("corpus file or folder (default: $SEARCH_CORPUS, the config file's corpus, "
                               "or corpus/)"))
    parser.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto",
                        help=_("colour the output: on a terminal (auto, default), always, never"))
    parser.add_argument("--lang", choices=("fr", "en"), default=None,
                        help=_("language of the messages (default: $SEARCH_LANG, the config file's "
                               "language, else the locale's)"))


def _writes(sub: Any) -> None:
    for name, text in (("rebuild", _("build the index from the corpus (atomic)")),
                       ("update", _("add new, re-index changed, delete vanished articles"))):
        cmd = sub.add_parser(name, help=text, description=text)
        common_options(cmd)
        cmd.add_argument("--strict", action="store_true",
                         help=_("fail on the first bad record instead of skipping it"))
        cmd.add_argument("-q", "--quiet", action="store_true", help=_("no progress, summary only"))
        cmd.add_argument("-v", "--verbose", action="store_true",
                         help=_("list every problem, and the ids added, updated and deleted"))
        cmd.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                         help=_("how long to wait for another writer (default 10)"))
        cmd.add_argument("--json", action="store_true", help=_("print the report as JSON"))
        cmd.add_argument("--progress", choices=("auto", "json", "none"), default="auto",
                         help=_("progress on stderr: a bar on a terminal, plain lines otherwise (auto), "
                                "one JSON object a line for other programs (json), or none"))
        if name == "rebuild":
            cmd.add_argument("--procs", type=int, default=None,
                             help=_("indexing processes (default: 2 for large corpora)"))


def _query_parser(sub: Any, epilog: str) -> None:
    q = sub.add_parser("query", help=_("search and print the results"), epilog=epilog,
                       description=_("Search the index."))
    common_options(q)
    q.add_argument("query", nargs="+", help=_("the query, in the query language (see below)"))
    q.add_argument("-n", "--limit", type=int, default=None,
                   help=_("results to print (default: $SEARCH_LIMIT, the config file's limit, or 10)"))
    q.add_argument("--offset", type=int, default=0, help=_("results to skip first (paging)"))
    q.add_argument("--sort", default="relevance", choices=sorted(SORT_NAMES),
                   help=_("relevance (default), date or oldest (oldest first), newest"))
    q.add_argument("--source", action="append", help=_("only this source (repeatable)"))
    q.add_argument("--tag", action="append", help=_("only this tag / rubrique (repeatable)"))
    q.add_argument("--author", action="append", help=_("only this author (repeatable)"))
    q.add_argument("--since", help=_("first day, e.g. 2024-03 or 2024-03-15"))
    q.add_argument("--until", help=_("last day, e.g. 2024-06-30"))
    q.add_argument("--timeline", action="store_true",
                   help=_("also print how many articles match per month (or year), as bars"))
    q.add_argument("--duplicates", action="store_true",
                   help=_("list every copy of an article (same URL or text), not one hit for them all"))
    out = q.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help=_("print one JSON object"))
    out.add_argument("--jsonl", action="store_true", help=_("print one JSON hit a line"))
    out.add_argument("--format", choices=("csv", "md", "jsonl", "json"),
                     help=_("csv (with a header), md (a Markdown digest with links), jsonl or json"))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `search` command."""
    epilog = _(SYNTAX_EPILOG).format(examples=", ".join(EXAMPLES))
    parser = _Parser(prog="search", description=_("Search French news from the terminal."), epilog=epilog)
    parser.add_argument("--version", action="version", version="search 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    _writes(sub)
    _query_parser(sub, epilog)
    for name, text in (("show", _("print one article")), ("similar", _("articles like this one"))):
        cmd = sub.add_parser(name, help=text, description=text)
        common_options(cmd)
        cmd.add_argument("id", help=_("article id (as printed by `search query`)"))
        out = cmd.add_mutually_exclusive_group()
        out.add_argument("--json", action="store_true", help=_("print JSON"))
        if name == "similar":
            out.add_argument("--jsonl", action="store_true", help=_("print one JSON hit a line"))
            cmd.add_argument("-n", "--limit", type=int, default=10, help=_("how many (default 10)"))
    st = sub.add_parser("stats", help=_("what the index holds"), description=_("what the index holds"))
    common_options(st)
    st.add_argument("--json", action="store_true", help=_("print JSON"))
    tui = sub.add_parser("tui", help=_("open the terminal UI"), description=_("open the terminal UI"))
    common_options(tui)
    tui.add_argument("--theme", default=None,
                     help=_("a Textual theme, e.g. ansi-dark for the terminal's own colours"))
    cfg = sub.add_parser("config", help=_("show the settings in force and where each comes from"),
                         description=_("The settings in force (flag > environment > config file > default)."))
    common_options(cfg)
    cfg.add_argument("--json", action="store_true", help=_("print JSON"))
    hlp = sub.add_parser("help", help=_("help on a topic: syntax (the query language)"),
                         description=_("help on a topic"))
    hlp.add_argument("topic", choices=("syntax",), help=_("syntax: the query language, with examples"))
    hlp.add_argument("--lang", choices=("fr", "en"), default=None, help=_("language of the table"))
    hlp.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=_("colour"))
    from .ingest import register  # feeds, fetch, import, watch, alerts

    register(sub)
    from .cluster import register as register_cluster  # config, start, stop

    register_cluster(sub)
    return parser


def cli_fix(index: Path | str, corpus: Path) -> Fix:
    """The commands that fix an index problem here: a rebuild naming the paths that differ
    from the defaults, and `--corpus` spelled out when the corpus is not where it is looked for."""
    cmd = "search rebuild"
    upd = "search update"
    if str(corpus) != "corpus" or not corpus.exists():
        shown = str(corpus) if corpus.exists() else "FILE_OR_FOLDER"
        cmd += f" --corpus {shown}"
        upd += f" --corpus {shown}"
    if str(index) != "index":
        cmd += f" --index {index}"
        upd += f" --index {index}"
    rebuild = f"`{cmd}`"
    if not corpus.exists():
        rebuild += _(" (or set SEARCH_CORPUS, or corpus = \"…\" in {config})").format(config=_config_hint())
    return Fix(rebuild=rebuild, update=f"`{upd}`", other_index="--index", command=cmd)


def _config_hint() -> str:
    from ..config import config_path

    home = str(Path.home())
    path = str(config_path())
    return "~" + path[len(home):] if path.startswith(home + os.sep) else path


def _open(index: Path | str, corpus: Path) -> Index:
    try:
        return Index.open(index)
    except NotAnIndexError:
        raise
    except IndexNotFoundError:
        raise IndexNotFoundError(index, cli_fix(index, corpus).command) from None


def _run_write(args: argparse.Namespace, index: Path | str, corpus: Path, out: Out) -> IndexReport:
    def act(progress: Any) -> IndexReport:
        if args.command == "rebuild":
            ix = Index.rebuild(corpus, index, strict=args.strict, procs=args.procs,
                               progress=progress, lock_timeout=args.wait)
            report = ix.last_report
            ix.close()
            assert report is not None
            return report
        with Index.open(index, missing_ok=True) as ix:
            return ix.update(corpus, strict=args.strict, progress=progress, lock_timeout=args.wait,
                             build_if_missing=True)

    from .progress import PlainProgress, json_progress, progress_bar  # rich's bars: for writes only

    if args.quiet or args.progress == "none":
        return act(None)
    if args.progress == "json":
        return act(json_progress)
    if not sys.stderr.isatty():
        return act(PlainProgress(sys.stderr))
    with progress_bar(out.err) as bar:
        return act(bar)


def _query(args: argparse.Namespace, ix: Index, out: Out, settings: Settings) -> None:
    filters = {k: v for k, v in (("source", args.source), ("tags", args.tag),
                                 ("author", args.author)) if v}
    limit = args.limit if args.limit is not None else settings["limit"]
    counts = bool(args.json or args.timeline or args.format in ("json", "jsonl"))  # facets cost
    res = ix.search(" ".join(args.query), limit=limit, offset=args.offset, sort=args.sort, filters=filters,
                    date_from=args.since, date_to=args.until, facets=counts, duplicates=args.duplicates)
    if args.format or args.json:
        from ..export import FORMATS

        sys.stdout.write(FORMATS[args.format or "json"](res))
    elif args.jsonl:
        _write_jsonl(res)
    else:
        out.results(res, timeline=args.timeline)


def _write_jsonl(res: Results) -> None:
    """One hit a line, written as they go (a reader that leaves early stops the writing)."""
    from ..export import to_jsonl

    for hit in res.hits:
        sys.stdout.write(to_jsonl([hit]))


def _show(args: argparse.Namespace, ix: Index, out: Out, settings: Settings) -> None:
    art = ix.get(args.id)
    if args.json:
        out.dump(art)
    else:
        out.article(art)


def _similar(args: argparse.Namespace, ix: Index, out: Out, settings: Settings) -> None:
    res = ix.similar(args.id, limit=args.limit)
    from ..export import to_json

    if args.json:
        sys.stdout.write(to_json(res))
    elif args.jsonl:
        _write_jsonl(res)
    else:
        out.results(res)


def _stats(args: argparse.Namespace, ix: Index, out: Out, settings: Settings) -> None:
    st = ix.stats()
    if args.json:
        out.dump(st)
    else:
        out.stats(st)


def _config(args: argparse.Namespace, settings: Settings, out: Out) -> int:
    if args.json:
        out.dump({"file": str(settings.path), "exists": settings.path.exists(), "settings": {
            s.name: {"value": s.value, "source": s.source, "detail": s.detail} for s in settings}})
        return 0
    out.line(_("config file: {path}{missing}").format(
        path=settings.path, missing="" if settings.path.exists() else _(" (none)")))
    sources = {"flag": _("flag"), "environment": _("environment"), "config": _("config file"),
               "default": _("default")}
    for s in settings:
        value = "-" if s.value is None else str(s.value)
        where = sources[s.source] + (f" ({s.detail})" if s.source == "environment" else "")
        if s.name == "language" and s.value is None:
            value, where = current_language(), _("the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)")
        out.line(f"{s.name:<9} {value:<30} {where}")
    return 0


def _help(args: argparse.Namespace, out: Out) -> int:
    rows = syntax_rows()
    width = max(len(typed) for typed, _f in rows)
    out.line(f"{_('you type'):<{width}}  {_('finds')}", style="bold")
    for typed, finds in rows:
        out.line(f"{typed:<{width}}  {finds}")
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    index, corpus = getattr(args, "index", None), getattr(args, "corpus", None)
    flags = {"index": index and str(index), "corpus": corpus and str(corpus),
             "theme": getattr(args, "theme", None), "language": getattr(args, "lang", None),
             "limit": getattr(args, "limit", None) if args.command == "query" else None}
    return Settings(flags)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    use_language(_early_language(argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("limit", "offset", "wait"):
        value = getattr(args, name, 0)
        if value is not None and not value >= 0:  # also refuses nan
            parser.error(_("argument --{name}: must be 0 or more, not {value}").format(name=name,
                                                                                        value=value))
    out = Out(getattr(args, "color", "auto"))
    try:
        settings = _settings(args)
        use_language(settings["language"])
        index, corpus = settings.index_location(), settings.path_of("corpus")
        if args.command == "help":
            return _help(args, out)
        if args.command == "config":
            return _config(args, settings, out)
        if args.command in ("rebuild", "update"):
            report = _run_write(args, index, corpus, out)
            if args.json:
                out.dump(dataclasses.asdict(report) | {"skipped": report.skipped, "index": index})
            else:
                out.report(report, index, verbose=args.verbose)
        elif getattr(args, "handler", None):
            return int(args.handler(args, index, corpus))
        elif args.command == "tui":
            from ..tui import run  # textual is imported only here

            return run(index, corpus, theme=settings["theme"])
        else:
            with _open(index, corpus) as ix:
                {"query": _query, "show": _show, "similar": _similar, "stats": _stats}[
                    args.command](args, ix, out, settings)
    except SearchError as error:
        print(_("search: error: {message}").format(message=_cli_message(error, args)), file=sys.stderr)
        if getattr(args, "json", False) or getattr(args, "jsonl", False):
            out.dump({"error": error.to_dict()})  # typed, for programs (the TUI words it itself)
        return 1
    except KeyboardInterrupt:
        print(_("search: interrupted (the index is left as it was)"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        _quiet_pipe()
        return 0
    except Exception as error:  # a bug: one line, the traceback on demand
        if os.environ.get("SEARCH_DEBUG"):
            raise
        print(_("search: internal error: {kind}: {error} (rerun with SEARCH_DEBUG=1 for details, and please "
                "report it)").format(kind=type(error).__name__, error=error), file=sys.stderr)
        return 1
    return 0


def _cli_message(error: SearchError, args: argparse.Namespace) -> str:
    """An error in the language in use, its fix a command that works here."""
    try:
        settings = _settings(args)
        index, corpus = settings.index_location(), settings.path_of("corpus")
    except SearchError:
        return str(error)
    fix = cli_fix(index, corpus)
    if type(error) is SearchError:
        return str(error)
    if current_language() == "en":  # the library's own sentence, with a fix that works here
        if isinstance(error, IndexVersionError | IndexCorruptError):
            return str(error).replace(f"`search rebuild --index {error.path}`", fix.rebuild)
        if type(error) is IndexNotFoundError:
            return f"no index at {error.path}: build it with {fix.rebuild}"
        return str(error)
    return error_message(error, fix).rstrip(".")


def _early_language(argv: list[str]) -> str | None:
    """The language asked for by `--lang` or the environment and config, before parsing (for
    the help and the usage errors)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    try:
        return Settings()["language"]
    except SearchError:
        return None


def _quiet_pipe() -> None:
    """The reader of stdout went away (`| head`): end quietly, without Python's complaint
    when it flushes stdout at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
