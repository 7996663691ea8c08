"""Cluster tooling: the searchd configs of a cluster, and a local one run for trying it.

`write_configs` writes one config per node into a folder, with the stop words and word
forms of the project's analysis beside them; every path in a config is absolute, so the
folder must sit at the same place on each node. `start_local` runs nodes on 127.0.0.1 on
free ports (in a folder of their own), `stop_local` stops them by their pid files.
A Sphinx 2.x node has no authentication: a cluster belongs on a private network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from ..errors import ClusterError, ClusterUnavailableError
from ..french import IRREGULAR_PLURALS, STOP_WORDS
from ..storage import process_alive
from .documents import FIELDS
from .layout import GENERATIONS, Tables, Topology
from .nodes import API_PORT_OFFSET, Location, Node

__all__ = [
    "LocalCluster",
    "node_config",
    "start_local",
    "start_node",
    "stop_local",
    "write_configs",
]

CLUSTER_FILE = "cluster.json"
STOPWORDS_FILE = "stopwords-fr.txt"
WORDFORMS_FILE = "wordforms-fr.txt"
#: Seconds a node may take to accept connections, or to stop.
WAIT = 15.0

# ASCII letters and digits, the dot of decimal numbers, and the accented Latin letters
# folded (the project sends folded text; this serves other SphinxQL clients)
_ACCENTS = {"a": "ÀÁÂÃÄÅàáâãäå", "c": "Çç", "e": "ÈÉÊËèéêë", "i": "ÌÍÎÏìíîï", "n": "Ññ",
            "o": "ÒÓÔÕÖòóôõö", "u": "ÙÚÛÜùúûü", "y": "ÝýÿŸ"}
_CHARSET = ", ".join(["0..9", "a..z", "A..Z->a..z", "U+2E"] + [
    f"U+{ord(c):X}->{base}" for base, chars in _ACCENTS.items() for c in chars])
_ATTRS = ("rt_attr_string = aid", "rt_attr_string = digest", "rt_attr_bigint = date",
          "rt_attr_uint = has_date", "rt_attr_uint = year", "rt_attr_uint = month",
          "rt_attr_bigint = source_id", "rt_attr_bigint = dupurl", "rt_attr_bigint = dupbody",
          "rt_attr_bigint = grp", "rt_attr_uint = dups",
          "rt_attr_multi_64 = author_ids", "rt_attr_multi_64 = tag_ids",
          *(f"rt_attr_string = doc{i}" for i in range(4)))


def _block(header: str, lines: Sequence[str]) -> str:
    return f"{header}\n{{\n" + "".join(f"    {line}\n" for line in lines) + "}\n"


def _data(folder: Path, node: Node) -> Path:
    return folder / f"node-{node.host}-{node.port}"


def node_config(topology: Topology, node: Node, folder: Path, table: str, *, watchdog: bool = True,
                ) -> str:
    """The searchd config of one node: its shards' tables (both generations), the meta
    table, the distributed tables (engine-chosen copies, and pinned ones), searchd itself."""
    folder = folder.resolve()
    tables = Tables(table)
    data = _data(folder, node)
    analysis = ["dict = keywords", "morphology = libstemmer_fr",
                f"stopwords = {folder / STOPWORDS_FILE}", "stopwords_unstemmed = 1",
                "stopword_step = 0", f"wordforms = {folder / WORDFORMS_FILE}",
                "index_exact_words = 1", "min_prefix_len = 2", "index_field_lengths = 1",
                f"charset_table = {_CHARSET}"]
    out = [f"# search-fr: node {node} of `{table}` (written by `search cluster config`; "
           "write it again rather than edit it)\n"]
    for gen in GENERATIONS:
        for shard in topology.held_by(node):
            name = tables.shard(gen, shard)
            out.append(_block(f"index {name}", [
                "type = rt", f"path = {data / name}", "rt_mem_limit = 256M",
                *(f"rt_field = {name}" for name in FIELDS), *_ATTRS, *analysis]))
    out.append(_block(f"index {tables.meta}", [
        "type = rt", f"path = {data / tables.meta}", "rt_field = note",
        "rt_attr_string = kind", "rt_attr_bigint = version", "rt_attr_string = data"]))
    timeouts = ["agent_connect_timeout = 1000", "agent_query_timeout = 30000"]
    mirrors = ["ha_strategy = nodeads"] if topology.copies > 1 else []
    for gen in GENERATIONS:
        agents = ["agent = " + "|".join(f"{n.host}:{n.api_port}:{tables.shard(gen, s)}" for n in copies)
                  for s, copies in enumerate(topology.shards)]
        out.append(_block(f"index {tables.dist(gen)}", ["type = distributed", *agents, *mirrors, *timeouts]))
        for copy in range(topology.copies):
            pinned = [f"agent = {n.host}:{n.api_port}:{tables.shard(gen, s)}"
                      for s, n in enumerate(topology.pinned(copy))]
            out.append(_block(f"index {tables.pinned(gen, copy)}",
                              ["type = distributed", *pinned, *timeouts]))
    out.append(_block("searchd", [
        f"listen = {node.host}:{node.api_port}", f"listen = {node.host}:{node.port}:mysql41",
        f"log = {data / 'searchd.log'}", f"query_log = {data / 'query.log'}",
        f"pid_file = {data / 'searchd.pid'}", f"binlog_path = {data}", "workers = threads",
        "listen_backlog = 256",
        "max_packet_size = 128M", f"watchdog = {int(watchdog)}"]))
    return "\n".join(out)


def _config_path(folder: Path, node: Node) -> Path:
    return folder / f"node-{node.host}-{node.port}.conf"


def write_configs(topology: Topology, folder: Path, table: str = "articles", *,
                  watchdog: bool = True) -> list[Path]:
    """Write the config of every node, the analysis files and `cluster.json` into `folder`;
    return the configs' paths."""
    Location.parse(f"sphinx://127.0.0.1:9306/{table}")  # a valid table name, or ClusterError
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STOPWORDS_FILE).write_text("".join(f"{w}\n" for w in sorted(STOP_WORDS)))
    (folder / WORDFORMS_FILE).write_text(
        "".join(f"{plural} > {singular}\n" for plural, singular in sorted(IRREGULAR_PLURALS.items())))
    paths = []
    for node in topology.nodes:
        _data(folder, node).mkdir(exist_ok=True)
        path = _config_path(folder, node)
        path.write_text(node_config(topology, node, folder, table, watchdog=watchdog))
        paths.append(path)
    (folder / CLUSTER_FILE).write_bytes(orjson.dumps({
        "table": table, "shards": [[str(n) for n in copies] for copies in topology.shards]},
        option=orjson.OPT_INDENT_2))
    return paths


