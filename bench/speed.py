"""Speed benchmark on the OrangeSum corpus: rebuild, incremental update, warm query latency.

Each measurement runs in a fresh subprocess (``--worker``), so peak RSS is per system and phase.
Example: ``python -m bench.speed --quick`` (CI), ``python -m bench.speed --profile fuzzy``; the
project on a 2-node Sphinx cluster beside the local index: ``--systems project,cluster``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from rich.table import Table

from bench.common import (
    ORANGESUM_CORPUS,
    PeerUnavailable,
    console,
    dir_size,
    peak_rss_mb,
    read_jsonl,
    shared_dir,
)
from bench.querymix import (
    KINDS,
    MixQuery,
    apply_changes,
    build_mix,
    make_changes,
    write_jsonl_gz,
)
from bench.systems import make_system
from bench.timing import TOP_K, time_queries

REPO = Path(__file__).resolve().parents[1]
DEFAULT_JSON = REPO / "bench" / "results" / "speed.json"
SYSTEMS = ["plain-whoosh", "project", "tantivy", "sqlite-fts5"]
#: Run only when named: the cluster needs searchd (`bench.project.ClusterProject`).
OPTIONAL = ["cluster"]
UPDATABLE = {"plain-whoosh", "project", "cluster"}
#: What one timed query covers, per system (shown under the latency table).
MEASURES = {
    "plain-whoosh": "parse (OR default) + top 10 + hit.highlights('body') for each hit",
    "project": "ix.search(q, limit=10): default semantics, snippets and highlights included",
    "tantivy": "parse (OR default) + top 10 + a body snippet (SnippetGenerator) for each hit",
    "sqlite-fts5": "MATCH (OR of tokens) top 10 by bm25() + snippet(); no fuzzy, no stemming",
    "cluster": "ix.search(q, limit=10) as the project's, on 2 searchd nodes on 127.0.0.1 "
    "(2 shards, one mirrored)",
}
FULL: dict[str, Any] = {"articles": None, "per_kind": 40, "rounds": 2}
QUICK: dict[str, Any] = {"articles": 3000, "per_kind": 7, "rounds": 1}


def worker(args: argparse.Namespace) -> dict[str, Any]:
    """Run one phase (prepare, or build, query or update of a system); return what it measured."""
    if args.worker == "prepare":
        return prepare(args.workdir, QUICK if args.quick else FULL)
    name = args.system
    system: Any = baseline_system(name) if name.startswith(BASELINE) else make_system(name)
    workdir: Path = args.workdir
    if args.worker == "build" and hasattr(system, "serve"):
        system.serve(workdir)  # a server (the cluster's nodes) starts before the timing
    start = time.perf_counter()
    if args.worker == "build":
        system.build(args.corpus, workdir)
        result: dict[str, Any] = {"seconds": time.perf_counter() - start}
        _nodes_rss(system, result)
        system.close()  # a server writes what it holds in memory as it stops
        result["size_bytes"] = dir_size(workdir)
    elif args.worker == "update":
        system.open(workdir)
        changes = list(read_jsonl(args.changes))
        start = time.perf_counter()
        report = system.update(args.corpus, changes)
        result = {"seconds": time.perf_counter() - start, "report": report}
        system.close()
        result["size_bytes"] = dir_size(workdir)
    else:
        system.open(workdir)
        mix = [MixQuery(k, tuple(t), m) for k, t, m in orjson.loads(args.mix.read_bytes())]
        rounds = (QUICK if args.quick else FULL)["rounds"]
        result = {"kinds": time_queries(system, mix, rounds)}
        _nodes_rss(system, result)
    system.close()
    result["rss_mb"] = peak_rss_mb()
    return result


#: The project at an earlier commit (`--baseline REF`) is the system `project@REF`: its
#: workers import `search` from a checkout of that commit (`BASELINE_ENV` names it).
BASELINE = "project@"
BASELINE_ENV = "BENCH_BASELINE_SOURCE"


def baseline_system(name: str) -> Any:
    """The project as of the `--baseline` commit: `search` imported from its checkout
    (bench's own code stays this one's, so both are driven the same way)."""
    sys.path.insert(0, os.environ[BASELINE_ENV])
    from bench.project import Project

    system = Project()
    system.name = name
    return system


def checkout(ref: str, where: Path) -> Path:
    """A detached worktree of `ref` at `where` (removed by `drop_checkout`)."""
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(where), ref], cwd=REPO, check=True)
    return where


def drop_checkout(where: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(where)], cwd=REPO, check=False)


def _nodes_rss(system: Any, result: dict[str, Any]) -> None:
    """The peak memory of a system's server processes (the cluster's nodes), when it has any."""
    if hasattr(system, "nodes_rss_mb"):
        result["nodes_rss_mb"] = system.nodes_rss_mb()


# --- driver side -------------------------------------------------------------------------------


def data_paths(tmp: Path) -> dict[str, Path]:
    """Where `prepare` writes its files under ``tmp``."""
    return {
        "corpus": tmp / "corpus.jsonl.gz",
        "changed_corpus": tmp / "changed.jsonl.gz",
        "changes": tmp / "changes.jsonl.gz",
        "mix": tmp / "mix.json",
    }


def run_worker(phase: str, system: str, tmp: Path, *, quick: bool,
               env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one worker subprocess and return what it reported (or ``{"error": ...}``).

    Linux carries a parent's peak RSS over into its child's ``ru_maxrss`` (across fork and exec),
    so the driver itself stays small: even the data preparation runs in a worker.
    """
    paths, out = data_paths(tmp), tmp / f"{system}-{phase}.json"
    corpus = paths["changed_corpus" if phase == "update" else "corpus"]
    cmd = [sys.executable, "-m", "bench.speed", "--worker", phase, "--system", system]
    cmd += ["--workdir", str(tmp if phase == "prepare" else tmp / system), "--out", str(out)]
    cmd += ["--corpus", str(corpus), "--mix", str(paths["mix"]), "--changes", str(paths["changes"])]
    cmd += ["--quick"] if quick else []
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False,
                          env=None if env is None else {**os.environ, **env})
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"]
        return {"error": lines[-1]}
    return orjson.loads(out.read_bytes())


