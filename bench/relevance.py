"""Relevance benchmark: every available system on every set, side by side.

Example: ``python -m bench.relevance --sets piaf,spf --systems plain-whoosh,project --quick``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from rich.table import Table

from bench.common import (
    SETS,
    PeerUnavailable,
    RelevanceSet,
    System,
    bootstrap_difference,
    console,
    evaluate,
    load_set,
    quick_sample,
    reciprocal_ranks,
    shared_dir,
    split_queries,
)
from bench.systems import DEFAULT_SYSTEMS, SYSTEMS, make_system

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "relevance.json"
DEPTH = 100  # ranking depth asked of every system (R@100 needs 100)
COLUMNS = ["MRR@10", "nDCG@10", "R@10", "R@100"]


def run_system(
    system: System, rs: RelevanceSet, halves: dict[str, list[str]], workdir: Path
) -> dict[str, Any]:
    """Index a set with one system, run all its queries and score both halves.

    A query that raises counts as an empty ranking; the errors are counted and the first is kept.

    Args:
        system: The system, not yet indexed.
        rs: The set.
        halves: ``{"tune": ids, "report": ids}``.
        workdir: An empty directory for the system's files.

    Returns:
        Index time (s), mean query time (ms), the metrics per half and the error count.
    """
    start = time.perf_counter()
    system.index(rs.docs, workdir)
    index_s = time.perf_counter() - start
    runs: dict[str, list[str]] = {}
    times: list[float] = []
    errors: list[str] = []
    for qid, text in rs.queries:
        start = time.perf_counter()
        try:
            runs[qid] = system.search(text, DEPTH)
        except Exception as err:  # a failing query scores 0 and is reported
            errors.append(f"{type(err).__name__}: {err}")
        times.append(time.perf_counter() - start)
    result: dict[str, Any] = {
        "index_s": round(index_s, 3),
        "query_ms": round(1000 * statistics.fmean(times), 3) if times else 0.0,
        "errors": len(errors),
    }
    if errors:
        result["first_error"] = errors[0]
    for half, ids in halves.items():
        result[half] = {k: round(v, 4) for k, v in evaluate(runs, rs.qrels, ids).items()}
    result["rr"] = {q: round(v, 4) for q, v in reciprocal_ranks(runs, rs.qrels, rs.qrels).items()}
    return result


#: Systems that are not peers of the project: its own engine on a cluster, and a
#: configuration shown only to say why OR is used.
NOT_PEERS = frozenset({"cluster", "plain-whoosh-and"})


def margins(results: dict[str, dict[str, Any]], halves: dict[str, list[str]],
            system: str = "project") -> dict[str, dict[str, Any]]:
    """MRR@10 of `system` minus the best other system's, per half, with the paired bootstrap
    95 % interval of the difference (over that half's queries)."""
    out: dict[str, dict[str, Any]] = {}
    mine = results.get(system, {})
    if "rr" not in mine:
        return out
    for half, ids in halves.items():
        wanted = set(ids)
        peers = {n: r for n, r in results.items()
                 if n != system and "rr" in r and n not in NOT_PEERS}
        if not peers:
            continue
        best = max(peers, key=lambda n: peers[n][half]["MRR@10"])
        a = {q: v for q, v in mine["rr"].items() if q in wanted}
        b = {q: v for q, v in peers[best]["rr"].items() if q in wanted}
        diff, lo, hi = bootstrap_difference(a, b)
        out[half] = {"best_peer": best, "diff": round(diff, 4), "ci95": [round(lo, 4), round(hi, 4)]}
    return out


def table(rs: RelevanceSet, results: dict[str, dict[str, Any]], quick: bool) -> Table:
    """A rich table of one set's results: rows are systems."""
    title = f"{rs.name}: {len(rs.docs):,} docs, {len(rs.queries):,} queries"
    t = Table(title=title + (" (quick sample)" if quick else ""))
    t.add_column("system")
    for half in ("tune", "report"):
        for col in COLUMNS:
            t.add_column(f"{half}\n{col}", justify="right")
    t.add_column("index s", justify="right")
    t.add_column("query ms", justify="right")
    for name, res in results.items():
        if "error" in res:
            t.add_row(name, "[red]failed[/red]", *[""] * (len(t.columns) - 2))
            continue
        cells = [f"{res[h][c]:.3f}" for h in ("tune", "report") for c in COLUMNS]
        t.add_row(name, *cells, f"{res['index_s']:.1f}", f"{res['query_ms']:.1f}")
    return t


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__)
    p.add_argument("--sets", default=",".join(SETS), help="comma-separated: " + ",".join(SETS))
    p.add_argument(
        "--systems", default=",".join(DEFAULT_SYSTEMS), help="comma-separated: " + ",".join(SYSTEMS)
    )
    p.add_argument("--quick", action="store_true", help="small fixed sample, for CI")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    p.add_argument("--keep", type=Path, default=None,
                   help="an earlier results JSON: the systems not run now are taken from it")
    args = p.parse_args(argv)
    args.sets, args.systems = args.sets.split(","), args.systems.split(",")
    unknown = [s for s in args.sets if s not in SETS]
    unknown += [s for s in args.systems if s not in SYSTEMS]
    if unknown:
        p.error(f"unknown set or system: {', '.join(unknown)}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    args = parse_args(argv)
    shared = shared_dir()
    if not (shared / "relevance").is_dir():
        print(f"bench.relevance: skipped, no shared data at {shared} (set SEARCH_SHARED)")
        return 0
    out_console, err = console(), console(stderr=True)
    out: dict[str, Any] = {"quick": args.quick, "depth": DEPTH, "sets": {}}
    kept = orjson.loads(args.keep.read_bytes())["sets"] if args.keep else {}
    for set_name in args.sets:
        rs = load_set(set_name, shared)
        # Split the full set, then sample: a query keeps its half in quick runs.
        tune, report = split_queries(q[0] for q in rs.queries)
        if args.quick:
            rs = quick_sample(rs)
        results: dict[str, dict[str, Any]] = {}
        for name in args.systems:
            try:
                system = make_system(name)
            except PeerUnavailable as reason:
                err.print(f"[yellow]{set_name}: skipping {name}: {reason}[/yellow]")
                continue
            err.print(f"{set_name}: {name} ...", end=" ")
            try:
                with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
                    try:
                        results[name] = run_system(
                            system, rs, {"tune": tune, "report": report}, Path(tmp)
                        )
                    finally:
                        system.close()  # while its files are there (a server stops by them)
            except Exception as error:  # one broken system must not stop the others
                results[name] = {"error": f"{type(error).__name__}: {error}"}
            res = results[name]
            err.print(
                res.get("error")
                or f"index {res['index_s']:.1f}s, "
                f"MRR@10 {res['tune']['MRR@10']:.3f}/{res['report']['MRR@10']:.3f}"
            )
        for name, res in kept.get(set_name, {}).get("systems", {}).items():
            results.setdefault(name, res)
        out_console.print(table(rs, results, args.quick))
        margin = margins(results, {"tune": tune, "report": report})
        for half, m in margin.items():
            out_console.print(f"{set_name} {half}: project - {m['best_peer']} = {m['diff']:+.4f} MRR@10 "
                              f"(95 % interval {m['ci95'][0]:+.4f} to {m['ci95'][1]:+.4f})")
        out["sets"][set_name] = {
            "docs": len(rs.docs),
            "queries": len(rs.queries),
            "systems": results,
            "margin": margin,
        }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_bytes(orjson.dumps(out, option=orjson.OPT_INDENT_2))
    out_console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
