"""The news commands: `search feeds|fetch|import|watch|alerts` (ingestion and saved searches)."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SearchError
from ..i18n import _
from . import common_options as _paths
from .output import dump as _dump

if TYPE_CHECKING:
    from ..indexer import IndexReport
    from ..ingest import Ingester, IngestReport

__all__ = ["duration", "index_line", "register"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """Seconds from `30m`, `1h30m`, `90s`, `2h`, `1d` (a bare number is seconds)."""
    text = text.strip().lower()
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos or (not match.group(2) and match.end() != len(text)):
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text) or not text or total <= 0:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 30m, 1h, 90s)")
    return total


def _politeness(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                     help=_("give up on a feed or page after this long (default 20)"))
    cmd.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                     help=_("between two requests to the same host (default 1)"))
    cmd.add_argument("--max-size", type=float, default=5.0, metavar="MB",
                     help=_("refuse larger feeds and pages (default 5)"))
    cmd.add_argument("--refresh", action="store_true",
                     help=_("read feeds whole and fetch known entries' pages again"))
    cmd.add_argument("--json", action="store_true", help=_("print the report as JSON"))


def register(sub: Any) -> None:
    """Add the news commands to the `search` parser's subparsers."""
    feeds = sub.add_parser("feeds", help=_("the feed list (in the corpus folder: feeds.toml)"),
                           description=_("The RSS and Atom feeds that `search fetch` reads."))
    feeds_sub = feeds.add_subparsers(dest="feeds_command", metavar="ACTION", required=True)
    add = feeds_sub.add_parser("add", help=_("add a feed"), description=_("add a feed"))
    add.add_argument("url", help=_("the feed's http(s) URL"))
    add.add_argument("--name", help=_("a short name (default: the host)"))
    feeds_sub.add_parser("list", help=_("list the feeds"), description=_("list the feeds")).add_argument(
        "--json", action="store_true", help=_("print JSON"))
    feeds_sub.add_parser("remove", help=_("remove a feed"), description=_("remove a feed")).add_argument(
        "feed", metavar="NAME|URL", help=_("the feed's name or URL"))
    for parser in (feeds, *feeds_sub.choices.values()):
        _paths(parser)
    feeds.set_defaults(handler=_feeds)

    fetch = sub.add_parser("fetch", help=_("fetch the feeds' new articles into the corpus, update the index"),
                           description=_("Read each feed, fetch its new or changed articles' pages, "
                           "extract them into the corpus, then update the index."))
    fetch.add_argument("names", nargs="*", metavar="NAME", help=_("only these feeds (default: all)"))
    imp = sub.add_parser("import",
                         help=_("bring pages, folders, feeds, WARC archives or URLs into the corpus"),
                         description=_("Extract the articles of saved pages (.html), folders of them, "
                         "feed files (.xml), WARC archives (.warc, .warc.gz) or http(s) URLs into the "
                         "corpus, then update the index."))
    imp.add_argument("sources", nargs="+", metavar="SOURCE",
                     help=_("a saved page, a folder, a feed file, a WARC archive or an http(s) URL"))
    watch = sub.add_parser("watch", help=_("keep the index up to date with the corpus (and fetch feeds)"),
                           description=_("Index corpus files as they are added, changed or deleted; "
                           "with --fetch-every, fetch the feeds too. Ctrl+C stops."))
    watch.add_argument("--fetch-every", type=duration, default=None, metavar="DURATION",
                       help=_("fetch the feeds this often (e.g. 30m, 1h)"))
    for cmd, handler in ((fetch, _fetch), (imp, _import), (watch, _watch)):
        _paths(cmd)
        _politeness(cmd)
        cmd.set_defaults(handler=handler)

    from .alerts import register_alerts

    register_alerts(sub)


# -- feeds ----------------------------------------------------------------------


def _feeds(args: argparse.Namespace, index: Path | str, corpus: Path) -> int:
    from ..ingest import FeedList

    feeds = FeedList(corpus)
    if args.feeds_command == "add":
        feed = feeds.add(args.url, args.name)
        print(_("added feed {name}: {url} (in {path})").format(name=feed.name, url=feed.url,
                                                                path=feeds.path))
    elif args.feeds_command == "remove":
        feed = feeds.remove(args.feed)
        print(_("removed feed {name}: {url}").format(name=feed.name, url=feed.url))
    elif args.json:
        _dump([{"name": f.name, "url": f.url} for f in feeds.load()])
    else:
        listed = feeds.load()
        for feed in listed:
            print(f"{feed.name}\t{feed.url}")
        if not listed:
            print(_("no feeds in {path}: add one with `search feeds add URL`").format(path=feeds.path),
                  file=sys.stderr)
    return 0


# -- fetch, import ----------------------------------------------------------------


