"""Query latency of a system over a query mix, per kind (bench.speed and bench.scale)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench.querymix import KINDS, MixQuery

TOP_K = 10


def percentile(values: list[float], p: float) -> float:
    """Linear-interpolated percentile ``p`` (0-100) of non-empty ``values``."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * p / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_stats(samples: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean, in milliseconds, of latencies given in seconds."""
    ms = [1000 * s for s in samples]
    stats = {f"p{p}": percentile(ms, p) for p in (50, 95, 99)}
    stats["mean"] = sum(ms) / len(ms)
    return {k: round(v, 3) for k, v in stats.items()}


def time_queries(
    system: Any,
    mix: list[MixQuery],
    rounds: int = 1,
    *,
    warmup: Sequence[MixQuery] | None = None,
    cap_s: float | None = None,
    after_each: Callable[[], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Time every query of ``mix`` ``rounds`` times with ``system.run``; stats per kind.

    Args:
        system: A system with ``translate(q)`` (None: kind unsupported) and ``run(native, k)``.
        mix: The timed queries.
        rounds: How many timed passes over the mix.
        warmup: Queries run first, untimed. None: the mix itself, so that every timed query is a
            repeat (bench.speed); with other queries, the first round times each query of the mix
            the first time it runs.
        cap_s: Stop timing a kind in a round once it has taken this many seconds (``n`` then
            says how many ran, ``capped`` how many were left out); the warm-up is capped alike.
        after_each: Called after every query run, warm-up included.

    Returns:
        Kind -> p50/p95/p99/mean (ms), ``n``, ``no_hits`` (queries that found nothing the first
        time they were checked); ``errors`` and ``first_error`` for the queries the system
        rejected (those are not timed); ``{"unsupported": True}`` for a kind it cannot run.
    """
    unsupported = {q.kind for q in mix if system.translate(q) is None}
    runnable = [q for q in mix if q.kind not in unsupported]
    empty = dict.fromkeys(KINDS, 0)
    errors: dict[str, list[str]] = {}

    def run(q: MixQuery, check: bool) -> bool:
        """Run one query; when checking, count it if empty, and return False if it raised."""
        try:
            found = system.run(system.translate(q), TOP_K)
        except Exception as err:  # reported per kind, not fatal
            if check:
                errors.setdefault(q.kind, []).append(f"{type(err).__name__}: {err}")
            return False
        finally:
            if after_each is not None:
                after_each()
        if check:
            empty[q.kind] += found == 0
        return True

    if warmup is None:
        runnable = _timed_pass(runnable, cap_s, lambda q: run(q, True)).kept
    else:
        _timed_pass([q for q in warmup if q.kind not in unsupported], cap_s, lambda q: run(q, False))
    samples: dict[str, list[float]] = {}
    capped: dict[str, int] = {}
    for n_round in range(rounds):
        check = warmup is not None and n_round == 0
        done = _timed_pass(runnable, cap_s, partial(run, check=check))
        for kind, values in done.seconds.items():
            samples.setdefault(kind, []).extend(values)
        for kind, skipped in done.skipped.items():
            capped[kind] = capped.get(kind, 0) + skipped
        runnable = done.kept
    out: dict[str, dict[str, Any]] = {k: {"unsupported": True} for k in unsupported}
    for kind, values in samples.items():
        out[kind] = {**latency_stats(values), "n": len(values), "no_hits": empty[kind]}
        if capped.get(kind):
            out[kind]["capped"] = capped[kind]
    for kind, messages in errors.items():
        out.setdefault(kind, {}).update(errors=len(messages), first_error=messages[0])
    return out


@dataclass
class _Pass:
    """One pass over queries: the seconds of those that ran, the skipped count, what to keep."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    kept: list[MixQuery] = field(default_factory=list)


def _timed_pass(queries: Sequence[MixQuery], cap_s: float | None, run: Callable[[MixQuery], bool]) -> _Pass:
    """Run ``queries`` once in order, each kind until it has taken ``cap_s`` seconds.

    Keeps the queries that ran without error and those skipped by the cap, in order.
    """
    out = _Pass()
    spent: dict[str, float] = {}
    for q in queries:
        if cap_s is not None and spent.get(q.kind, 0.0) >= cap_s:
            out.skipped[q.kind] = out.skipped.get(q.kind, 0) + 1
            out.kept.append(q)
            continue
        start = time.perf_counter()
        ok = run(q)
        elapsed = time.perf_counter() - start
        spent[q.kind] = spent.get(q.kind, 0.0) + elapsed
        if ok:
            out.seconds.setdefault(q.kind, []).append(elapsed)
            out.kept.append(q)
    return out