def prepare(tmp: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """Write the base corpus, the changed corpus, the changes and the query mix under ``tmp``."""
    records = list(read_jsonl(shared_dir() / ORANGESUM_CORPUS))
    if settings["articles"]:
        records = records[: settings["articles"]]
    changes = make_changes(records)
    mix = build_mix(records, settings["per_kind"])
    paths = data_paths(tmp)
    write_jsonl_gz(records, paths["corpus"])
    write_jsonl_gz(apply_changes(records, changes), paths["changed_corpus"])
    write_jsonl_gz(changes, paths["changes"])
    paths["mix"].write_bytes(orjson.dumps([[q.kind, q.terms, q.month] for q in mix]))
    return {"articles": len(records), "queries": len(mix)}


def ratios(results: dict[str, dict[str, Any]], mine_name: str = "project",
           base_name: str = "plain-whoosh") -> dict[str, Any]:
    """mine / base ratios (project / plain-whoosh by default): articles/s, index size and
    p95 per query kind."""
    mine, base = results.get(mine_name, {}), results.get(base_name, {})

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    def get(res: Any, *keys: str) -> Any:
        for key in keys:
            res = res.get(key) if isinstance(res, dict) else None
        return res

    out = {
        "articles_per_s": ratio(
            get(mine, "build", "articles_per_s"), get(base, "build", "articles_per_s")
        ),
        "index_size": ratio(get(mine, "build", "size_bytes"), get(base, "build", "size_bytes")),
    }
    for kind in KINDS:
        out[f"p95 {kind}"] = ratio(
            get(mine, "query", "kinds", kind, "p95"), get(base, "query", "kinds", kind, "p95")
        )
    return out


def _mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 2**20:.1f}"


