"""The `search` command: a thin layer over the library (rebuild, update, query, show…)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

import orjson
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..errors import IndexNotFoundError, NotAnIndexError, SearchError
from ..index import Index
from ..indexer import IndexReport
from ..results import Hit, Results

__all__ = ["build_parser", "main"]

DEFAULT_CORPUS = "corpus"
DEFAULT_INDEX = "index"
SORT_ALIASES = {"relevance": "relevance", "pertinence": "relevance", "date": "date",
                "oldest": "date", "newest": "-date", "-date": "-date", "recent": "-date"}
PROBLEMS_SHOWN = 20


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--index", type=Path, default=None,
                        help=f"index directory (default: $SEARCH_INDEX or {DEFAULT_INDEX}/)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help=f"corpus file or folder (default: $SEARCH_CORPUS or {DEFAULT_CORPUS}/)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `search` command."""
    parser = _Parser(prog="search", description="Search French news from the terminal.")
    parser.add_argument("--version", action="version", version="search 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    for name, text in (("rebuild", "build the index from the corpus (atomic)"),
                       ("update", "add new, re-index changed, delete vanished articles")):
        cmd = sub.add_parser(name, help=text, description=text)
        _paths(cmd)
        cmd.add_argument("--strict", action="store_true",
                         help="fail on the first bad record instead of skipping it")
        cmd.add_argument("-q", "--quiet", action="store_true", help="no progress, summary only")
        cmd.add_argument("-v", "--verbose", action="store_true", help="list every problem")
        cmd.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                         help="how long to wait for another writer (default 10)")
        cmd.add_argument("--json", action="store_true", help="print the report as JSON")
        cmd.add_argument("--progress", choices=("auto", "json", "none"), default="auto",
                         help="progress on stderr: a bar on a terminal, plain lines otherwise "
                         "(auto), one JSON object a line for other programs (json), or none")
        if name == "rebuild":
            cmd.add_argument("--procs", type=int, default=None,
                             help="indexing processes (default: 2 for large corpora)")

    q = sub.add_parser("query", help="search and print the results",
                       description="Search the index. See the README for the query language.")
    _paths(q)
    q.add_argument("query", nargs="+", help="the query (words, \"phrases\", OR, -word, titre:…)")
    q.add_argument("-n", "--limit", type=int, default=10)
    q.add_argument("--offset", type=int, default=0)
    q.add_argument("--sort", default="relevance", choices=sorted(SORT_ALIASES),
                   help="relevance (default), date (oldest first), newest")
    q.add_argument("--source", action="append", help="only this source (repeatable)")
    q.add_argument("--tag", action="append", help="only this tag / rubrique (repeatable)")
    q.add_argument("--author", action="append", help="only this author (repeatable)")
    q.add_argument("--since", help="first day, e.g. 2024-03 or 2024-03-15")
    q.add_argument("--until", help="last day, e.g. 2024-06-30")
    q.add_argument("--duplicates", action="store_true",
                   help="list every copy of an article (same URL or text), not one hit for them all")
    out = q.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--jsonl", action="store_true", help="print one JSON hit a line")
    out.add_argument("--format", choices=("csv", "md", "jsonl", "json"),
                     help="csv (with a header), md (a Markdown digest with links), jsonl or json")

    for name, text in (("show", "print one article"), ("similar", "articles like this one")):
        cmd = sub.add_parser(name, help=text, description=text)
        _paths(cmd)
        cmd.add_argument("id", help="article id (as printed by `search query`)")
        cmd.add_argument("--json", action="store_true", help="print JSON")
        if name == "similar":
            cmd.add_argument("-n", "--limit", type=int, default=10)

    st = sub.add_parser("stats", help="what the index holds", description="what the index holds")
    _paths(st)
    st.add_argument("--json", action="store_true", help="print JSON")

    tui = sub.add_parser("tui", help="open the terminal UI", description="open the terminal UI")
    _paths(tui)
    tui.add_argument("--theme", default=None,
                     help="a Textual theme, e.g. ansi-dark for the terminal's own colours")
    from .ingest import register  # feeds, fetch, import, watch, alerts

    register(sub)
    return parser


def _resolve(args: argparse.Namespace) -> tuple[Path, Path]:
    index = args.index or Path(os.environ.get("SEARCH_INDEX") or DEFAULT_INDEX)
    corpus = args.corpus or Path(os.environ.get("SEARCH_CORPUS") or DEFAULT_CORPUS)
    return index, corpus


