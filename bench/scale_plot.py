"""The scale benchmark's plot: one panel per figure against corpus size, the peers drawn too."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.querymix import KINDS
from bench.scale_report import dig

STYLE: dict[str, dict[str, Any]] = {
    "project": {"color": "#c0392b", "marker": "o", "linewidth": 2.2},
    "plain-whoosh": {"color": "#2c3e50", "marker": "s", "linestyle": "--"},
    "plain-whoosh-procs2": {"color": "#7f8c8d", "marker": "s", "linestyle": ":"},
    "tantivy": {"color": "#2980b9", "marker": "^", "linestyle": "--"},
    "tantivy-heap512": {"color": "#85c1e9", "marker": "^", "linestyle": ":"},
}
#: Panel title, the keys under a system's results, log-scale y, target lines (value, label).
Panel = tuple[str, Callable[[dict[str, Any]], float | None], bool, list[tuple[float, str]]]


def _at(*keys: str, scale: float = 1.0) -> Callable[[dict[str, Any]], float | None]:
    def get(res: dict[str, Any]) -> float | None:
        value = dig(res, *keys)
        return None if value is None else value * scale

    return get


def panels() -> list[Panel]:
    """Every panel but the vocabulary's, in order."""
    out: list[Panel] = [
        ("rebuild, articles/s", _at("build", "articles_per_s"), True, [(1000, "target ≥ 1,000")]),
        ("rebuild, s", _at("build", "seconds"), True, []),
        ("rebuild CPU / wall", _at("build", "cpu_per_wall"), False, [(2, "2 cores")]),
        (
            "rebuild peak RSS, all processes, MB",
            _at("build", "process", "group_peak_mb"),
            False,
            [(1024, "1 GB")],
        ),
        ("index on disk, MB", _at("build", "size_bytes", scale=2**-20), True, []),
        (
            "update 1 % + 1 %, share of a rebuild",
            _at("update", "ratio_to_rebuild"),
            False,
            [(0.10, "target < 10 % (360k)")],
        ),
        (
            "searching process peak RSS, MB",
            _at("query", "process", "parent_peak_mb"),
            False,
            [(1024, "1 GB")],
        ),
        ("index open + first query, s", _open_and_first, True, []),
        ("cold CLI query, ms (median)", _at("cli", "median_ms"), False, [(300, "target < 300 (36k)")]),
        (
            "TUI keystroke → painted p95, ms",
            _at("tui", "every_keystroke", "p95"),
            False,
            [(100, "target < 100 (360k)")],
        ),
    ]
    for kind in KINDS:
        limits: list[tuple[float, str]] = [(30, "< 30 at 36k"), (100, "< 100 at 360k")]
        if kind == "fuzzy":
            limits.append((150, "< 150 at 360k"))
        out.append((f"query p95, {kind}, ms", _at("query", "kinds", kind, "p95"), True, limits))
    return out


def _open_and_first(res: dict[str, Any]) -> float | None:
    opened, first = dig(res, "query", "open_s"), dig(res, "query", "first_query_s")
    return None if opened is None or first is None else opened + first


def plot(data: dict[str, Any], path: Path) -> bool:
    """Draw every figure of a run against corpus size into a PNG; False (with a note) if matplotlib
    is missing or nothing was measured."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no plot: matplotlib is not installed (pip install matplotlib)", file=sys.stderr)
        return False
    results = {int(k): v for k, v in data.get("results", {}).items()}
    if not results:
        return False
    sizes = sorted(results)
    all_panels = panels()
    cols = 4
    rows = (len(all_panels) + 1 + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    flat = list(axes.flat)
    _vocabulary(flat[0], data)
    for ax, (title, get, log_y, limits) in zip(flat[1:], all_panels, strict=False):
        for system, style in STYLE.items():
            points = [(n, get(results[n].get(system, {}))) for n in sizes]
            shown = [(n, v) for n, v in points if v is not None]
            if shown:
                ax.plot(*zip(*shown, strict=True), label=system, markersize=4, **style)
        for value, label in limits:
            ax.axhline(value, color="#27ae60", linewidth=0.8, linestyle="-.")
            ax.annotate(
                label,
                (0.01, value),
                xycoords=("axes fraction", "data"),
                fontsize=6,
                color="#27ae60",
                va="bottom",
            )
        _axes(ax, title, log_y, sizes)
    for ax in flat[len(all_panels) + 1 :]:
        ax.axis("off")
    handles, labels = flat[1].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.975),
        ncol=len(labels),
        fontsize=9,
        frameon=False,
    )
    load = dig(data, "machine", "loadavg_before") or [0.0]
    fig.suptitle(
        f"search-fr scale benchmark, {data.get('started_at', '')} (load average {load[0]:.1f}); "
        "x: articles in the corpus",
        y=0.995,
        fontsize=10,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.955))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def _axes(ax: Any, title: str, log_y: bool, sizes: list[int] | None = None) -> None:
    from matplotlib.ticker import FuncFormatter, NullFormatter

    ax.set_title(title, fontsize=9)
    ax.set_xscale("log")
    if sizes:
        ax.set_xticks(sizes)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x / 1000:g}k"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    if log_y:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: _number(y)))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda y, _: _number(y) if f"{y:.0e}"[0] in "25" else ""))
    ax.tick_params(labelsize=7, which="both")
    ax.grid(True, which="both", linewidth=0.3, alpha=0.5)


def _number(y: float) -> str:
    """A tick label: 50,000, 20, 0.5."""
    return f"{y:,.0f}" if y >= 10 else f"{y:g}"


def _vocabulary(ax: Any, data: dict[str, Any]) -> None:
    """Distinct words and stems along the largest generated corpus (log-log: Heaps' law)."""
    corpora = data.get("corpora", {})
    if not corpora:
        ax.axis("off")
        return
    curve = corpora[max(corpora, key=int)]["vocabulary_curve"]
    n = [c["articles"] for c in curve]
    for key, colour in (("words", "#8e44ad"), ("folded", "#d35400"), ("stems", "#16a085")):
        ax.plot(n, [c[key] for c in curve], marker=".", color=colour, label=key)
    ax.legend(fontsize=7)
    _axes(ax, "vocabulary of the generated archive", True)