def tables(results: dict[str, dict[str, Any]], n_articles: int) -> list[Table]:
    """The rebuild/update table and the latency table."""
    build = Table(title=f"Full rebuild and incremental update ({n_articles:,} articles)")
    for col in (
        "system",
        "rebuild s",
        "articles/s",
        "peak RSS MB",
        "child RSS MB",
        "index MB",
        "update s (100+100)",
        "update RSS MB",
    ):
        build.add_column(col, justify="left" if col == "system" else "right")
    for name, res in results.items():
        b, u = res.get("build", {}), res.get("update", {})
        if "error" in b:
            build.add_row(name, "[red]failed[/red]")
            continue
        update = "[red]failed[/red]" if "error" in u else f"{u['seconds']:.2f}" if u else "n/a"
        build.add_row(
            name,
            f"{b['seconds']:.1f}",
            f"{b['articles_per_s']:.0f}",
            f"{b['rss_mb']['self']:.0f}",
            f"{b['rss_mb']['children']:.0f}",
            _mb(b["size_bytes"]),
            update,
            f"{u['rss_mb']['self']:.0f}" if "rss_mb" in u else "-",
        )
    lat = Table(title=f"Warm query latency, top {TOP_K}, ms p50 / p95 / p99")
    lat.add_column("kind")
    names = [n for n, r in results.items() if "kinds" in r.get("query", {})]
    for name in names:
        lat.add_column(name, justify="right")
    for kind in KINDS:
        cells = []
        for name in names:
            s = results[name]["query"]["kinds"].get(kind, {})
            if s.get("unsupported"):
                cells.append("n/a")
            elif "p50" not in s:
                cells.append("[red]failed[/red]")
            else:
                flags = f" ({s['no_hits']} empty)" if s["no_hits"] else ""
                flags += f" [red]{s['errors']} err[/red]" if s.get("errors") else ""
                cells.append(f"{s['p50']:.1f} / {s['p95']:.1f} / {s['p99']:.1f}{flags}")
        lat.add_row(kind, *cells)
    return [build, lat]


