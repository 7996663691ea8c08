"""A 2-node cluster losing its mirror node (`kill -9`) and getting it back; a rebuild killed:
through the `Index` facade, as the CLI and the TUI use it."""

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

from search import Index
from search.corpus import iter_articles
from search.errors import ClusterUnavailableError

from .conftest import NEWS, REPO

ARTICLES = [r.article for r in iter_articles(NEWS)]


@pytest.fixture(scope="module")
def ix(sphinx_cluster: Any) -> Iterator[Index]:
    """The sample news on the cluster, rebuilt and searched through the facade."""
    ix = Index.rebuild(NEWS, sphinx_cluster.url)
    yield ix
    ix.close()


def retries(ix: Index) -> int:
    """The cluster backend's reads run again because an agent failed."""
    return int(ix.backend.site.retries)  # type: ignore[attr-defined]


def total(ix: Index, q: str) -> int:
    """A search's total, after checking that its page is complete (every hit with its stored
    text and highlights) and that it took at most one retry."""
    before = retries(ix)
    res = ix.search(q, limit=20)
    assert len(res.hits) == min(res.total, 20) and all(h.title for h in res.hits)
    assert q.startswith("-") or all(h.highlights for h in res.hits)
    assert retries(ix) - before <= 1
    return res.total


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


def test_a_dead_mirror_costs_at_most_one_retry_and_comes_back(sphinx_cluster: Any, ix: Index) -> None:
    from search._sphinx.cluster import start_node

    first, mirror = sphinx_cluster.topology.nodes
    ix.backend.site.router.down_seconds = 1.0  # type: ignore[attr-defined]
    before = served(sphinx_cluster, mirror)
    assert all(total(ix, "-retraites") == 10 for _ in range(10))
    assert served(sphinx_cluster, mirror) > before  # the mirror shares the searches
    pid = sphinx_cluster.pid(mirror)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while not _dead(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    before = retries(ix)
    assert all(total(ix, q) == n for q, n in [("-retraites", 10), ("retraites", 2)] * 10)
    assert retries(ix) > before  # the failover was needed, and done
    assert ix.get("retraites-2").title.startswith("Retraite")  # its shard is on both nodes
    assert [h.id for h in ix.similar("retraites-1", limit=1).hits] == ["retraites-2"]
    assert ix.stats().articles == 12
    with pytest.raises(ClusterUnavailableError, match=str(mirror)):
        ix.update(NEWS)  # every copy is written: a write needs every node
    start_node(sphinx_cluster, mirror, shutil.which("searchd") or "searchd")
    time.sleep(1.2)  # the backend's `down_seconds`
    before = served(sphinx_cluster, mirror)
    deadline = time.monotonic() + 10  # searchd pings its agents every second
    while served(sphinx_cluster, mirror) == before and time.monotonic() < deadline:
        assert total(ix, "-retraites") == 10
    assert served(sphinx_cluster, mirror) > before  # back in the searches
    assert ix.update(NEWS).unchanged == 12  # and in the writes


KILLED_WRITER = """
import sys
from search import Article, Index

def articles():
    for i in range(1_000_000):
        if i == 2000:  # 1,999 articles given to the writer: batches of them written
            print("writing", flush=True)
        yield Article(id=f"n{i}", title=f"Nouvelle {i}", body="Une nouvelle venue.")

Index.rebuild(articles(), sys.argv[1])
"""


def test_a_rebuild_killed_half_way_leaves_the_index_searchable(sphinx_cluster: Any, ix: Index) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, sphinx_cluster.url], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    finally:
        proc.kill()  # kill -9, the lock and half a table left behind
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert total(ix, "retraites") == 2 and total(ix, "nouvelle") == 0
    with Index.rebuild(ARTICLES[:3], sphinx_cluster.url) as again:
        assert again.last_report is not None
        notes = again.last_report.notes
    assert notes and "took over the lock" in notes[0]
    assert total(ix, "-retraites") == 1 and total(ix, "nouvelle") == 0
