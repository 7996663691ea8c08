"""Where an index lives on a cluster: its tables, shards, copies, and the copies a search reads.

The tables of an index named `articles` (two generations, `a` and `b`: a rebuild writes
the one not searched, then switches)::

    articles_meta          on every node: the state (searched generation, versions),
                           the vocabulary and field values, the writers' lock
    articles_a_s0 …        real-time tables, one per shard (and generation), on each node
                           holding a copy of that shard
    articles_a             on every node: a distributed table over one copy of each shard,
                           the engine choosing among the copies (`ha_strategy`)
    articles_a_r0 …        the same, pinned to copy k of each shard (copy k mod their
                           number): what a search reads while a node is known to be down

Sphinx 2.2.11 retries a failed agent on the same mirror (`SetNextRetry`, and only with a
retry delay), and its `nodeads` strategy drops a mirror after 3 errors in a row (pings
included): right after a node dies, a search may come back without its shards, with a
warning. The backend then reads the pinned table that avoids the node for `DOWN_SECONDS`:
a search retries at most once. (`noerrors` never sends a search to a mirror that has not
answered one yet: the second copy would stay idle.)
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ClusterError
from .nodes import API_PORT_OFFSET, Node

__all__ = ["DOWN_SECONDS", "GENERATIONS", "Router", "Tables", "Topology", "failed_agents"]

#: The two generations of an index's tables.
GENERATIONS = ("a", "b")
#: Seconds a node that failed a search is avoided before the engine's own choice is trusted
#: again.
DOWN_SECONDS = 10.0

_AGENT = re.compile(r"^(?P<host>[^:]+):(?P<port>\d+):(?P<table>\w+)$")
_ROLE = re.compile(r"^remote_(?P<shard>\d+)(?:_mirror_\d+)?$")
# searchd's words for a failed agent: "agent 127.0.0.1:9312: connect() failed"
_FAILED = re.compile(r"agent (?P<host>[^\s:]+):(?P<port>\d+)")


@dataclass(frozen=True)
class Tables:
    """The table names of one index."""

    base: str

    @property
    def meta(self) -> str:
        """The state, lexicon and lock table."""
        return f"{self.base}_meta"

    def shard(self, gen: str, shard: int) -> str:
        """The real-time table of one shard."""
        return f"{self.base}_{gen}_s{shard}"

    def dist(self, gen: str) -> str:
        """The distributed table searched, over every shard."""
        return f"{self.base}_{gen}"

    def pinned(self, gen: str, copy: int) -> str:
        """The distributed table reading copy `copy` of each shard."""
        return f"{self.base}_{gen}_r{copy}"


@dataclass(frozen=True)
class Topology:
    """The shards of an index and the nodes holding a copy of each (first copy first)."""

    shards: tuple[tuple[Node, ...], ...]

    def __post_init__(self) -> None:
        if not self.shards or any(not copies for copies in self.shards):
            raise ValueError("a cluster needs at least one shard, each on at least one node")
        if any(len(set(copies)) != len(copies) for copies in self.shards):
            raise ValueError("a shard is held twice by the same node")

    @property
    def nodes(self) -> tuple[Node, ...]:
        """Every node, in the order they first appear."""
        return tuple(dict.fromkeys(n for copies in self.shards for n in copies))

    @property
    def copies(self) -> int:
        """The most copies a shard has."""
        return max(len(copies) for copies in self.shards)

    def shard_of(self, doc_id: int) -> int:
        """The shard an article goes to."""
        return doc_id % len(self.shards)

    def pinned(self, copy: int) -> tuple[Node, ...]:
        """The node read for each shard by the pinned table `copy`."""
        return tuple(copies[copy % len(copies)] for copies in self.shards)

    def held_by(self, node: Node) -> list[int]:
        """The shards `node` holds a copy of."""
        return [i for i, copies in enumerate(self.shards) if node in copies]

    @classmethod
    def plan(cls, nodes: Sequence[Node], shards: int, copies: int) -> Topology:
        """Spread `shards` shards with `copies` copies each over `nodes`: copy r of shard s
        goes to node (s + r) mod the number of nodes.

        Raises:
            ValueError: fewer nodes than copies, or a count below 1.
        """
        if shards < 1 or copies < 1:
            raise ValueError("shards and replicas must be 1 or more")
        if copies > len(nodes):
            raise ValueError(f"{copies} replicas need at least {copies} nodes, not {len(nodes)}")
        if len(set(nodes)) != len(nodes):
            raise ValueError("a node is listed twice")
        return cls(tuple(tuple(nodes[(s + r) % len(nodes)] for r in range(copies))
                         for s in range(shards)))

    @classmethod
    def described(cls, rows: Iterable[Sequence[Any]], tables: Tables, gen: str,
                  location: str) -> Topology:
        """Read the topology from `DESCRIBE` of the distributed table of `gen`: one row
        (`host:api_port:table`, `remote_N` or `remote_N_mirror_M`) per copy.

        Raises:
            ClusterError: the table is not a distributed table over this index's shards.
        """
        shards: dict[int, list[Node]] = {}
        for agent, role, *_ in rows:
            a, r = _AGENT.match(str(agent)), _ROLE.match(str(role))
            prefix = f"{tables.base}_{gen}_s"
            if a is None or r is None or not a.group("table").startswith(prefix):
                raise ClusterError(location, f"{tables.dist(gen)} is not a distributed table over "
                                   f"{prefix}N agents: write the configs with `search cluster config`")
            shard = int(a.group("table")[len(prefix):])
            node = Node(a.group("host"), int(a.group("port")) - API_PORT_OFFSET)
            shards.setdefault(shard, []).append(node)
        if sorted(shards) != list(range(len(shards))) or not shards:
            raise ClusterError(location, f"{tables.dist(gen)} does not list shards 0 to N: write "
                               "the configs with `search cluster config`")
        return cls(tuple(tuple(shards[i]) for i in range(len(shards))))


def failed_agents(messages: Iterable[str]) -> set[tuple[str, int]]:
    """The (host, agent port) of the agents searchd says failed, from its warnings."""
    return {(m.group("host"), int(m.group("port"))) for text in messages
            for m in _FAILED.finditer(text)}


class Router:
    """Chooses the distributed table a search reads: the engine's choice of copies, or,
    while a node is known to be down, the pinned table that avoids it."""

    def __init__(self, topology: Topology, tables: Tables, location: str) -> None:
        self.topology = topology
        self.tables = tables
        self.location = location
        #: Seconds a failed node is avoided.
        self.down_seconds = DOWN_SECONDS
        self._down: dict[Node, float] = {}
        self._lock = threading.Lock()

    def down(self) -> set[Node]:
        """The nodes avoided now."""
        now = time.monotonic()
        with self._lock:
            for node, until in list(self._down.items()):
                if until <= now:
                    del self._down[node]
            return set(self._down)

    def mark_down(self, agents: Iterable[tuple[str, int]]) -> None:
        """Avoid the nodes of these failed agents for `down_seconds`."""
        until = time.monotonic() + self.down_seconds
        by_api = {(n.host, n.api_port): n for n in self.topology.nodes}
        with self._lock:
            for agent in agents:
                node = by_api.get(agent)
                if node is not None:
                    self._down[node] = until

    def table(self, gen: str) -> str:
        """The distributed table to read now."""
        down = self.down()
        if not down:
            return self.tables.dist(gen)
        for copy in range(self.topology.copies):
            if not down.intersection(self.topology.pinned(copy)):
                return self.tables.pinned(gen, copy)
        # no pinned table avoids them all (the only copy of a shard is on one of them: a
        # node may also miss one query when it is busy): the engine chooses
        return self.tables.dist(gen)