def profile(target: str, settings: dict[str, Any]) -> None:
    """cProfile the project's rebuild (in one process), or one query kind on a built index;
    print the top 25."""
    from bench.project import Project

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        prepare(Path(tmp), settings)
        paths = data_paths(Path(tmp))
        system, workdir = Project(), Path(tmp) / "project"
        profiler = cProfile.Profile()
        if target == "rebuild":  # in one process: cProfile does not see the helper processes
            profiler.runcall(system.build, paths["corpus"], workdir, procs=1)
        else:
            system.build(paths["corpus"], workdir)
            system.open(workdir)
            mix = [MixQuery(k, tuple(t), m) for k, t, m in orjson.loads(paths["mix"].read_bytes())]
            natives = [system.translate(q) for q in mix if q.kind == target]
            for native in natives:  # warm-up
                system.run(native, TOP_K)
            profiler.enable()
            for _ in range(settings["rounds"]):
                for native in natives:
                    system.run(native, TOP_K)
            profiler.disable()
            system.close()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__)
    p.add_argument("--quick", action="store_true", help="first 3000 articles, ~60 queries (CI)")
    p.add_argument(
        "--systems", default=",".join(SYSTEMS), help="comma-separated: " + ",".join(SYSTEMS + OPTIONAL)
    )
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    p.add_argument(
        "--baseline",
        metavar="REF",
        help="also run the project as of this git commit (system project@REF, from a temporary "
        "checkout), in the same run: `--systems project --baseline 53fc8b4`",
    )
    p.add_argument(
        "--profile",
        metavar="KIND",
        choices=["rebuild", *KINDS],
        help="cProfile the project's rebuild or one query kind: " + ", ".join(KINDS),
    )
    worker_opts = p.add_argument_group("internal: one measurement in a subprocess")
    worker_opts.add_argument("--worker", choices=["prepare", "build", "query", "update"])
    for name in ("system", "workdir", "corpus", "mix", "changes", "out"):
        worker_opts.add_argument(f"--{name}", type=str if name == "system" else Path)
    args = p.parse_args(argv)
    args.systems = args.systems.split(",")
    unknown = [s for s in args.systems if s not in SYSTEMS + OPTIONAL]
    if unknown:
        p.error(f"unknown system: {', '.join(unknown)} (choose among {', '.join(SYSTEMS + OPTIONAL)})")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or one worker phase); return the exit status."""
    args = parse_args(argv)
    if args.worker:
        args.out.write_bytes(orjson.dumps(worker(args)))
        return 0
    if not (shared_dir() / ORANGESUM_CORPUS).is_file():
        print(f"bench.speed: skipped, no corpus at {shared_dir() / ORANGESUM_CORPUS}")
        return 0
    if args.profile:
        profile(args.profile, QUICK if args.quick else FULL)
        return 0
    out_console, err = console(), console(stderr=True)
    results: dict[str, dict[str, Any]] = {}
    load_before = os.getloadavg()  # other work on the machine skews timings: keep it on record
    if load_before[0] > 1.0:
        err.print(f"[yellow]note: load average {load_before[0]:.1f} before starting[/yellow]")
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmpdir:
        tmp = Path(tmpdir)
        prepared = run_worker("prepare", "-", tmp, quick=args.quick)
        if "error" in prepared:
            err.print(f"[red]preparing the data failed: {prepared['error']}[/red]")
            return 1
        n_articles = prepared["articles"]
        env: dict[str, str] | None = None
        systems = list(args.systems)
        if args.baseline:
            env = {BASELINE_ENV: str(checkout(args.baseline, tmp / "baseline-source"))}
            systems.insert(0, BASELINE + args.baseline)
        for name in systems:
            if not name.startswith(BASELINE):
                try:
                    make_system(name).close()
                except PeerUnavailable as reason:
                    err.print(f"[yellow]skipping {name}: {reason}[/yellow]")
                    continue
            res = results[name] = {}
            updatable = name in UPDATABLE or name.startswith(BASELINE)
            phases = ["build", "query"] + (["update"] if updatable else [])
            for phase in phases:
                err.print(f"{name}: {phase} ...")
                res[phase] = run_worker(phase, name, tmp, quick=args.quick, env=env)
                if "error" in res[phase]:
                    err.print(f"[red]{name} {phase} failed: {res[phase]['error']}[/red]")
                    break
            if "seconds" in res["build"]:
                res["build"]["articles_per_s"] = n_articles / res["build"]["seconds"]
        if args.baseline:
            drop_checkout(tmp / "baseline-source")
    for t in tables(results, n_articles):
        out_console.print(t)
    for name in results:
        out_console.print(f"  {name}: one query = {MEASURES.get(name, MEASURES['project'])}")
        nodes = {phase: results[name].get(phase, {}).get("nodes_rss_mb") for phase in ("build", "query")}
        if any(nodes.values()):
            out_console.print(f"  {name}: its nodes' peak RSS (MB, not in the RSS columns): "
                              f"{nodes['build']} building, {nodes['query']} searching")
    summary = ratios(results)
    on_cluster = ratios(results, "cluster", "project")
    before = BASELINE + args.baseline if args.baseline else ""
    over_baseline = ratios(results, "project", before)
    for title, values in (("project / plain-whoosh", summary), ("cluster / project", on_cluster),
                          (f"project / {before}", over_baseline)):
        if any(v is not None for v in values.values()):
            rt = Table(title=title)
            rt.add_column("measure")
            rt.add_column("ratio", justify="right")
            for key, value in values.items():
                rt.add_row(key, "-" if value is None else f"{value:.2f}")
            out_console.print(rt)
    data = {
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "loadavg_before_after": [load_before[0], os.getloadavg()[0]],
        "articles": n_articles,
        "queries": prepared["queries"],
        "driver_peak_rss_mb": peak_rss_mb()["self"],
        "measures": MEASURES,
        "systems": results,
        "ratios_project_over_whoosh": summary,
        "ratios_cluster_over_project": on_cluster,
        "ratios_project_over_baseline": over_baseline,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    out_console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
