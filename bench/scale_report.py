"""The targets of the scale benchmark, checked from one run, and its tables on the terminal."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.querymix import KINDS

#: Where the issue's targets apply.
AT_36K, AT_360K = 36_000, 360_000
GB = 1024.0
PEERS = ("plain-whoosh", "plain-whoosh-procs2", "tantivy", "tantivy-heap512")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda v, limit: v < limit,
    "<=": lambda v, limit: v <= limit,
    ">=": lambda v, limit: v >= limit,
}


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]…``, or None where a key is missing."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def near(size: int, target: int) -> bool:
    """Whether a corpus size counts as ``target`` (within 5 %: 36,000 and 36,152 are 36k)."""
    return abs(size - target) <= 0.05 * target


def _check(
    target: str, size: int | None, value: float | None, op: str, limit: float, unit: str, note: str = ""
) -> dict[str, Any]:
    """One target against one measured value (None: not measured)."""
    status = "not run" if value is None else "met" if _OPS[op](value, limit) else "missed"
    shown = None if value is None else round(value, 3)
    return {
        "target": target,
        "size": size,
        "value": shown,
        "op": op,
        "limit": limit,
        "unit": unit,
        "status": status,
        "note": note,
    }


def _worst_p95(kinds: dict[str, Any] | None) -> tuple[float | None, str]:
    """The largest p95 over the query kinds, and the kind it belongs to."""
    values = {k: s["p95"] for k, s in (kinds or {}).items() if "p95" in s}
    if not values:
        return None, ""
    kind = max(values, key=lambda k: values[k])
    return values[kind], kind


def _over(kinds: dict[str, Any] | None, limit: float) -> str:
    """The kinds whose p95 is at or over ``limit``."""
    over = [f"{k} {s['p95']:.0f}" for k, s in (kinds or {}).items() if s.get("p95", 0) >= limit]
    return "over: " + ", ".join(over) if over else ""


def _tantivy_ratio(res: dict[str, Any]) -> tuple[float | None, str]:
    """The largest project / tantivy p95 ratio over the kinds (first-time queries)."""
    mine, theirs = dig(res, "project", "query", "kinds") or {}, dig(res, "tantivy", "query", "kinds") or {}
    ratios = {
        k: mine[k]["p95"] / theirs[k]["p95"]
        for k in KINDS
        if "p95" in mine.get(k, {}) and theirs.get(k, {}).get("p95")
    }
    if not ratios:
        return None, ""
    kind = max(ratios, key=lambda k: ratios[k])
    return ratios[kind], f"worst: {kind}"


def _size_checks(n: int, res: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets that hold at every size."""
    p = res.get("project", {})
    aps = dig(p, "build", "articles_per_s")
    out = [
        _check(
            "rebuild ≥ 1,000 articles/s on 2 cores",
            n,
            aps,
            ">=",
            1000,
            "articles/s",
            f"CPU/wall {dig(p, 'build', 'cpu_per_wall')}",
        )
    ]
    for peer in PEERS:
        other = dig(res, peer, "build", "articles_per_s")
        if not other:
            continue
        if peer.startswith("plain-whoosh"):
            out.append(
                _check(f"rebuild ≥ 5x {peer}'s articles/s", n, aps / other if aps else None, ">=", 5, "x")
            )
        else:
            out.append(
                _check(
                    f"rebuild within 4x of {peer}'s articles/s", n, other / aps if aps else None, "<=", 4, "x"
                )
            )
    group = dig(p, "build", "process", "group_peak_mb")
    out.append(_check("rebuild peak RSS < 1 GB (its processes together)", n, group, "<", GB, "MB"))
    out.append(
        _check(
            "searching process peak RSS < 1 GB",
            n,
            dig(p, "query", "process", "parent_peak_mb"),
            "<",
            GB,
            "MB",
        )
    )
    return out