@dataclass(frozen=True)
class LocalCluster:
    """Nodes run on this machine: their folder, the index's address, the topology."""

    folder: Path
    table: str
    topology: Topology

    @property
    def url(self) -> str:
        """The address of the index (on the first node)."""
        return f"sphinx://{self.topology.nodes[0]}/{self.table}"

    def pid(self, node: Node) -> int | None:
        """The pid of a running node (None: not running)."""
        return _running(_data(self.folder, node) / "searchd.pid")

    @classmethod
    def read(cls, folder: Path) -> LocalCluster | None:
        """The local cluster described in `folder` (None: none)."""
        try:
            data = orjson.loads((folder / CLUSTER_FILE).read_bytes())
            shards = tuple(tuple(Node.parse(n) for n in copies) for copies in data["shards"])
            return cls(folder, str(data["table"]), Topology(shards))
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None


def _free_ports(count: int) -> list[int]:
    """Free SphinxQL ports on 127.0.0.1 whose agent port (+6) is free too."""
    held: list[socket.socket] = []
    ports: list[int] = []
    try:
        while len(ports) < count:
            first = socket.socket()
            first.bind(("127.0.0.1", 0))
            held.append(first)
            port = first.getsockname()[1]
            if port + API_PORT_OFFSET > 65535:
                continue
            second = socket.socket()
            try:
                second.bind(("127.0.0.1", port + API_PORT_OFFSET))
            except OSError:
                second.close()
                continue
            held.append(second)
            ports.append(port)
    finally:
        for sock in held:
            sock.close()
    return ports


