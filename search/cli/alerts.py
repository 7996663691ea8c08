"""`search alerts add|list|remove|run`: saved searches and what is new for each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..i18n import _
from . import _open
from . import common_options as _paths
from .output import dump as _dump

__all__ = ["register_alerts"]


def register_alerts(sub: Any) -> None:
    """Add `search alerts …` to the `search` parser's subparsers."""
    alerts = sub.add_parser("alerts", help=_("saved searches: what is new on your subjects"),
                            description=_("Saved searches, kept in the config folder; `run` reports "
                            "the articles that match and are new since the alert's last run."))
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    add = alerts_sub.add_parser("add", help=_("save a search"), description=_("save a search"))
    add.add_argument("name", help=_("the alert's name (letters, digits, spaces, . _ -)"))
    add.add_argument("query", nargs="+", help=_("any query of the query language"))
    add.add_argument("--source", action="append", help=_("only this source (repeatable)"))
    add.add_argument("--tag", action="append", help=_("only this tag / rubrique (repeatable)"))
    add.add_argument("--author", action="append", help=_("only this author (repeatable)"))
    alerts_sub.add_parser("list", help=_("list the alerts"), description=_("list the alerts")).add_argument(
        "--json", action="store_true", help=_("print JSON"))
    remove = alerts_sub.add_parser("remove", help=_("remove an alert"), description=_("remove an alert"))
    remove.add_argument("name", help=_("the alert's name"))
    run = alerts_sub.add_parser("run", help=_("report the new matches of each alert"),
                                description=_("Report, per alert, the matching articles new since its "
                                "last run (a first run records what exists and reports nothing, "
                                "unless --all)."))
    run.add_argument("names", nargs="*", metavar="NAME", help=_("only these alerts (default: all)"))
    out = run.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help=_("print one JSON object"))
    out.add_argument("--format", choices=("text", "md"), default="text", help=_("md: a Markdown digest"))
    run.add_argument("--all", action="store_true", help=_("report every match as new (also on a first run)"))
    run.add_argument("-n", "--limit", type=int, default=50,
                     help=_("new articles shown per alert (default 50)"))
    for parser in (alerts, *alerts_sub.choices.values()):
        _paths(parser)
    alerts.set_defaults(handler=_alerts)


def _book() -> Any:
    from ..alerts import AlertBook
    from ..userfiles import config_dir, state_dir

    return AlertBook(config_dir(), state_dir())


def _alerts(args: argparse.Namespace, index: Path | str, corpus: Path) -> int:
    book = _book()
    if args.alerts_command == "add":
        filters = {k: v for k, v in (("source", args.source), ("tags", args.tag),
                                     ("author", args.author)) if v}
        alert = book.add(args.name, " ".join(args.query), filters)
        print(_("added alert {name}: {query} (in {path})").format(name=alert.name, query=alert.query,
                                                                   path=book.path))
    elif args.alerts_command == "remove":
        alert = book.remove(args.name)
        print(_("removed alert {name}: {query}").format(name=alert.name, query=alert.query))
    elif args.alerts_command == "list":
        alerts = book.alerts()
        if args.json:
            _dump([{"name": a.name, "query": a.query, "filters": a.filters} for a in alerts])
        for alert in [] if args.json else alerts:
            shown = " ".join(f"--{k.rstrip('s')} {v!r}" for k, vs in alert.filters.items() for v in vs)
            print(f"{alert.name}\t{alert.query}" + (f"\t{shown}" if shown else ""))
        if not alerts and not args.json:
            text = _("no alerts in {path}: add one with `search alerts add NAME QUERY`")
            print(text.format(path=book.path), file=sys.stderr)
    else:
        return _run(args, book, index, corpus)
    return 0


def _run(args: argparse.Namespace, book: Any, index: Path | str, corpus: Path) -> int:
    from ..export import markdown_section

    with _open(index, corpus) as ix:
        runs = book.run(ix, args.names, report_all=args.all, limit=args.limit)
    if args.json:
        _dump({"alerts": [{"name": r.alert.name, "query": r.alert.query, "first_run": r.first_run,
                           "last_run": r.last_run, "total": r.total, "new": r.new} for r in runs]})
        return 0
    for r in runs:
        when = _("all matches") if args.all else (
            _("first run: matches recorded") if r.first_run else _("since {when}").format(when=r.last_run))
        note = _("{new} new of {total} matching ({when})").format(new=len(r.new), total=r.total, when=when)
        if args.format == "md":
            sys.stdout.write(markdown_section(f"{r.alert.name}: {r.alert.query}", r.new, note=note) + "\n")
            continue
        print(f"{r.alert.name}: {note}")
        for hit in r.new:
            meta = " · ".join(x for x in (hit.date.date().isoformat() if hit.date else "", hit.source) if x)
            print(f"  {hit.title}" + (f" ({meta})" if meta else ""))
            if hit.url:
                print(f"    {hit.url}")
            if hit.snippet:
                print(f"    {' '.join(hit.snippet.split())}")
    if not runs:
        print(_("no alerts: add one with `search alerts add NAME QUERY`"), file=sys.stderr)
    return 0
