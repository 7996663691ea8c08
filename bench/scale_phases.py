"""The phases of bench.scale, each run in its own process: prepare, build, query, update, tui."""

from __future__ import annotations

import asyncio
import gzip
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from bench.common import ORANGESUM_CORPUS, dir_size, shared_dir
from bench.proctree import cpu_seconds, own_rss_mb
from bench.querymix import MIX_SEED, MixQuery, build_mix, changed_record, new_record, plan_changes
from bench.scale_corpus import generate_corpora
from bench.systems import make_system
from bench.timing import TOP_K, time_queries

#: Searching-process memory is noted after this many queries (warm-up included).
RSS_AFTER = 1000
#: Terminal size of the TUI phase.
TUI_SIZE = (160, 45)
#: Seconds between keys in the TUI's fast-typing pass.
TUI_INTERVAL = 0.08


@dataclass(frozen=True)
class Inputs:
    """The files one corpus size needs, cached beside the corpus."""

    corpus: Path
    changed: Path
    mix: Path

    @classmethod
    def beside(cls, corpus: Path, per_kind: int, warm_per_kind: int) -> Inputs:
        """The input files of a cached corpus (the mixes depend on the queries asked)."""
        stem = corpus.name.removesuffix(".jsonl.gz")
        return cls(
            corpus,
            corpus.with_name(f"{stem}.updated.jsonl.gz"),
            corpus.with_name(f"{stem}.mix-{per_kind}-{warm_per_kind}.json"),
        )


