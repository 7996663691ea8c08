"""A 2-node cluster losing its mirror node (`kill -9`) and getting it back; a rebuild killed."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.backend import MatchRequest
from search.clock import Clock
from search.corpus import content_hash, iter_articles
from search.errors import ClusterUnavailableError
from search.query_syntax import parse

from .conftest import NEWS, REPO

ARTICLES = [r.article for r in iter_articles(NEWS)]


@pytest.fixture(scope="module")
def backend(sphinx_cluster: Any) -> Iterator[Any]:
    from search._sphinx import SphinxBackend

    backend = SphinxBackend(sphinx_cluster.url)
    with backend.writer("rebuild", lock_timeout=5, notes=[]) as writer:
        for article in ARTICLES:
            writer.add(article, content_hash(article))
        writer.commit(None)
    yield backend
    backend.close()


def total(backend: Any, q: str) -> int:
    """A search's total, after checking it took at most one retry."""
    retries = backend.site.retries
    with backend.snapshot() as snapshot:
        found = snapshot.match(MatchRequest(q, parse(q).root, want=20), Clock(None))
        assert len(snapshot.articles([m.key for m in found.ranked])) == len(found.ranked)
    assert backend.site.retries - retries <= 1
    return int(found.total)


def served(cluster: Any, node: Any) -> int:
    """The searches of shard 1 that `node` answered (from its query log)."""
    log = cluster.folder / f"node-{node.host}-{node.port}" / "query.log"
    return log.read_text().count("articles_a_s1") + log.read_text().count("articles_b_s1")


def _dead(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1]
    except OSError:
        return True
    return state.startswith(("Z", "X"))


def test_a_dead_mirror_costs_at_most_one_retry_and_comes_back(sphinx_cluster: Any, backend: Any) -> None:
    from search._sphinx.cluster import start_node

    first, mirror = sphinx_cluster.topology.nodes
    backend.site.router.down_seconds = 1.0
    before = served(sphinx_cluster, mirror)
    assert all(total(backend, "-retraites") == 10 for _ in range(10))
    assert served(sphinx_cluster, mirror) > before  # the mirror shares the searches
    pid = sphinx_cluster.pid(mirror)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not _dead(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    retries = backend.site.retries
    assert all(total(backend, q) == n for q, n in [("-retraites", 10), ("retraites", 2)] * 10)
    assert backend.site.retries > retries  # the failover was needed, and done
    with pytest.raises(ClusterUnavailableError, match=str(mirror)):
        with backend.writer("update", lock_timeout=1, notes=[]):
            pass
    start_node(sphinx_cluster, mirror, shutil.which("searchd") or "searchd")
    time.sleep(1.2)  # the backend's `down_seconds`
    before = served(sphinx_cluster, mirror)
    deadline = time.monotonic() + 10  # searchd pings its agents every second
    while served(sphinx_cluster, mirror) == before and time.monotonic() < deadline:
        assert total(backend, "-retraites") == 10
    assert served(sphinx_cluster, mirror) > before  # back in the searches


KILLED_WRITER = """
import sys
from search._sphinx import SphinxBackend
from search.corpus import Article
backend = SphinxBackend(sys.argv[1])
with backend.writer("rebuild", lock_timeout=5, notes=[]) as writer:
    for i in range(1_000_000):
        writer.add(Article(id=f"n{i}", title=f"Nouvelle {i}", body="Une nouvelle venue."), "h")
        if i == 1000:
            print("writing", flush=True)
"""


def test_a_rebuild_killed_half_way_leaves_the_index_searchable(sphinx_cluster: Any, backend: Any) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, sphinx_cluster.url], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    finally:
        proc.kill()  # kill -9, the lock and half a table left behind
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert total(backend, "retraites") == 2 and total(backend, "nouvelle") == 0
    notes: list[str] = []
    with backend.writer("rebuild", lock_timeout=5, notes=notes) as writer:
        for article in ARTICLES[:3]:
            writer.add(article, content_hash(article))
        writer.commit(None)
    assert notes and "took over the lock" in notes[0]
    assert total(backend, "-retraites") == 1 and total(backend, "nouvelle") == 0
