"""Keystroke-to-results latency and start-up time of the terminal UI, driven headless.

    python -m bench.tui_latency --index /path/to/index [--queries 60] [--json out.json]

Types ordinary one- to three-word queries (taken deterministically from the titles of the
index) into the real app with Textual's Pilot and measures, for each keystroke, the time
from the key press to the screen update that paints the results of the box's new value
(the app notes that moment once the update that renders the list, or the message in its
place, is done: see `SearchApp.ResultsPainted`; the terminal's own drawing of the update,
which Textual hands to a writer thread, is not included). Also measures app start to an
interactive search box on the index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

#: Words left out of the generated queries (function words and news boilerplate).
STOP = set(
    """
les des une pour dans par sur avec sans sous entre vers chez mais plus moins tout tous toute toutes
est sont été être ont avoir fait faire dit selon leur leurs cette ces son ses aux qui que quoi dont
elle elles ils lui nous vous comme après avant depuis pendant encore aussi très bien alors ainsi
quand deux trois peut doit veut face contre lors fois jour jours années année ans heures
""".split()
)
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿœŒ]{4,}")


def make_queries(index: Path, count: int) -> list[str]:
    """Ordinary 1-3 word queries from the titles of the newest 2,000 articles, most frequent first."""
    from search import Index

    with Index.open(index) as ix:
        res = ix.search("", date_from="1900-01-01", limit=2000, facets=False, snippets=False)
        titles = [h.title for h in res.hits]
    words_of = [[w.lower() for w in WORD.findall(t) if w.lower() not in STOP] for t in titles]
    singles = Counter(w for words in words_of for w in words)
    pairs = Counter(f"{a} {b}" for words in words_of for a, b in zip(words, words[1:], strict=False))
    triples = Counter(" ".join(words[i : i + 3]) for words in words_of for i in range(len(words) - 2))
    third = max(count // 3, 1)
    out: list[str] = []
    for counter, n in ((singles, third), (pairs, third), (triples, count - 2 * third)):
        picked = [q for q, c in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])) if q not in out][:n]
        out.extend(picked)
    return out


def percentile(values: list[float], pct: float) -> float:
    """The `pct` percentile (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def summary(values: list[float]) -> dict[str, float]:
    """n, p50, p95, max in milliseconds."""
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50": round(statistics.median(ms), 1),
        "p95": round(percentile(ms, 95), 1),
        "max": round(max(ms), 1),
    }


async def measure(index: Path, queries: list[str], size: tuple[int, int], interval: float) -> dict[str, Any]:
    """Start the app, then type every query twice: key by key waiting for each result, and fast."""
    started = time.perf_counter()
    from search.tui import make_app  # textual's import is part of the start-up

    imported = time.perf_counter()
    app = make_app(index, history=None)
    paints: list[tuple[str, float]] = []
    ready: dict[str, float] = {}

    async with app.run_test(size=size) as pilot:
        ready["box"] = time.perf_counter() if app.box.has_focus else float("nan")
        while app.index is None:
            await asyncio.sleep(0.005)
        ready["index"] = time.perf_counter()
        app.box.value = queries[0]  # warm the engine's caches (not measured)
        await wait_for(app, pilot, queries[0], time.perf_counter(), [], timeout=60)
        first = time.perf_counter() - ready["index"]
        app.searches.subscribe_paints(lambda request, at: paints.append((request.query, at)))

        per_key: list[float] = []
        last_key: list[float] = []
        for query in queries:
            await clear(app, pilot)
            for i in range(len(query)):
                key = "space" if query[i] == " " else query[i]
                pressed = time.perf_counter()
                await pilot.press(key)
                latency = await wait_for(app, pilot, query[: i + 1], pressed, paints)
                per_key.append(latency)
                if i == len(query) - 1:
                    last_key.append(latency)

        burst: list[float] = []
        for query in queries:
            await clear(app, pilot)
            for i in range(len(query)):
                key = "space" if query[i] == " " else query[i]
                pressed = time.perf_counter()
                await pilot.press(key)
                if i < len(query) - 1:
                    await asyncio.sleep(max(0.0, interval - (time.perf_counter() - pressed)))
            burst.append(await wait_for(app, pilot, query, pressed, paints))

    engine = engine_times(index, queries, app.page_size())
    return {
        "engine_only": summary(engine),
        "start": {
            "import_ms": round((imported - started) * 1000),
            "box_ms": round((ready["box"] - started) * 1000),
            "index_ms": round((ready["index"] - started) * 1000),
            "first_search_ms": round(first * 1000),
        },
        "every_keystroke": summary(per_key),
        "last_keystroke": summary(last_key),
        "typed_fast": summary(burst) | {"interval_ms": round(interval * 1000)},
    }


def engine_times(index: Path, queries: list[str], limit: int) -> list[float]:
    """Seconds of `Index.search` alone for each query, as the UI asks it (warm, no facets)."""
    from search import Index

    times = []
    with Index.open(index) as ix:
        ix.search(queries[0], limit=limit, facets=False)
        for query in queries:
            started = time.perf_counter()
            ix.search(query, limit=limit, facets=False)
            times.append(time.perf_counter() - started)
    return times


async def clear(app: Any, pilot: Any) -> None:
    """Empty the box and wait until the blank screen is painted."""
    app.box.value = ""
    for _ in range(2000):
        await pilot.pause()
        if app.settled:
            return
        await asyncio.sleep(0.002)


async def wait_for(
    app: Any,
    pilot: Any,
    query: str,
    pressed: float,
    paints: list[tuple[str, float]],
    timeout: float = 10.0,
) -> float:
    """Seconds from `pressed` until results for `query` were painted."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        for painted_query, at in reversed(paints):
            if at < pressed:
                break
            if painted_query == query:
                return at - pressed
        last = app.searches.last_painted
        if last is not None and last[0].query == query and last[1] >= pressed:
            return float(last[1] - pressed)
        await asyncio.sleep(0.001)
    raise TimeoutError(f"no results painted for {query!r} within {timeout} s")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.tui_latency", description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an existing index")
    parser.add_argument("--queries", type=int, default=60, help="how many queries (default 60)")
    parser.add_argument("--size", default="160x45", help="terminal size (default 160x45)")
    parser.add_argument(
        "--interval",
        type=float,
        default=0.08,
        help="seconds between keys in the fast-typing pass (default 0.08)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    width, height = (int(x) for x in args.size.lower().split("x"))
    queries = make_queries(args.index, args.queries)
    figures = asyncio.run(measure(args.index, queries, (width, height), args.interval))
    figures["queries"] = queries
    figures["index"] = str(args.index)
    start = figures["start"]
    print(
        f"start: textual imported in {start['import_ms']} ms, search box ready at {start['box_ms']} ms, "
        f"index open at {start['index_ms']} ms; first search {start['first_search_ms']} ms"
    )
    for name, label in (
        ("engine_only", "engine alone: Index.search, whole queries"),
        ("every_keystroke", "every keystroke (each waits for its results)"),
        ("last_keystroke", "last keystroke of each query"),
        ("typed_fast", f"last key, typed every {figures['typed_fast']['interval_ms']} ms"),
    ):
        s = figures[name]
        print(
            f"{label:<48} n={s['n']:<4} p50={s['p50']:>6.1f} ms  p95={s['p95']:>6.1f} ms  "
            f"max={s['max']:>6.1f} ms"
        )
    print(f"{len(queries)} queries, e.g. {', '.join(repr(q) for q in queries[:3])}, {queries[-1]!r}")
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
