"""One index on one cluster (`Site`), and its reads: batched, checked, retried on failover."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..clock import Clock
from ..errors import ClusterError, ClusterUnavailableError
from .layout import Router, Tables, Topology, failed_agents
from .nodes import Location, Node, Pool, QLError, Session

__all__ = ["Answer", "Query", "Site"]

T = TypeVar("T")


@dataclass(frozen=True)
class Query:
    """A SELECT, and whether its `SHOW META` (total found…) is wanted."""

    sql: str
    meta: bool = False


@dataclass
class Answer:
    """The rows of a query and its meta."""

    rows: list[tuple[Any, ...]]
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class Site:
    """An index on a cluster: its address, tables, shards, sessions and the copies read."""

    location: Location
    tables: Tables
    topology: Topology
    pool: Pool
    router: Router
    #: Reads run a second time because an agent failed (for monitoring and tests).
    retries: int = 0

    @property
    def url(self) -> str:
        """The index's address, for messages."""
        return str(self.location)

    def head(self) -> AbstractContextManager[Session]:
        """A session to the node the address names (it holds the distributed tables)."""
        return self.pool.session(self.location.node)

    @contextmanager
    def sessions(self, nodes: Sequence[Node]) -> Iterator[list[Session]]:
        """Sessions to these nodes for the block (every one must answer)."""
        with ExitStack() as stack:
            yield [stack.enter_context(self.pool.session(node)) for node in nodes]

    def each_shard(self, gen: str, action: Callable[[Session, str], T]) -> list[T]:
        """`action(session, table)` on one copy of each shard of `gen` (the next copy when
        a node does not answer), in shard order.

        Raises:
            ClusterUnavailableError: no copy of a shard answers.
        """
        out: list[T] = []
        for shard, copies in enumerate(self.topology.shards):
            down = self.router.down()
            ordered = sorted(copies, key=lambda node: node in down)
            for n, node in enumerate(ordered):
                try:
                    with self.pool.session(node) as session:
                        out.append(action(session, self.tables.shard(gen, shard)))
                    break
                except ClusterUnavailableError:
                    if n == len(ordered) - 1:
                        raise
        return out

    def read(self, gen: str, build: Callable[[str], Sequence[Query]], clock: Clock | None = None,
             ) -> list[Answer]:
        """Run the queries `build(table)` makes for the distributed table to read, in one
        round trip. When searchd says an agent failed (the results would miss its shards),
        the node is avoided and the queries run once more on copies that avoid it.

        Raises:
            ClusterUnavailableError: a node or every copy of a shard does not answer.
            ClusterError: searchd refused a query.
        """
        for attempt in (0, 1):
            if clock is not None:
                clock.check()
            queries = build(self.router.table(gen))
            statements: list[str] = []
            for query in queries:
                statements += [query.sql, "SHOW WARNINGS"] + (["SHOW META"] if query.meta else [])
            try:
                with self.head() as session:
                    results = session.batch(statements)
            except QLError as err:
                failed = failed_agents([str(err)])
                if not failed:
                    raise ClusterError(self.url, f"searchd refused a query ({err})") from err
                if attempt:
                    raise ClusterUnavailableError(self.url, str(err)) from err
                self.router.mark_down(failed)
                self.retries += 1
                continue
            answers, warnings = _answers(queries, results)
            failed = failed_agents(warnings)
            if not failed:
                return answers
            self.router.mark_down(failed)
            if attempt:
                raise ClusterUnavailableError(self.url, "; ".join(warnings))
            self.retries += 1
        raise AssertionError("unreachable")


def _answers(queries: Sequence[Query], results: list[list[tuple[Any, ...]]],
             ) -> tuple[list[Answer], list[str]]:
    answers: list[Answer] = []
    warnings: list[str] = []
    at = 0
    for query in queries:
        rows, shown = results[at], results[at + 1]
        at += 2
        warnings += [str(w[2]) for w in shown if len(w) > 2 and w[2]]
        meta: dict[str, str] = {}
        if query.meta:
            meta = {str(k): str(v) for k, v in results[at]}
            at += 1
        answers.append(Answer(rows, meta))
    return answers, warnings
