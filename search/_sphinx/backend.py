"""`SphinxBackend`: an index on a Sphinx or Manticore cluster, behind the `Backend` protocol."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ClusterError, IndexNotFoundError, IndexVersionError
from ..french import IRREGULAR_PLURALS, STOP_WORDS, stem_word
from ..ranking import RankingConfig as Ranking
from .documents import COLUMNS
from .layout import GENERATIONS, Router, Tables, Topology
from .meta import SCHEMA, Lock, State, read_lexicon, read_state
from .nodes import Location, Pool, QLError, Session, quote
from .reads import Site
from .snapshot import SphinxSnapshot
from .writer import SphinxWriter

__all__ = ["SphinxBackend", "check_analysis", "check_columns"]

#: Words whose analysis by the engine is checked against the project's: the stop words
#: (dropped), the irregular plurals (mapped by `wordforms`), a few stems.
_PROBES = ("electricite", "gouvernement", "retraites", "chevaux")


def check_columns(session: Session, table: str, location: str) -> None:
    """Check that a shard's table has the columns this version writes (searchd keeps the
    columns a real-time table was created with, whatever its config says later).

    Raises:
        ClusterError: a column is missing (a table of an older version).
    """
    try:
        rows = session.execute(f"DESCRIBE {table}")
    except QLError as err:
        raise ClusterError(location, f"cannot read the columns of {table} ({err})") from err
    missing = [name for name in COLUMNS if name not in {str(row[0]) for row in rows}]
    if missing:
        raise ClusterError(location, f"{table} has no column {', '.join(missing)} (a table of an "
                           "older version): stop searchd, delete the index's tables, write the configs "
                           "again with `search cluster config`, start searchd and rebuild the index "
                           "(docs/cluster.md, Upgrading)")


def check_analysis(session: Session, table: str, location: str) -> None:
    """Check that the engine analyses words as this version of the project does.

    Raises:
        ClusterError: a stop word is kept, or a plural or a word is stemmed otherwise.
    """
    words = [*sorted(STOP_WORDS), *IRREGULAR_PLURALS, *_PROBES]
    try:
        rows = session.execute(f"CALL KEYWORDS({quote(' '.join(words))}, {quote(table)})")
    except QLError as err:
        raise ClusterError(location, f"cannot read the analysis of {table} ({err})") from err
    got = {str(r[1]): str(r[2]) for r in rows}
    for word in words:
        expected = None if word in STOP_WORDS else stem_word(word)
        if got.get(word) != expected:
            raise ClusterError(location, f"the engine analyses {word!r} as {got.get(word)!r}, this "
                               f"version as {expected!r}: write the configs again with "
                               "`search cluster config` and restart searchd")


class SphinxBackend:
    """One index on a cluster: searches read its distributed table, writes go to every copy
    of each shard (see `search._sphinx.layout` for the tables).

    Args:
        url: `sphinx://host:port/table` or `manticore://host:port/table`, the SphinxQL
            address of a node holding the index's distributed tables.
        ranking: the ranking settings (BM25F k1, b, title weight, relaxing).

    Raises:
        ClusterError: not a cluster address, or the node lacks the index's tables.
        ClusterUnavailableError: the node does not answer.
    """

    def __init__(self, url: str, *, ranking: Ranking | None = None) -> None:
        where = Location.parse(url)
        self.location = str(where)
        self.ranking = ranking or Ranking()
        tables = Tables(where.table)
        pool = Pool(self.location)
        topology = self._topology(pool, where, tables)
        self.site = Site(where, tables, topology, pool, Router(topology, tables, self.location))
        self._current: SphinxSnapshot | None = None
        self._checked = False
        self._lock = threading.Lock()

    @staticmethod
    def _topology(pool: Pool, where: Location, tables: Tables) -> Topology:
        found = []
        with pool.session(where.node) as session:
            for gen in GENERATIONS:
                try:
                    rows = session.execute(f"DESCRIBE {tables.dist(gen)}")
                except QLError as err:
                    raise ClusterError(str(where), f"{where.node} has no table {tables.dist(gen)} "
                                       "(write the configs with `search cluster config` and "
                                       "restart searchd)") from err
                found.append(Topology.described(rows, tables, gen, str(where)))
        if found[0] != found[1]:
            raise ClusterError(str(where), f"{tables.dist('a')} and {tables.dist('b')} list other "
                               "shards: write the configs with `search cluster config`")
        return found[0]

    def __repr__(self) -> str:
        return f"SphinxBackend({self.location!r})"

    # -- reading ------------------------------------------------------------------

    def _state(self) -> State | None:
        with self.site.head() as session:
            return read_state(session, self.site.tables, self.location)

    def _check(self) -> None:
        if not self._checked:
            node = self.site.topology.shards[0][0]
            with self.site.pool.session(node) as session:
                check_columns(session, self.site.tables.shard(GENERATIONS[0], 0), self.location)
                check_analysis(session, self.site.tables.shard(GENERATIONS[0], 0), self.location)
            self._checked = True

    def _snapshot_of(self, state: State) -> SphinxSnapshot:
        with self._lock:
            current = self._current
        if current is not None and current.state == state:
            return current
        with self.site.head() as session:
            lexicon = read_lexicon(session, self.site.tables, state, self.location)
        current = SphinxSnapshot(self.site, state, lexicon, self.ranking)
        with self._lock:
            self._current = current
        return current

    @contextmanager
    def snapshot(self) -> Iterator[SphinxSnapshot]:
        """The index as its meta table says now (reread at each call: one small query).

        Raises:
            IndexNotFoundError: the index was never written.
            IndexVersionError: it was written by another version of the project.
        """
        state = self._state()
        if state is None:
            raise IndexNotFoundError(self.location, f"search rebuild --index {self.location}")
        if state.schema != SCHEMA:
            raise IndexVersionError(self.location, state.schema, SCHEMA)
        self._check()
        yield self._snapshot_of(state)

    def exists(self) -> bool:
        """Whether the index was ever written."""
        return self._state() is not None

    # -- writing ------------------------------------------------------------------

    @contextmanager
    def writer(self, action: str, *, lock_timeout: float, procs: int | None = None,
               notes: list[str] | None = None) -> Iterator[SphinxWriter]:
        """A write transaction ("rebuild" or "update") holding the index's lock (a row of
        its meta table on the first node); every node must answer. `procs` is not used:
        the engine indexes in its own threads.

        Raises:
            IndexLockedError: another writer held the lock longer than `lock_timeout`.
            ClusterUnavailableError: a node does not answer.
        """
        nodes = self.site.topology.nodes
        with self.site.sessions(nodes) as sessions:
            by_node = dict(zip(nodes, sessions, strict=True))
            self._check()
            lock = Lock(by_node[nodes[0]], self.site.tables, self.location, action)
            lock.acquire(lock_timeout, notes if notes is not None else [])
            try:
                state = self._state()
                previous = None
                if action == "update" and state is not None:
                    if state.schema != SCHEMA:
                        raise IndexVersionError(self.location, state.schema, SCHEMA)
                    previous = self._snapshot_of(state)
                writer = SphinxWriter(self.site, action, state, previous, lock, by_node)
                try:
                    yield writer
                finally:
                    if not writer.committed:  # an error, or an update that found nothing to do
                        writer.cancel()
            finally:
                lock.release()

    def close(self) -> None:
        """Close the connections."""
        self.site.pool.close()