def _running(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if b"searchd" in cmdline else None  # not a pid reused by another program


def _wait_accepting(node: Node, deadline: float) -> bool:
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((node.host, node.port), 0.5):
            return True
        time.sleep(0.05)
    return False


def start_node(cluster: LocalCluster, node: Node, searchd: str) -> None:
    """Start one node of a local cluster (nothing if it runs).

    Raises:
        ClusterError: searchd refused its config or did not start.
    """
    if cluster.pid(node) is not None:
        return
    config = _config_path(cluster.folder, node)
    log = _data(cluster.folder, node) / "searchd.log"
    seen = log.stat().st_size if log.exists() else 0
    proc = subprocess.run([searchd, "--config", str(config)], capture_output=True, text=True,
                          timeout=WAIT, check=False)
    said = [line for line in (proc.stdout + proc.stderr).splitlines()
            if line.startswith(("FATAL", "ERROR"))]
    if proc.returncode != 0 or said:
        raise ClusterError(cluster.url, f"searchd did not start node {node}: "
                           f"{said[0] if said else f'exit status {proc.returncode}'}")
    if not _wait_accepting(node, time.monotonic() + WAIT):
        raise ClusterUnavailableError(cluster.url, f"node {node} did not accept connections "
                                      f"within {WAIT:g} s (see {log})")
    # searchd serves what it could load: a table it refused is only a warning in its log
    with contextlib.suppress(OSError), log.open("rb") as lines:
        lines.seek(seen)
        refused = [line for line in lines.read().decode(errors="replace").splitlines()
                   if "NOT SERVING" in line]
        if refused:
            raise ClusterError(cluster.url, f"node {node} refused a table: {refused[-1][-200:]}")


def start_local(count: int, folder: Path, *, table: str = "articles",
                layout: Sequence[Sequence[int]] | None = None) -> LocalCluster:
    """Run `count` nodes on 127.0.0.1 in `folder` (the nodes already described there are
    started again, with their ports and data).

    Args:
        count: nodes.
        folder: their configs, data, logs and pid files.
        table: the index's name.
        layout: the nodes (by number) holding each shard, first copy first; by default
            `count` shards, each on two nodes (one when `count` is 1).

    Raises:
        ClusterError: searchd is not installed, or refused a config.
    """
    searchd = shutil.which("searchd")
    if searchd is None:
        raise ClusterError(f"sphinx://127.0.0.1/{table}", "searchd is not installed "
                           "(apt-get install sphinxsearch, or Manticore Search)")
    cluster = LocalCluster.read(folder)
    if cluster is None or len(cluster.topology.nodes) != count or cluster.table != table:
        nodes = [Node("127.0.0.1", port) for port in _free_ports(count)]
        if layout is None:
            topology = Topology.plan(nodes, count, min(2, count))
        else:
            topology = Topology(tuple(tuple(nodes[i] for i in copies) for copies in layout))
        write_configs(topology, folder, table, watchdog=False)
        cluster = LocalCluster(folder, table, topology)
    for node in cluster.topology.nodes:
        start_node(cluster, node, searchd)
    return cluster


def stop_local(folder: Path) -> list[Node]:
    """Stop the nodes of the local cluster in `folder` by their pid files; return those
    that were running."""
    cluster = LocalCluster.read(folder)
    if cluster is None:
        return []
    stopped = []
    for node in cluster.topology.nodes:
        pid = cluster.pid(node)
        if pid is None:
            continue
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + WAIT
        while process_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if process_alive(pid):
            os.kill(pid, signal.SIGKILL)
        stopped.append(node)
    return stopped
