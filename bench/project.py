"""The engine under test, driven through its public facade (`search.Index`) only: on a local
index (`Project`), or on a 2-node Sphinx cluster run on this machine (`ClusterProject`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bench.common import Doc, PeerUnavailable, Record, require
from bench.querymix import MixQuery, lucene_syntax


class Project:
    """The project's engine: default query semantics, exactly as the CLI and TUI use them."""

    name = "project"

    def __init__(self) -> None:
        try:
            import search
        except ImportError as err:
            raise PeerUnavailable(f"the search package cannot be imported ({err})") from err
        missing = [n for n in ("Index", "Article") if not hasattr(search, n)]
        if missing:
            raise PeerUnavailable(f"search does not export {', '.join(missing)} yet")
        self._search = search
        self._ix: Any = None

    def index_dir(self, workdir: Path) -> Path:
        """Where the index built under ``workdir`` lives."""
        return workdir / "ix"

    def location(self, workdir: Path) -> Path | str:
        """The index location to build and open for ``workdir`` (a folder here)."""
        return self.index_dir(workdir)

    def index(self, docs: list[Doc], workdir: Path) -> None:
        """Rebuild an index from (id, title, body) documents (title "" for body-only sets)."""
        article = self._search.Article
        articles = (article(id=i, title=t, body=b) for i, t, b in docs)
        self._ix = self._search.Index.rebuild(articles, self.location(workdir))

    def build(self, corpus: Path, workdir: Path, procs: int | None = None) -> None:
        """Rebuild an index from a corpus file (`procs` indexing processes: the default's)."""
        self._search.Index.rebuild(corpus, self.location(workdir), procs=procs).close()

    def open(self, workdir: Path) -> None:
        """Open the index built under ``workdir``."""
        self._ix = self._search.Index.open(self.location(workdir))

    def update(self, corpus: Path, changed: list[Record]) -> dict[str, Any]:
        """Bring the index up to date with a modified corpus file (it finds the changes itself)."""
        return _plain_fields(self._ix.update(corpus))

    def stats(self) -> dict[str, Any]:
        """What the open index holds (``Index.stats()``: articles, size, vocabulary words...)."""
        return _plain_fields(self._ix.stats())

    def search(self, query: str, k: int) -> list[str]:
        """Return up to ``k`` ids for a free-text query, with the engine's default semantics.

        Snippets and facets do not change the ranking; they are left out here (the speed
        benchmark measures them).
        """
        return [hit.id for hit in self._ix.search(query, limit=k, snippets=False, facets=False).hits]

    def translate(self, q: MixQuery) -> str:
        """The project's query syntax for a mix query."""
        if q.kind == "date" and q.month:
            return f"{q.terms[0]} date:{q.month}"
        if q.kind == "long":
            return q.terms[0]  # the raw headline: the engine parses free text itself
        return lucene_syntax(q, field="titre", fuzzy="~")

    def run(self, native: str, k: int) -> int:
        """Search (``Index.search`` computes the snippets and highlights of every hit)."""
        return len(self._ix.search(native, limit=k).hits)

    def close(self) -> None:
        """Close the index."""
        if self._ix is not None:
            self._ix.close()
            self._ix = None


class ClusterProject(Project):
    """The same engine and facade on a Sphinx cluster: 2 searchd nodes on 127.0.0.1, 2 shards,
    one of them mirrored (the test cluster's layout), run in ``workdir/cluster``.

    The nodes are started by `serve` (called by `location`, and by the speed benchmark before
    it starts timing) and stopped by `close`; the data stays in the folder, so that the next
    phase of a benchmark (another process) starts them again on the same index.
    """

    name = "cluster"
    #: The nodes holding each shard, first copy first.
    LAYOUT = ((0,), (0, 1))

    def __init__(self) -> None:
        super().__init__()
        require("pymysql")
        import shutil

        if shutil.which("searchd") is None:
            raise PeerUnavailable("searchd is not installed (apt-get install sphinxsearch)")
        self._folder: Path | None = None

    def serve(self, workdir: Path) -> str:
        """Start the nodes in ``workdir/cluster`` (again, if they ran before); the index's URL."""
        from search._sphinx.cluster import start_local

        self._folder = workdir / "cluster"
        return start_local(len(self.LAYOUT), self._folder, layout=self.LAYOUT).url

    def location(self, workdir: Path) -> Path | str:
        """The index's URL on the cluster run in ``workdir``."""
        return self.serve(workdir)

    def nodes_rss_mb(self) -> float | None:
        """The peak resident memory of the running nodes, added up, in MiB (None: none runs).
        searchd runs as a daemon: its memory is not in the benchmark's own RSS figures."""
        from search._sphinx.cluster import LocalCluster

        cluster = LocalCluster.read(self._folder) if self._folder is not None else None
        pids = [cluster.pid(node) for node in cluster.topology.nodes] if cluster else []
        peaks = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text() if pid else ""
            peaks += [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
        return round(sum(peaks) / 1024, 1) if peaks else None

    def close(self) -> None:
        """Close the index and stop the nodes."""
        super().close()
        if self._folder is not None:
            from search._sphinx.cluster import stop_local

            stop_local(self._folder)
            self._folder = None


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or value is None


def _plain_fields(report: Any) -> dict[str, Any]:
    """The plain fields (text, numbers) of a result dataclass, else its text."""
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        return {k: v for k, v in dataclasses.asdict(report).items() if _plain(v)}
    return {"report": str(report)}
