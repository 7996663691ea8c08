"""Rebuild or update the index in a child `python -m search` process (no textual import).

Whoosh's multiprocessing writer forks: it must never run inside the threaded UI
process, so the UI starts `search rebuild|update --json --progress json` and reads
its progress lines (JSON on stderr) and its final report, or its typed error (JSON on
stdout: `{"error": {"type", "message", "fields"}}`), never its sentences.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..errors import SearchError, error_from_dict

__all__ = ["Progress", "WriteOutcome", "command", "run_write"]

#: The folder holding the `search` package, so the child finds it even when it is not installed.
_PACKAGE_ROOT = Path(__file__).absolute().parents[2]


@dataclass(frozen=True)
class Progress:
    """How far a write is: `done` articles of `total` (None: unknown), at `rate` articles/s;
    `phase` "index" while articles are read, "write" while the index is written."""

    done: int
    total: int | None
    rate: float
    elapsed: float
    phase: str = "index"


@dataclass(frozen=True)
class WriteOutcome:
    """The end of a write: the JSON report on success; on failure the child's typed error
    (rebuilt from its JSON), or an `OSError` when it could not start, or else `detail`: the
    last line the child wrote on stderr (a crash), shown as it is."""

    ok: bool
    report: dict[str, Any] = field(default_factory=dict)
    error: SearchError | OSError | None = None
    detail: str = ""
    cancelled: bool = False


def command(action: str, corpus: Path, index: Path | str, *, lock_wait: float) -> list[str]:
    """The child command line for `action` ("rebuild" or "update")."""
    if action not in ("rebuild", "update"):
        raise ValueError(f"action must be rebuild or update, not {action!r}")
    return [sys.executable, "-m", "search", action, "--corpus", str(corpus), "--index", str(index),
            "--json", "--progress", "json", "--wait", f"{lock_wait:g}"]


def run_write(action: str, corpus: Path, index: Path | str, *, lock_wait: float = 10.0,
              on_progress: Callable[[Progress], None] | None = None,
              cancelled: Callable[[], bool] | None = None,
              on_start: Callable[[subprocess.Popen[bytes]], None] | None = None) -> WriteOutcome:
    """Run a rebuild or an update in a child process and wait for it (call from a thread).

    Args:
        action: "rebuild" or "update".
        corpus: the corpus file or folder.
        index: the index directory, or a cluster's URL.
        lock_wait: seconds the child waits for another writer before failing.
        on_progress: called with each progress line the child prints.
        cancelled: polled between lines; when it returns True the child is terminated
            (the index is left as it was: writes are atomic).
        on_start: called with the child process once it runs (to stop it from elsewhere).

    Returns:
        The outcome: the report, or what went wrong.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    env.pop("NO_COLOR", None)
    try:
        proc = subprocess.Popen(command(action, corpus, index, lock_wait=lock_wait),
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, start_new_session=True)
    except OSError as err:
        return WriteOutcome(False, error=err)
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None
    if on_start is not None:
        on_start(proc)
    out_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: out_chunks.append(stdout.read()), name="search-write-stdout",
                              daemon=True)
    reader.start()
    started = time.monotonic()
    last_line = ""
    stopped = False
    for raw in stderr:
        if cancelled is not None and cancelled():
            proc.terminate()
            stopped = True
            break
        line = raw.decode("utf-8", "replace").strip()
        if line.startswith("{"):
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError:
                last_line = line
                continue
            if on_progress is not None and isinstance(data, dict) and "done" in data:
                elapsed = time.monotonic() - started
                done = int(data["done"])
                on_progress(Progress(done, data.get("total"), done / max(elapsed, 1e-6), elapsed,
                                     str(data.get("phase") or "index")))
        elif line:
            last_line = line
    code = proc.wait()
    reader.join(timeout=5)
    stdout.close()
    stderr.close()
    if stopped or code < 0:
        return WriteOutcome(False, cancelled=True)
    try:
        data = orjson.loads(b"".join(out_chunks))
    except orjson.JSONDecodeError:
        data = None
    if code == 0 and isinstance(data, dict) and "error" not in data:
        return WriteOutcome(True, report=data)
    if isinstance(data, dict) and "error" in data:
        return WriteOutcome(False, error=error_from_dict(data["error"]))
    return WriteOutcome(False, detail=last_line)