def _rebuild_hint(index: Path, corpus: Path) -> str:
    cmd = "search rebuild"
    if str(corpus) != DEFAULT_CORPUS:
        cmd += f" --corpus {corpus}"
    if str(index) != DEFAULT_INDEX:
        cmd += f" --index {index}"
    return cmd


def _open(index: Path, corpus: Path) -> Index:
    try:
        return Index.open(index)
    except NotAnIndexError:
        raise
    except IndexNotFoundError:
        raise IndexNotFoundError(index, _rebuild_hint(index, corpus)) from None


# -- progress ------------------------------------------------------------------


class _PlainProgress:
    """Periodic plain lines for logs and pipes."""

    def __init__(self, stream: IO[str], every: float = 5.0) -> None:
        self.stream = stream
        self.every = every
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        of = f"/{total:,}" if total else ""
        print(f"indexed {done:,}{of} articles ({rate:,.0f}/s)", file=self.stream, flush=True)


def _json_progress(done: int, total: int | None) -> None:
    sys.stderr.write(orjson.dumps({"done": done, "total": total}).decode() + "\n")
    sys.stderr.flush()


def _run_write(args: argparse.Namespace, index: Path, corpus: Path, err: Console) -> IndexReport:
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

    if args.quiet or args.progress == "none":
        return act(None)
    if args.progress == "json":
        return act(_json_progress)
    if not err.is_terminal:
        return act(_PlainProgress(sys.stderr))
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("indexing", total=None, rate="")
        started = time.monotonic()

        def progress(done: int, total: int | None) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            bar.update(task, completed=done, total=total, rate=f"{rate:,.0f} articles/s")

        return act(progress)


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _print_report(report: IndexReport, index: Path, out: Console, verbose: bool) -> None:
    for note in report.notes:
        out.print(f"note: {escape(note)}")
    shown = report.problems if verbose else report.problems[:PROBLEMS_SHOWN]
    for problem in shown:
        kind = "skipped" if problem.skipped else "warning"
        out.print(f"[yellow]{kind}[/]: {escape(str(problem))}", highlight=False)
    if len(report.problems) > len(shown):
        out.print(f"… and {len(report.problems) - len(shown)} more problems (use --verbose)")
    rate = report.indexed / report.seconds if report.seconds else 0.0
    if report.action == "rebuild":
        line = f"indexed {report.added:,} articles"
    else:
        line = (f"added {report.added:,}, updated {report.updated:,}, deleted {report.deleted:,}, "
                f"unchanged {report.unchanged:,}")
    line += f"; skipped {report.skipped:,} bad records"
    if report.duplicates:
        line += f"; {report.duplicates:,} duplicate ids (last one kept)"
    line += f" in {report.seconds:.1f} s"
    if report.indexed and report.seconds:
        line += f" ({rate:,.0f} articles/s)"
    line += f"; index {index}: {report.articles:,} articles, {_size(report.size_bytes)}"
    out.print(line, highlight=False)


# -- results -------------------------------------------------------------------


def _styled(text: str, spans: Sequence[tuple[int, int]], style: str = "bold yellow") -> Text:
    out = Text(text)
    for start, end in spans:
        out.stylize(style, start, end)
    return out


def _print_hit(n: int, hit: Hit, out: Console) -> None:
    also = "also in: " + ", ".join(hit.also_in) if hit.also_in else ""
    meta = " · ".join(x for x in (hit.date.date().isoformat() if hit.date else "", hit.source,
                                  ", ".join(hit.tags), also) if x)
    line = Text(f"{n:>3}. ", style="bold")
    line.append_text(_styled(hit.title, hit.title_spans(), "bold yellow"))
    line.stylize("bold", 5)
    out.print(line)
    if meta:
        out.print(Text("     " + meta, style="dim"))
    if hit.snippet:
        snippet = Text("     ")
        snippet.append_text(_styled(hit.snippet, hit.snippet_spans))
        out.print(snippet)
    out.print(Text(f"     {hit.id}" + (f" · {hit.url}" if hit.url else ""), style="dim cyan"))


def _print_results(res: Results, out: Console) -> None:
    for warning in res.notices:
        out.print(Text(f"note: {warning}", style="yellow"))
    if res.suggestion:
        out.print(Text(f"did you mean: {res.suggestion}", style="bold"))
    first = res.offset + 1 if res.hits else 0
    out.print(Text(f"{res.total:,} results ({res.took_ms:.0f} ms)"
                   + (f", showing {first}-{res.offset + len(res.hits)}" if res.hits else ""),
                   style="dim"))
    for i, hit in enumerate(res.hits, start=first):
        out.print()
        _print_hit(i, hit, out)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"cannot serialise {type(obj).__name__}")


