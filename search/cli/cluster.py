"""`search cluster`: write the searchd configs of a cluster, or run one on this machine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..errors import SearchError

__all__ = ["main", "register", "run"]

DEFAULT_FOLDER = "cluster"
DEFAULT_TABLE = "articles"


def _nodes(text: str) -> list[object]:
    from .._sphinx.nodes import Node

    try:
        return [Node.parse(part) for part in text.split(",") if part.strip()]
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the `cluster` command (config, start, stop) to the `search` command's parsers."""
    cluster = subparsers.add_parser(
        "cluster", help="set up a Sphinx/Manticore cluster, or run one here",
        description="Write the searchd configs of a cluster (a distributed table over the "
        "shards, mirrors with failover), or run its nodes on this machine to try it. "
        "The index is then sphinx://HOST:PORT/TABLE for --index.")
    actions = cluster.add_subparsers(dest="cluster_action", metavar="ACTION")
    actions.required = True
    config = actions.add_parser(
        "config", help="write the config of every node",
        description="Write one searchd config per node into --dir, with the analysis files; "
        "the folder must be at the same path on every node. Sphinx 2.x has no "
        "authentication: keep a cluster on a private network.")
    config.add_argument("--shards", type=_positive, required=True, help="shards of the index")
    config.add_argument("--replicas", type=_positive, default=1,
                        help="copies of each shard, on different nodes (default 1)")
    config.add_argument("--nodes", type=_nodes, required=True, metavar="HOST:PORT,…",
                        help="the nodes' SphinxQL addresses (each also listens on PORT+6 for "
                        "the other nodes)")
    for name, text in (("start", "run N nodes on 127.0.0.1 (free ports)"),
                       ("stop", "stop the nodes run by `start` (by their pid files)")):
        cmd = actions.add_parser(name, help=text, description=text)
        cmd.add_argument("--local", type=_positive, required=name == "start", metavar="N",
                         help="nodes on this machine")
    for cmd in actions.choices.values():
        cmd.add_argument("--dir", type=Path, default=Path(DEFAULT_FOLDER),
                         help=f"the cluster's folder (default {DEFAULT_FOLDER}/)")
        cmd.add_argument("--table", default=DEFAULT_TABLE,
                         help=f"the index's table name (default {DEFAULT_TABLE})")
    cluster.set_defaults(handler=run)


def run(args: argparse.Namespace, *_unused: object) -> int:
    """Run a parsed `search cluster …` command; return the exit status. (The index and
    the corpus that the `search` command passes to every handler are not used.)

    Raises:
        SearchError: searchd is missing, refused a config, or a node did not start.
    """
    from .._sphinx.cluster import start_local, stop_local, write_configs
    from .._sphinx.layout import Topology

    if args.cluster_action == "config":
        try:
            topology = Topology.plan(args.nodes, args.shards, args.replicas)
        except ValueError as err:
            print(f"search cluster config: error: {err}", file=sys.stderr)
            return 2
        for path in write_configs(topology, args.dir, args.table):
            print(path)
        first = topology.nodes[0]
        print(f"start each node with `searchd --config FILE`; the index is "
              f"sphinx://{first}/{args.table}", file=sys.stderr)
    elif args.cluster_action == "start":
        cluster = start_local(args.local, args.dir, table=args.table)
        for node in cluster.topology.nodes:
            print(f"node {node} (shards {', '.join(map(str, cluster.topology.held_by(node)))}) "
                  f"pid {cluster.pid(node)}", file=sys.stderr)
        print(cluster.url)
    else:
        for node in stop_local(args.dir):
            print(f"stopped node {node}", file=sys.stderr)
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m search.cli.cluster ACTION …`, the same as `search cluster ACTION …`."""
    parser = _Parser(prog="search")
    register(parser.add_subparsers(dest="command", parser_class=_Parser))
    args = parser.parse_args(["cluster", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run(args)
    except SearchError as error:
        print(f"search: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