def _ingester(args: argparse.Namespace, corpus: Path) -> Ingester:
    from ..ingest import Fetcher, FetchState, Ingester
    from ..userfiles import state_dir

    if args.timeout <= 0 or args.delay < 0 or args.max_size <= 0:
        raise SearchError("--timeout and --max-size must be more than 0, --delay 0 or more")
    fetcher = Fetcher(timeout=args.timeout, delay=args.delay, max_bytes=int(args.max_size * (1 << 20)))
    return Ingester(corpus, fetcher, state=FetchState(state_dir() / "feeds.json", corpus),
                    refresh=args.refresh)


def _finish(args: argparse.Namespace, action: str, report: IngestReport, index: Path | str,
            corpus: Path) -> int:
    """Report the failures (stderr) and the summary (stdout), update the index; the exit status."""
    from ..ingest import update_index

    for failure in report.failures:
        feed = _(" (feed {name})").format(name=failure.feed) if failure.feed else ""
        print(f"{failure}{feed}", file=sys.stderr)
    indexed: IndexReport | None = None
    if report.changed:
        indexed = update_index(corpus, index)
    if args.json:
        _dump({"added": report.added, "updated": report.updated, "unchanged": report.unchanged,
               "duplicates": report.duplicates, "not_modified": report.not_modified,
               "failures": [{"where": f.where, "reason": f.reason, "feed": f.feed} for f in report.failures],
               "written": report.written, "index": None if indexed is None else {
                   "added": indexed.added, "updated": indexed.updated, "deleted": indexed.deleted,
                   "articles": indexed.articles}})
        return 0 if report.ok else 1
    text = _("{action}: {added} added, {updated} updated, {unchanged} unchanged, {duplicates} duplicates")
    line = text.format(
        action=action, added=len(report.added), updated=len(report.updated), unchanged=report.unchanged,
        duplicates=report.duplicates)
    if report.not_modified:
        line += _("; not modified: {feeds}").format(feeds=", ".join(report.not_modified))
    if report.failures:
        which = sorted({f.feed or f.where for f in report.failures})
        line += _("; {n} failed ({which})").format(n=len(report.failures), which=", ".join(which))
    print(line)
    if indexed is not None:
        print(index_line(index, indexed))
    return 0 if report.ok else 1


def index_line(index: Path | str, report: IndexReport) -> str:
    """What an update after news came in did to the index, in one line."""
    text = _("index {index}: {added} added, {updated} updated, {deleted} deleted; {articles} articles")
    return text.format(
        index=index, added=report.added, updated=report.updated, deleted=report.deleted,
        articles=report.articles)


def _fetch(args: argparse.Namespace, index: Path | str, corpus: Path) -> int:
    from ..ingest import FeedList

    feeds = FeedList(corpus).select(args.names)
    if not feeds:
        raise SearchError(f"no feeds in {FeedList(corpus).path}: add one with `search feeds add URL`")
    with _ingester(args, corpus) as ing:
        ing.fetch_feeds(feeds)
    return _finish(args, "fetch", ing.report, index, corpus)


def _import(args: argparse.Namespace, index: Path | str, corpus: Path) -> int:
    from ..ingest import import_source

    with _ingester(args, corpus) as ing:
        for source in args.sources:
            import_source(ing, source)
    return _finish(args, "import", ing.report, index, corpus)


# -- watch ----------------------------------------------------------------------


def _watch(args: argparse.Namespace, index: Path | str, corpus: Path) -> int:
    from ..ingest import FeedList, update_index
    from ..ingest.watch import watch

    if not corpus.is_dir():
        raise SearchError(f"{corpus}: not a folder: `search watch` watches a corpus folder (--corpus)")
    stop = threading.Event()

    def on_signal(_sig: int, _frame: Any) -> None:
        stop.set()

    previous = signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def update(paths: set[str]) -> None:
        report = update_index(corpus, index)
        for problem in report.problems:
            if not paths or str(Path(problem.path).resolve()) in paths:
                print(f"{problem}", file=sys.stderr, flush=True)
        if report.changed:
            print(index_line(index, report), flush=True)

    def fetch() -> None:
        feeds = FeedList(corpus).load()
        if feeds:
            with _ingester(args, corpus) as ing:
                ing.fetch_feeds(feeds)
            _finish(args, "fetch", ing.report, index, corpus)
            sys.stdout.flush()

    print(_("watching {corpus} (Ctrl+C stops)").format(corpus=corpus), file=sys.stderr, flush=True)
    try:
        watch(corpus, update=update, fetch=fetch if args.fetch_every else None,
              fetch_every=args.fetch_every, stop=stop,
              report=lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        signal.signal(signal.SIGINT, previous)
    print(_("stopped"), file=sys.stderr)
    return 0