def _dump(obj: Any) -> None:
    data = orjson.dumps(obj, default=_json_default, option=orjson.OPT_NON_STR_KEYS)
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.flush()


def _query(args: argparse.Namespace, ix: Index, out: Console) -> None:
    filters = {k: v for k, v in (("source", args.source), ("tags", args.tag),
                                 ("author", args.author)) if v}
    res = ix.search(" ".join(args.query), limit=args.limit, offset=args.offset,
                    sort=SORT_ALIASES[args.sort], filters=filters, date_from=args.since,
                    date_to=args.until, duplicates=args.duplicates)
    if args.format or args.json:
        from ..export import FORMATS

        sys.stdout.write(FORMATS[args.format or "json"](res))
    elif args.jsonl:
        for hit in res.hits:
            _dump(hit)
    else:
        _print_results(res, out)


def _show(args: argparse.Namespace, ix: Index, out: Console) -> None:
    art = ix.get(args.id)
    if args.json:
        _dump(art)
        return
    out.print(Text(art.title, style="bold"))
    meta = " · ".join(x for x in (art.date.isoformat() if art.date else "", art.source,
                                  art.author, ", ".join(art.tags)) if x)
    if meta:
        out.print(Text(meta, style="dim"))
    if art.url:
        out.print(Text(art.url, style="cyan"))
    if art.lead:
        out.print()
        out.print(Text(art.lead, style="italic"))
    out.print()
    out.print(Text(art.body))


def _stats(args: argparse.Namespace, ix: Index, out: Console) -> None:
    st = ix.stats()
    if args.json:
        _dump(st)
        return
    rows = [
        ("index", str(st.path)), ("articles", f"{st.articles:,}"), ("size", _size(st.size_bytes)),
        ("dates", f"{st.oldest.date() if st.oldest else '-'} to {st.newest.date() if st.newest else '-'}"),
        ("sources", f"{st.sources:,}"), ("words", f"{st.words:,}"),
        ("segments", str(st.segments)), ("deleted, not yet merged", f"{st.deleted:,}"),
        ("schema version", str(st.schema_version)), ("built", st.built_at or "-"),
        ("updated", st.updated_at or "-"),
    ]
    for key, value in rows:
        out.print(f"{key:>24}  {value}", highlight=False)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("limit", "offset", "wait"):
        value = getattr(args, name, 0)
        if not value >= 0:  # also refuses nan
            parser.error(f"argument --{name}: must be 0 or more, not {value}")
    index, corpus = _resolve(args)
    out = Console(highlight=False, soft_wrap=False)
    err = Console(stderr=True, highlight=False)
    try:
        if args.command in ("rebuild", "update"):
            report = _run_write(args, index, corpus, err)
            if args.json:
                _dump(dataclasses.asdict(report) | {"skipped": report.skipped, "index": index})
            else:
                _print_report(report, index, out, args.verbose)
        elif getattr(args, "handler", None):
            return int(args.handler(args, index, corpus))
        elif args.command == "tui":
            from ..tui import run  # textual is imported only here

            return run(index, corpus, theme=args.theme)
        else:
            with _open(index, corpus) as ix:
                {"query": _query, "show": _show, "similar": _similar, "stats": _stats}[
                    args.command](args, ix, out)
    except SearchError as error:
        print(f"search: error: {error}", file=sys.stderr)
        if getattr(args, "json", False) or getattr(args, "jsonl", False):
            _dump({"error": error.to_dict()})  # typed, for programs (the TUI words it in French)
        return 1
    except KeyboardInterrupt:
        print("search: interrupted (the index is left as it was)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as error:  # a bug: one line, the traceback on demand
        if os.environ.get("SEARCH_DEBUG"):
            raise
        print(f"search: internal error: {type(error).__name__}: {error} "
              "(rerun with SEARCH_DEBUG=1 for details, and please report it)", file=sys.stderr)
        return 1
    return 0


def _similar(args: argparse.Namespace, ix: Index, out: Console) -> None:
    res = ix.similar(args.id, limit=args.limit)
    if args.json:
        from ..export import to_json

        sys.stdout.write(to_json(res))
    else:
        _print_results(res, out)
