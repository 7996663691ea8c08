"""`search alerts add|list|remove|run`: saved searches and what is new for each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import _open
from . import common_options as _paths
from .output import dump as _dump

__all__ = ["register_alerts"]


def register_alerts(sub: Any) -> None:
    """Add `search alerts …` to the `search` parser's subparsers."""
    alerts = sub.add_parser("alerts", help="saved searches: what is new on your subjects",
                            description="Saved searches, kept in the config folder; `run` reports "
                            "the articles that match and are new since the alert's last run.")
    alerts_sub = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", required=True)
    add = alerts_sub.add_parser("add", help="save a search", description="save a search")
    add.add_argument("name")
    add.add_argument("query", nargs="+", help="any query of the query language")
    add.add_argument("--source", action="append", help="only this source (repeatable)")
    add.add_argument("--tag", action="append", help="only this tag / rubrique (repeatable)")
    add.add_argument("--author", action="append", help="only this author (repeatable)")
    alerts_sub.add_parser("list", help="list the alerts", description="list the alerts").add_argument(
        "--json", action="store_true", help="print JSON")
    remove = alerts_sub.add_parser("remove", help="remove an alert", description="remove an alert")
    remove.add_argument("name")
    run = alerts_sub.add_parser("run", help="report the new matches of each alert",
                                description="Report, per alert, the matching articles new since its "
                                "last run (a first run records what exists and reports nothing, "
                                "unless --all).")
    run.add_argument("names", nargs="*", metavar="NAME", help="only these alerts (default: all)")
    out = run.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--format", choices=("text", "md"), default="text", help="md: a Markdown digest")
    run.add_argument("--all", action="store_true", help="report every match as new (also on a first run)")
    run.add_argument("-n", "--limit", type=int, default=50, help="new articles shown per alert (default 50)")
    for parser in (alerts, *alerts_sub.choices.values()):
        _paths(parser)
    alerts.set_defaults(handler=_alerts)


def _book() -> Any:
    from ..alerts import AlertBook
    from ..userfiles import config_dir, state_dir

    return AlertBook(config_dir(), state_dir())


def _alerts(args: argparse.Namespace, index: Path, corpus: Path) -> int:
    book = _book()
    if args.alerts_command == "add":
        filters = {k: v for k, v in (("source", args.source), ("tags", args.tag),
                                     ("author", args.author)) if v}
        alert = book.add(args.name, " ".join(args.query), filters)
        print(f"added alert {alert.name}: {alert.query} (in {book.path})")
    elif args.alerts_command == "remove":
        alert = book.remove(args.name)
        print(f"removed alert {alert.name}: {alert.query}")
    elif args.alerts_command == "list":
        alerts = book.alerts()
        if args.json:
            _dump([{"name": a.name, "query": a.query, "filters": a.filters} for a in alerts])
        for alert in [] if args.json else alerts:
            shown = " ".join(f"--{k.rstrip('s')} {v!r}" for k, vs in alert.filters.items() for v in vs)
            print(f"{alert.name}\t{alert.query}" + (f"\t{shown}" if shown else ""))
        if not alerts and not args.json:
            print(f"no alerts in {book.path}: add one with `search alerts add NAME QUERY`", file=sys.stderr)
    else:
        return _run(args, book, index, corpus)
    return 0


def _run(args: argparse.Namespace, book: Any, index: Path, corpus: Path) -> int:
    from ..export import markdown_section

    with _open(index, corpus) as ix:
        runs = book.run(ix, args.names, report_all=args.all, limit=args.limit)
    if args.json:
        _dump({"alerts": [{"name": r.alert.name, "query": r.alert.query, "first_run": r.first_run,
                           "last_run": r.last_run, "total": r.total, "new": r.new} for r in runs]})
        return 0
    for r in runs:
        when = "all matches" if args.all else (
            "first run: matches recorded" if r.first_run else f"since {r.last_run}")
        note = f"{len(r.new)} new of {r.total} matching ({when})"
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
        print("no alerts: add one with `search alerts add NAME QUERY`", file=sys.stderr)
    return 0