def _at_36k(n: int | None, res: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets at 36k articles."""
    kinds = dig(res, "project", "query", "kinds")
    worst, kind = _worst_p95(kinds)
    ratio, which = _tantivy_ratio(res)
    return [
        _check(
            "every query kind p95 < 30 ms at 36k",
            n,
            worst,
            "<",
            30,
            "ms",
            _over(kinds, 30) or (f"worst: {kind}" if kind else ""),
        ),
        _check("every query kind p95 within ~10x of tantivy's at 36k", n, ratio, "<=", 10, "x", which),
        _check("cold CLI query < 300 ms at 36k", n, dig(res, "project", "cli", "median_ms"), "<", 300, "ms"),
    ]


def _at_360k(n: int | None, res: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets at 360k articles."""
    kinds = dig(res, "project", "query", "kinds")
    worst, kind = _worst_p95(kinds)
    return [
        _check(
            "every query kind p95 < 100 ms at 360k",
            n,
            worst,
            "<",
            100,
            "ms",
            _over(kinds, 100) or (f"worst: {kind}" if kind else ""),
        ),
        _check("fuzzy p95 (with snippets) < 150 ms at 360k", n, dig(kinds, "fuzzy", "p95"), "<", 150, "ms"),
        _check(
            "1 % update < 10 % of a rebuild at 360k",
            n,
            dig(res, "project", "update", "ratio_to_rebuild"),
            "<",
            0.10,
            "of rebuild",
        ),
        _check(
            "TUI keystroke → results painted p95 < 100 ms at 360k",
            n,
            dig(res, "project", "tui", "every_keystroke", "p95"),
            "<",
            100,
            "ms",
        ),
    ]


def check_targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue, checked on this run's figures (``not run`` where a size is missing)."""
    out: list[dict[str, Any]] = []
    sizes = {int(k): v for k, v in data.get("results", {}).items()}
    for n, res in sorted(sizes.items()):
        out += _size_checks(n, res)
    for target, checks in ((AT_36K, _at_36k), (AT_360K, _at_360k)):
        hits = [n for n in sizes if near(n, target)]
        out += checks(hits[0], sizes[hits[0]]) if hits else checks(None, {})
    return out


# --- tables ------------------------------------------------------------------------------------


def _f(value: Any, fmt: str = "{:,.0f}") -> str:
    return "-" if value is None else fmt.format(value)


def _table(title: str, columns: list[str]) -> Table:
    t = Table(title=title)
    for i, col in enumerate(columns):
        t.add_column(col, justify="left" if i == 0 else "right")
    return t


def corpora_table(data: dict[str, Any]) -> Table:
    """Generated corpora: size, vocabulary (words, folded, stems), Heaps exponent from the previous."""
    t = _table(
        "Generated corpora (title + body; lower-case \\w+ words, folded, Snowball stems)",
        ["articles", "MB (gz)", "tokens", "words", "folded", "stems", "growth exponent", "index words"],
    )
    previous: tuple[int, int] | None = None
    for size, s in sorted(data.get("corpora", {}).items(), key=lambda kv: int(kv[0])):
        n = int(size)
        words = dig(data, "results", size, "project", "build", "index", "words")
        exponent = "-"
        if previous and n > previous[0]:
            exponent = f"{math.log(s['stems'] / previous[1]) / math.log(n / previous[0]):.2f}"
        t.add_row(
            f"{n:,}",
            _f(s.get("bytes_gz", 0) / 2**20, "{:,.1f}"),
            _f(s.get("tokens")),
            _f(s["words"]),
            _f(s["folded"]),
            _f(s["stems"]),
            exponent,
            _f(words),
        )
        previous = (n, s["stems"])
    return t


def rebuild_table(data: dict[str, Any]) -> Table:
    """Rebuild of every system at every size."""
    t = _table(
        "Full rebuild",
        [
            "size / system",
            "s",
            "articles/s",
            "CPU s",
            "CPU/wall",
            "peak MB (all)",
            "largest process MB",
            "index MB",
        ],
    )
    for size, res in data.get("results", {}).items():
        for system, phases in res.items():
            b = phases.get("build", {})
            label = f"{int(size):,} {system}"
            if "error" in b:
                t.add_row(label, f"[red]failed: {b['error']}[/red]")
                continue
            proc = b.get("process", {})
            t.add_row(
                label,
                _f(b.get("seconds"), "{:,.1f}"),
                _f(b.get("articles_per_s")),
                _f(b.get("cpu_s"), "{:,.1f}"),
                _f(b.get("cpu_per_wall"), "{:.2f}"),
                _f(proc.get("group_peak_mb")),
                _f(proc.get("largest_process_mb")),
                _f((b.get("size_bytes") or 0) / 2**20),
            )
    return t


def project_table(data: dict[str, Any]) -> Table:
    """The project's other figures, size by size."""
    sizes = list(data.get("results", {}))
    t = _table("The project at each size", ["figure", *[f"{int(s):,}" for s in sizes]])
    rows: list[tuple[str, tuple[str, ...], str]] = [
        ("update 1 % + 1 %, s", ("update", "seconds"), "{:,.1f}"),
        ("update / rebuild", ("update", "ratio_to_rebuild"), "{:.1%}"),
        ("update peak MB (all)", ("update", "process", "group_peak_mb"), "{:,.0f}"),
        ("index open, s", ("query", "open_s"), "{:.2f}"),
        ("first query, s", ("query", "first_query_s"), "{:.2f}"),
        ("RSS after 1,000 queries, MB", ("query", "rss_after_1000", "rss_mb"), "{:,.0f}"),
        ("searching process peak, MB", ("query", "process", "parent_peak_mb"), "{:,.0f}"),
        ("cold CLI query, ms (median)", ("cli", "median_ms"), "{:,.0f}"),
        ("  import search, ms", ("cli", "import_search_ms"), "{:,.0f}"),
        ("  bare python start, ms", ("cli", "python_start_ms"), "{:,.0f}"),
        ("TUI keystroke → painted p50, ms", ("tui", "every_keystroke", "p50"), "{:,.0f}"),
        ("TUI keystroke → painted p95, ms", ("tui", "every_keystroke", "p95"), "{:,.0f}"),
        ("TUI start → index open, ms", ("tui", "start", "index_ms"), "{:,.0f}"),
    ]
    for label, keys, fmt in rows:
        t.add_row(label, *[_f(dig(data, "results", s, "project", *keys), fmt) for s in sizes])
    return t


def latency_table(data: dict[str, Any], size: str) -> Table:
    """p50 / p95 per query kind of each system at one size (the project's repeats beside)."""
    res = data["results"][size]
    systems = [s for s in res if "kinds" in res[s].get("query", {})]
    t = _table(
        f"Query latency at {int(size):,} articles, top 10 with snippets, ms p50 / p95 "
        "(each query timed the first time it runs)",
        ["kind", *systems, "project, repeated"],
    )
    for kind in KINDS:
        cells = []
        for system in systems:
            s = res[system]["query"]["kinds"].get(kind, {})
            cells.append(_latency_cell(s))
        cells.append(_latency_cell(dig(res, "project", "query", "kinds_repeat", kind) or {}))
        t.add_row(kind, *cells)
    return t


def _latency_cell(s: dict[str, Any]) -> str:
    if s.get("unsupported"):
        return "n/a"
    if "p50" not in s:
        return "-" if not s else "[red]failed[/red]"
    flags = f" ({s['n']}, capped)" if s.get("capped") else ""
    flags += f" [red]{s['errors']} err[/red]" if s.get("errors") else ""
    return f"{s['p50']:.1f} / {s['p95']:.1f}{flags}"


def _shown(value: float, unit: str) -> str:
    """A measured value or limit with its unit."""
    if unit == "of rebuild":
        return f"{value:.1%} of rebuild"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def targets_table(targets: list[dict[str, Any]]) -> Table:
    """Targets met, missed or not run."""
    t = _table(
        "Targets (issue 13), checked on this run", ["target", "size", "measured", "limit", "status", "note"]
    )
    colours = {"met": "green", "missed": "red", "not run": "dim"}
    for c in targets:
        value = "-" if c["value"] is None else _shown(c["value"], c["unit"])
        size = "-" if c["size"] is None else f"{c['size']:,}"
        status = f"[{colours[c['status']]}]{c['status']}[/{colours[c['status']]}]"
        t.add_row(c["target"], size, value, f"{c['op']} {_shown(c['limit'], c['unit'])}", status, c["note"])
    return t


def print_report(data: dict[str, Any], out: Console) -> None:
    """Every table of a run."""
    out.print(corpora_table(data))
    out.print(rebuild_table(data))
    out.print(project_table(data))
    for size in data.get("results", {}):
        out.print(latency_table(data, size))
    for system, text in data.get("configurations", {}).items():
        out.print(f"  {system}: {text}")
    out.print(targets_table(data.get("targets", [])))
    before, after = (dig(data, "machine", f"loadavg_{when}") or [None] for when in ("before", "after"))
    out.print(
        f"load average before / after: {_f(before[0], '{:.1f}')} / {_f(after[0], '{:.1f}')}"
        " (timings are only worth quoting from a quiet machine)"
    )


# --- estimate ----------------------------------------------------------------------------------


#: How a phase's seconds grow with the corpus when one size was measured: seconds * (n / m) ** g.
#: Rebuild and update read everything (1); the query and TUI phases follow the latency, which grew
#: about as size ** 0.7 from 36k to 180k in issue 13; a cold CLI query is mostly imports.
GROWTH = {"build": 1.0, "update": 1.0, "query": 0.7, "tui": 0.5, "cli": 0.3}


def estimate_phase(phase: str, points: list[tuple[int, float]], n: int) -> float:
    """Seconds of a phase at ``n`` articles from (size, seconds) measured: the line through the two
    largest sizes (its slope at least 0), or from one size, grown as `GROWTH` says."""
    points = sorted(points)
    if len(points) == 1:
        m, seconds = points[0]
        return seconds * (n / m) ** GROWTH.get(phase, 1.0)
    (m1, s1), (m2, s2) = points[-2:]
    return s2 + max((s2 - s1) / (m2 - m1), 0.0) * (n - m2)


def print_estimate(data: dict[str, Any], args: argparse.Namespace) -> None:
    """How long ``args.sizes`` would take, each phase extrapolated from an earlier run (see
    `estimate_phase`); queries and TUI scaled by the queries asked now against then. A rough
    guide: a capped query kind of a slow peer takes at most ``--cap`` seconds a pass."""
    measured: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for size, res in data.get("results", {}).items():
        for system, phases in res.items():
            for phase, r in phases.items():
                if "phase_s" in r:
                    measured.setdefault((system, phase), []).append((int(size), r["phase_s"]))
    then = data.get("settings", {})
    factor = {
        "query": args.per_kind / then.get("per_kind", args.per_kind),
        "tui": args.tui_queries / max(then.get("tui_queries", args.tui_queries), 1),
    }
    per_article = max(
        (
            c["generated_s"] / c.get("generated_articles", c["articles"])
            for c in data.get("corpora", {}).values()
        ),
        default=0.0,
    )
    t = _table(
        "Estimated seconds (from " + str(data.get("started_at")) + ")",
        ["system / phase", *[f"{n:,}" for n in args.sizes]],
    )
    totals = [0.0] * len(args.sizes)
    for (system, phase), points in sorted(measured.items()):
        if system not in args.systems:
            continue
        row = []
        for i, n in enumerate(args.sizes):
            if system != "project" and n > args.peers_up_to:
                row.append("-")
                continue
            est = estimate_phase(phase, points, n) * factor.get(phase, 1.0)
            totals[i] += est
            row.append(f"{est:,.0f}")
        t.add_row(f"{system} {phase} (from {', '.join(f'{m:,}' for m, _ in sorted(points))})", *row)
    t.add_row("corpus generation if not cached", *[f"{per_article * n:,.0f}" for n in args.sizes])
    t.add_row("[b]total (cached corpora)[/b]", *[f"[b]{s:,.0f}[/b]" for s in totals])
    Console().print(t)
    print(f"all sizes: about {sum(totals) / 60:,.0f} minutes with the corpora cached")