def prepare_inputs(inputs: Inputs, size: int, per_kind: int, warm_per_kind: int) -> dict[str, int]:
    """Write the corpus after an update (1 % changed, 1 % new) and the query mixes, if missing.

    One pass over the corpus: changed records replaced in place and new ones appended, as
    `bench.querymix.apply_changes` does; the timed mix (``per_kind`` queries of every kind) and a
    separate warm-up mix (``warm_per_kind``, another seed) are drawn from the titles and dates.

    Returns:
        How many records the update changes and adds.
    """
    changed, new = max(size // 100, 1), max(size // 100, 1)
    if inputs.changed.is_file() and inputs.mix.is_file():
        return {"changed": changed, "new": new}
    plan = plan_changes(size, changed=changed, new=new)
    changed_at = set(plan.changed)
    copies: dict[int, list[int]] = {}
    for n, i in enumerate(plan.new_from):
        copies.setdefault(i, []).append(n)
    light: list[dict[str, Any]] = []
    added: dict[int, bytes] = {}
    tmp = inputs.changed.with_suffix(".tmp")
    with gzip.open(inputs.corpus, "rb") as src, gzip.open(tmp, "wb", compresslevel=1) as out:
        for i, line in enumerate(src):
            record = orjson.loads(line)
            light.append({"title": record.get("title") or "", "date": record.get("date")})
            out.write(orjson.dumps(changed_record(record)) + b"\n" if i in changed_at else line)
            for n in copies.get(i, ()):
                added[n] = orjson.dumps(new_record(record, n)) + b"\n"
        for n in sorted(added):
            out.write(added[n])
    tmp.replace(inputs.changed)
    mixes = {"mix": build_mix(light, per_kind), "warm": build_mix(light, warm_per_kind, seed=MIX_SEED + 1)}
    inputs.mix.write_bytes(
        orjson.dumps({k: [[q.kind, q.terms, q.month] for q in v] for k, v in mixes.items()})
    )
    return {"changed": changed, "new": new}


def load_mix(path: Path, which: str) -> list[MixQuery]:
    """The timed (``mix``) or warm-up (``warm``) queries written by `prepare_inputs`."""
    return [MixQuery(k, tuple(t), m) for k, t, m in orjson.loads(path.read_bytes())[which]]


def prepare(job: dict[str, Any]) -> dict[str, Any]:
    """Generate the missing corpora and their inputs; return each size's files and statistics."""
    sizes: list[int] = job["sizes"]
    infos = generate_corpora(
        sizes,
        source=shared_dir() / ORANGESUM_CORPUS,
        seed=job["seed"],
        cache=Path(job["cache"]),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    out = {}
    for size, info in infos.items():
        inputs = Inputs.beside(info.path, job["per_kind"], job["warm_per_kind"])
        started = time.perf_counter()
        update = prepare_inputs(inputs, size, job["per_kind"], job["warm_per_kind"])
        out[str(size)] = {
            "corpus": str(inputs.corpus),
            "changed": str(inputs.changed),
            "mix": str(inputs.mix),
            "update": update,
            "inputs_s": round(time.perf_counter() - started, 1),
            "stats": info.stats,
        }
    return out


def _timed(action: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    """Run ``action``; its result, and its wall and CPU seconds (waited-for children included)."""
    cpu, start = cpu_seconds(), time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    return value, {"seconds": round(seconds, 3), "cpu_s": round(cpu_seconds() - cpu, 3)}


def build(job: dict[str, Any]) -> dict[str, Any]:
    """Rebuild the system's index from the corpus (its configuration: see bench.systems)."""
    system: Any = make_system(job["system"])
    workdir = Path(job["workdir"])
    _, result = _timed(lambda: system.build(Path(job["corpus"]), workdir))
    result["size_bytes"] = dir_size(workdir)
    if job["system"] == "project":
        system.open(workdir)
        result["index"] = system.stats()
    system.close()
    return result


def query(job: dict[str, Any]) -> dict[str, Any]:
    """Open the index, warm up, then time each query of the mix the first time it runs (and,
    with ``repeat``, a second time); note the process's memory after `RSS_AFTER` queries."""
    system: Any = make_system(job["system"])
    mix, warm = load_mix(Path(job["mix"]), "mix"), load_mix(Path(job["mix"]), "warm")
    _, opened = _timed(lambda: system.open(Path(job["workdir"])))
    runs, marks = [0], {}

    def count() -> None:
        runs[0] += 1
        if runs[0] == RSS_AFTER:
            marks[f"rss_after_{RSS_AFTER}"] = own_rss_mb()

    start = time.perf_counter()
    system.run(system.translate(warm[0]), TOP_K)
    first_query_s = time.perf_counter() - start
    count()
    cap = job.get("cap_s")
    result: dict[str, Any] = {"open_s": opened["seconds"], "first_query_s": round(first_query_s, 3)}
    result["kinds"] = time_queries(system, mix, warmup=warm[1:], cap_s=cap, after_each=count)
    if job.get("repeat"):
        result["kinds_repeat"] = time_queries(system, mix, warmup=[], cap_s=cap, after_each=count)
    system.close()
    return {**result, **marks, "queries_run": runs[0], "rss_end": own_rss_mb()}


def update(job: dict[str, Any]) -> dict[str, Any]:
    """Bring the index up to date with the changed corpus (the project finds the changes)."""
    system: Any = make_system(job["system"])
    workdir = Path(job["workdir"])
    system.open(workdir)
    report, result = _timed(lambda: system.update(Path(job["corpus"]), []))
    system.close()
    return {**result, "report": report, "size_bytes": dir_size(workdir)}


def tui(job: dict[str, Any]) -> dict[str, Any]:
    """Type ordinary queries into the terminal UI, key by key (bench.tui_latency)."""
    from bench.project import Project
    from bench.tui_latency import make_queries, measure

    index = Project().index_dir(Path(job["workdir"]))
    queries = make_queries(index, job["tui_queries"])
    figures = asyncio.run(measure(index, queries, TUI_SIZE, TUI_INTERVAL))
    return {**figures, "queries": queries, "rss_end": own_rss_mb()}


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "prepare": prepare,
    "build": build,
    "query": query,
    "update": update,
    "tui": tui,
}


def run_job(path: Path) -> None:
    """Run the phase a job file describes and write what it measured to the job's ``out``."""
    job = orjson.loads(path.read_bytes())
    Path(job["out"]).write_bytes(orjson.dumps(PHASES[job["phase"]](job)))
