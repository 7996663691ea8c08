"""The benchmarked systems by name: the peers and the project, each created on demand."""

from __future__ import annotations

from collections.abc import Callable

from bench.common import System
from bench.peers import Bm25s, PlainWhoosh, SqliteFts5, Tantivy


def _project() -> System:
    from bench.project import Project

    return Project()


def _cluster() -> System:
    from bench.project import ClusterProject

    return ClusterProject()


#: Every system by name. Calling a factory raises `PeerUnavailable` when the system cannot run.
SYSTEMS: dict[str, Callable[[], System]] = {
    "plain-whoosh": PlainWhoosh,
    "plain-whoosh-and": lambda: PlainWhoosh(conjunctive=True),
    "plain-whoosh-procs2": lambda: PlainWhoosh(
        writer={"procs": 2, "limitmb": 256}, name="plain-whoosh-procs2"
    ),
    "tantivy": Tantivy,
    "tantivy-heap512": lambda: Tantivy(
        writer={"heap_size": 512_000_000, "num_threads": 2}, name="tantivy-heap512"
    ),
    "sqlite-fts5": SqliteFts5,
    "bm25s": Bm25s,
    "project": _project,
    "cluster": _cluster,
}
#: Systems run when none are named (the AND variant of Whoosh is opt-in: it costs a full index;
#: the cluster needs searchd: `--systems project,cluster`).
DEFAULT_SYSTEMS = ["plain-whoosh", "tantivy", "sqlite-fts5", "bm25s", "project"]


def make_system(name: str) -> System:
    """Instantiate a system by name.

    Args:
        name: A key of `SYSTEMS`.

    Returns:
        The system, ready to index.

    Raises:
        PeerUnavailable: Its package is missing (the message says which).
        KeyError: Unknown name.
    """
    return SYSTEMS[name]()
