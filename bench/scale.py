"""Scale benchmark: what rebuild, update, queries, the CLI and the TUI cost from 36k to 360k articles.

    python -m bench.scale --sizes 36k,180k,360k     # the full run (under an hour on 2 quiet cores)
    python -m bench.scale --sizes 2k,5k --per-kind 20 --tui-queries 5   # a quick check
    python -m bench.scale --estimate bench/results/scale-….json --sizes 36k,180k,360k

Corpora come from `bench.scale_corpus` (generated once, cached). Every phase of every system
runs in its own process, in its own process group, whose memory is sampled from /proc (each
process's peak, and the group's largest total); see `bench.scale_phases` for the phases and
`bench.scale_report` for the targets checked.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from bench.common import ORANGESUM_CORPUS, PeerUnavailable, console, shared_dir
from bench.proctree import run_sampled
from bench.scale_corpus import DEFAULT_SEED, cache_dir, parse_size
from bench.scale_phases import load_mix, run_job
from bench.systems import make_system

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PLOT = REPO / "docs" / "scale.png"
DEFAULT_SIZES = "36k,180k,360k"
#: The systems, and the phases each one runs, in order (the update last: it changes the index).
PHASES_OF: dict[str, tuple[str, ...]] = {
    "project": ("build", "query", "cli", "tui", "update"),
    "plain-whoosh": ("build", "query"),
    "plain-whoosh-procs2": ("build",),
    "tantivy": ("build", "query"),
    "tantivy-heap512": ("build", "query"),
}
#: What each configuration is (written in the JSON, shown under the tables).
CONFIGURATIONS = {
    "project": "Index.rebuild(corpus, path): its defaults (2 indexing processes on 2 cores); "
    "ix.search(q, limit=10) with snippets and facets",
    "plain-whoosh": "Whoosh's default writer, ix.writer(); search + body highlights of the top 10",
    "plain-whoosh-procs2": "ix.writer(procs=2, limitmb=256): Whoosh's best on 2 cores (rebuild only: "
    "the same single-segment index as the default's)",
    "tantivy": "tantivy-py's default writer, ix.writer() (128 MB, threads chosen by tantivy); "
    "search + a body snippet of the top 10",
    "tantivy-heap512": "ix.writer(heap_size=512 MB, num_threads=2)",
}
#: Job time limit: a phase that takes longer is killed and reported as failed.
JOB_TIMEOUT = 3 * 3600


class Harness:
    """Runs the phases in worker processes and keeps every figure in one JSON document."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args, self.tmp = args, tmp
        self.err = console(stderr=True)
        self.jobs = 0
        self.data: dict[str, Any] = {
            "harness": "bench.scale",
            "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "loadavg_before": list(os.getloadavg()),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "settings": {k: v for k, v in vars(args).items() if k not in ("worker", "estimate")},
            "configurations": {s: CONFIGURATIONS[s] for s in args.systems},
            "corpora": {},
            "results": {},
        }
        self.data["settings"]["json"] = str(args.json)
        self.data["settings"]["plot"] = str(args.plot)

    def job(self, phase: str, **fields: Any) -> dict[str, Any]:
        """Run one phase in a sampled worker process; what it measured, with its process figures."""
        self.jobs += 1
        path, out = self.tmp / f"job-{self.jobs}.json", self.tmp / f"out-{self.jobs}.json"
        path.write_bytes(orjson.dumps({"phase": phase, "out": str(out), **fields}))
        cmd = [sys.executable, "-m", "bench.scale", "--worker", str(path)]
        run = run_sampled(cmd, cwd=REPO, timeout=JOB_TIMEOUT, show_stderr=phase == "prepare")
        if run.returncode != 0 or not out.is_file():
            lines = run.stderr_tail.splitlines() or [f"exit status {run.returncode}"]
            return {"error": lines[-1], "process": run.summary()}
        return {**orjson.loads(out.read_bytes()), "process": run.summary()}

    def prepare(self) -> dict[str, Any]:
        """Generate (or find) every corpus and its inputs."""
        a = self.args
        fields = {"sizes": a.sizes, "seed": a.seed, "cache": str(a.cache)}
        prepared = self.job("prepare", **fields, per_kind=a.per_kind, warm_per_kind=a.warm_per_kind)
        if "error" not in prepared:
            for size, info in prepared.items():
                if size != "process":
                    self.data["corpora"][size] = {**info["stats"], "inputs_s": info["inputs_s"]}
        return prepared

    def run_size(self, size: int, inputs: dict[str, Any]) -> None:
        """Every phase of every system at one size."""
        results = self.data["results"].setdefault(str(size), {})
        for system in self.args.systems:
            if system != "project" and size > self.args.peers_up_to:
                continue
            workdir = self.tmp / f"{size}-{system}"
            res = results[system] = {}
            for phase in PHASES_OF[system]:
                started = time.perf_counter()
                res[phase] = self.phase(phase, system, size, workdir, inputs)
                took = time.perf_counter() - started
                res[phase].setdefault("phase_s", round(took, 1))
                failed = res[phase].get("error")
                note = f"[red]failed: {failed}[/red]" if failed else f"{took:.1f} s"
                self.err.print(f"[{size:,}] {system}: {phase} {note}")
                self.save()
                if failed and phase == "build":
                    break
            shutil.rmtree(workdir, ignore_errors=True)

    def phase(
        self, phase: str, system: str, size: int, workdir: Path, inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """One phase of one system; derived figures (articles/s, ratios) added."""
        a = self.args
        if phase == "cli":
            words = [" ".join(q.terms) for q in load_mix(Path(inputs["mix"]), "mix") if q.kind == "word"]
            return cold_cli(workdir / "ix", words, a.cli_runs)
        corpus = inputs["changed"] if phase == "update" else inputs["corpus"]
        fields: dict[str, Any] = {"system": system, "workdir": str(workdir), "corpus": corpus}
        fields |= {"mix": inputs["mix"], "cap_s": a.cap, "repeat": system == "project"}
        if phase == "tui":
            if a.tui_queries == 0:
                return {"skipped": "--tui-queries 0"}
            fields["tui_queries"] = a.tui_queries
        result = self.job(phase, **fields)
        if phase == "build" and "seconds" in result:
            result["articles_per_s"] = round(size / result["seconds"], 1)
            result["cpu_per_wall"] = round(result["cpu_s"] / result["seconds"], 2)
        if phase == "update" and "seconds" in result:
            rebuild = self.data["results"][str(size)][system]["build"].get("seconds")
            result["ratio_to_rebuild"] = round(result["seconds"] / rebuild, 4) if rebuild else None
        return result

    def save(self) -> None:
        """Write the JSON as it stands (a crash keeps what was measured)."""
        self.data["machine"]["loadavg_after"] = list(os.getloadavg())
        self.data["finished_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
        self.args.json.parent.mkdir(parents=True, exist_ok=True)
        self.args.json.write_bytes(orjson.dumps(self.data, default=str, option=orjson.OPT_INDENT_2))


def _walls_ms(commands: list[list[str]], env: dict[str, str] | None = None) -> tuple[list[float], int]:
    """Wall time of each command as a whole process (ms), and how many failed."""
    walls, failures = [], 0
    for cmd in commands:
        start = time.perf_counter()
        proc = subprocess.run(
            cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        walls.append(round(1000 * (time.perf_counter() - start), 1))
        failures += proc.returncode != 0
    return walls, failures


def import_ms() -> float | None:
    """Cumulative time of ``import search`` as ``python -X importtime`` reports it (ms)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import search"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == "search" and parts[1].isdigit():
            return int(parts[1]) / 1000
    return None


def cold_cli(index: Path, words: list[str], runs: int) -> dict[str, Any]:
    """Wall time of ``search query WORD --index PATH`` as a whole new process, one word a run.

    Also the start of a bare interpreter and ``import search`` (``-X importtime``), for context.
    The package's bytecode is compiled first, as an installed package's is (with
    ``PYTHONDONTWRITEBYTECODE`` set, an editable checkout would compile every module each run).
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "search")], cwd=REPO,
                   stdout=subprocess.DEVNULL, check=False)
    env = {**os.environ, "NO_COLOR": "1"}
    query = [sys.executable, "-m", "search", "query"]
    walls, failures = _walls_ms(
        [[*query, word, "--index", str(index)] for word in (words * runs)[:runs]], env
    )
    python_ms, _ = _walls_ms([[sys.executable, "-c", "pass"]] * 5)
    imports = sorted(t for t in (import_ms() for _ in range(5)) if t is not None)
    return {
        "median_ms": statistics.median(walls) if walls else None,
        "runs_ms": walls,
        "failures": failures,
        "python_start_ms": statistics.median(python_ms),
        "import_search_ms": imports[len(imports) // 2] if imports else None,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default=DEFAULT_SIZES, help=f"corpus sizes (default {DEFAULT_SIZES})")
    p.add_argument("--systems", default=",".join(PHASES_OF), help="comma-separated: " + ",".join(PHASES_OF))
    p.add_argument("--peers-up-to", default="180k", help="run the peers at sizes up to this (default 180k)")
    p.add_argument("--per-kind", type=int, default=100, help="timed queries of each kind (default 100)")
    p.add_argument("--warm-per-kind", type=int, default=10, help="warm-up queries of each kind (default 10)")
    p.add_argument("--cap", type=float, default=30.0, help="seconds a kind may take per pass (default 30)")
    p.add_argument("--cli-runs", type=int, default=7, help="cold CLI queries (default 7)")
    p.add_argument(
        "--tui-queries", type=int, default=30, help="queries typed in the TUI (default 30; 0: none)"
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed (default {DEFAULT_SEED})")
    p.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="corpus cache (default $SEARCH_BENCH_CACHE or ~/.cache/search-fr/scale)",
    )
    p.add_argument("--workdir", type=Path, default=None, help="where indexes are built (default: a temp dir)")
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M")
    p.add_argument("--json", type=Path, default=RESULTS / f"scale-{stamp}.json", help="results file")
    p.add_argument("--plot", type=Path, default=PLOT, help=f"the plot (default {PLOT.relative_to(REPO)})")
    p.add_argument(
        "--estimate",
        type=Path,
        metavar="RESULTS_JSON",
        help="print how long --sizes would take, from the phases of an earlier run, and exit",
    )
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.sizes = sorted({parse_size(s) for s in args.sizes.split(",")})
    args.systems = [s for s in args.systems.split(",") if s]
    unknown = [s for s in args.systems if s not in PHASES_OF]
    if unknown:
        p.error(f"unknown system: {', '.join(unknown)} (choose among {', '.join(PHASES_OF)})")
    args.peers_up_to = parse_size(args.peers_up_to)
    args.cache = args.cache or cache_dir()
    if args.per_kind < 100:
        print(f"note: {args.per_kind} queries a kind (100 or more for figures to quote)", file=sys.stderr)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or one worker phase, or the estimate); return the exit status."""
    args = parse_args(argv)
    if args.worker:
        run_job(args.worker)
        return 0
    from bench import scale_report
    from bench.scale_plot import plot

    if args.estimate:
        scale_report.print_estimate(orjson.loads(args.estimate.read_bytes()), args)
        return 0
    if not (shared_dir() / ORANGESUM_CORPUS).is_file():
        print(f"bench.scale: skipped, no corpus at {shared_dir() / ORANGESUM_CORPUS}")
        return 0
    for name in list(args.systems):
        try:
            make_system(name).close()
        except PeerUnavailable as reason:
            print(f"skipping {name}: {reason}", file=sys.stderr)
            args.systems.remove(name)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-scale-", dir=args.workdir) as tmp:
        harness = Harness(args, Path(tmp))
        load = harness.data["machine"]["loadavg_before"][0]
        if load > 0.5:
            harness.err.print(f"[yellow]note: load average {load:.1f}: timings from a busy machine[/yellow]")
        prepared = harness.prepare()
        if "error" in prepared:
            harness.err.print(f"[red]preparing the corpora failed: {prepared['error']}[/red]")
            return 1
        for size in args.sizes:
            harness.run_size(size, prepared[str(size)])
        harness.data["targets"] = scale_report.check_targets(harness.data)
        harness.save()
    scale_report.print_report(harness.data, console())
    if plot(harness.data, args.plot):
        print(f"plot written to {args.plot}")
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
