"""The progress of a rebuild or an update on stderr: a bar on a terminal, plain lines in a pipe,
JSON lines for other programs; then the writing phase, with a running clock."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ..i18n import _, number

__all__ = ["BarProgress", "PlainProgress", "json_progress", "progress_bar"]

class PlainProgress:
    """Plain lines for logs and pipes: one every `every` seconds while indexing, and one when
    the writing starts (so a log shows what the last seconds were spent on) unless the
    indexing took under a second."""

    def __init__(self, stream: IO[str], every: float = 5.0) -> None:
        self.stream = stream
        self.every = every
        self.started = time.monotonic()
        self.last = self.started

    def __call__(self, done: int, total: int | None, phase: str = "index") -> None:
        now = time.monotonic()
        if phase == "write":
            if now - self.started < 1.0:
                return
            print(_("read {done} articles in {seconds} s; writing the index…").format(
                done=number(done), seconds=round(now - self.started)), file=self.stream, flush=True)
            return
        if now - self.last < self.every:
            return
        self.last = now
        rate = done / max(now - self.started, 1e-9)
        of = f"/{number(total)}" if total else ""
        print(_("indexed {done}{of} articles ({rate}/s)").format(done=number(done), of=of,
                                                                  rate=number(round(rate))),
              file=self.stream, flush=True)


def json_progress(done: int, total: int | None, phase: str = "index") -> None:
    """One JSON object a line on stderr: `{"done", "total", "phase"}` (for the TUI and scripts)."""
    sys.stderr.write(orjson.dumps({"done": done, "total": total, "phase": phase}).decode() + "\n")
    sys.stderr.flush()


class BarProgress:
    """The progress callback of the bar: it moves the "indexing" line, then adds the "writing
    the index" line (no total: a pulsing bar and a running clock) when the writing starts."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task = bar.add_task(_("indexing"), total=None, rate="", eta=_("ETA"))
        self.writing: TaskID | None = None
        self.started = time.monotonic()

    def __call__(self, done: int, total: int | None, phase: str = "index") -> None:
        if phase == "write":
            if self.writing is None:
                self.bar.update(self.task, completed=done, total=total or done)
                self.writing = self.bar.add_task(_("writing the index"), total=None, rate="", eta="")
            return
        rate = done / max(time.monotonic() - self.started, 1e-9)
        self.bar.update(self.task, completed=done, total=total,
                        rate=_("{rate} articles/s").format(rate=number(round(rate))))


@contextmanager
def progress_bar(console: Console) -> Iterator[BarProgress]:
    """A bar with articles/s, the elapsed time and the ETA while indexing; then a second line,
    "writing the index", whose clock runs until the index is written."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TaskProgressColumn(), TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
               TextColumn("{task.fields[eta]}"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        yield BarProgress(bar)
