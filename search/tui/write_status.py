"""Rebuild and update from the UI: a child process, its progress in the status bar, then a summary."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ProgressBar
from textual.worker import get_current_worker

from ..errors import NotAnIndexError
from ..i18n import N_, _, number
from ..storage import check_replaceable
from ..wording import report_summary
from ._write_process import Progress, WriteOutcome, run_write
from .wording import tui_error, write_failure_message

__all__ = ["ACTION_LABELS", "WriteStatus"]

ACTION_LABELS = {"rebuild": N_("Rebuild"), "update": N_("Update")}


class WriteStatus(Horizontal):
    """Rebuilds or updates the index in a child process and shows how far it is.

    The child (`_write_process`) runs `search rebuild|update`; this widget owns it: it starts
    it in a thread worker, whose `Progressed`, `Finished` and `Failed` messages this widget
    shows (its progress bar, hidden when no write runs; a notification at the end, a failure
    worded from the child's typed error) before they bubble up to the app. Searches keep
    running on the old index meanwhile; the engine reads the new one at its next search once
    the child has swapped it in.

    Args:
        corpus: the corpus file or folder.
        index: the index directory, or a cluster's URL.
        lock_wait: seconds the child waits for another writer before failing.
    """

    class Progressed(Message):
        """How far the child is; `label` says it in French, with articles/s."""

        def __init__(self, action: str, progress: Progress) -> None:
            super().__init__()
            self.action = action
            self.progress = p = progress
            name = _(ACTION_LABELS[action])
            if p.phase == "write":
                self.label = _("{action}: {n} articles read, writing the index…").format(
                    action=name, n=number(p.done))
            else:
                of = f" / {number(p.total)}" if p.total else ""
                self.label = _("{action}: {n}{of} articles · {rate} articles/s").format(
                    action=name, n=number(p.done), of=of, rate=number(round(p.rate)))

    class Finished(Message):
        """The write is done: the child's JSON report (counts, seconds, size)."""

        def __init__(self, action: str, report: dict[str, Any]) -> None:
            super().__init__()
            self.action = action
            self.report = report

    class Failed(Message):
        """The write failed or was stopped; `message` says why, in French."""

        def __init__(self, action: str, message: str) -> None:
            super().__init__()
            self.action = action
            self.message = message

        @property
        def title(self) -> str:
            """"Rebuild failed" or "Update failed"."""
            return _("{action} failed").format(action=_(ACTION_LABELS[self.action]))

    def __init__(self, corpus: Path, index: Path | str, *, lock_wait: float = 10.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.corpus = corpus
        self.index = index
        self.lock_wait = lock_wait
        #: The running write ("rebuild" or "update"), None when there is none.
        self.action: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def compose(self) -> ComposeResult:
        """What the write does, and its progress bar."""
        yield Label("", id="write-label")
        yield ProgressBar(id="write-bar", show_eta=False)

    def on_mount(self) -> None:
        """Hidden until a write starts."""
        self.display = False

    def on_unmount(self) -> None:
        """Stop a running child (the index stays as it was: writes are atomic)."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def start(self, action: str, *, searching: bool = False) -> bool:
        """Start a rebuild or an update unless one is running (or there is nothing to index).

        Args:
            action: "rebuild" or "update".
            searching: an index is open (a rebuild says that searches go on meanwhile).

        Returns:
            Whether the write started (if not, a notification says why).
        """
        if self.action:
            self.notify(_("{action} already running: wait for it to end.").format(
                action=_(ACTION_LABELS[self.action])), severity="warning", timeout=4)
            return False
        if not self.corpus.exists():
            self.notify(_("No corpus at {corpus}. Start again with --corpus PATH (a .jsonl file or a "
                          "folder of articles).").format(corpus=self.corpus), title=_("Cannot index"),
                        severity="error", timeout=10)
            return False
        try:
            if isinstance(self.index, Path):  # a folder (a cluster's tables are all its own)
                check_replaceable(self.index)
        except NotAnIndexError as error:
            self.notify(tui_error(error), title=_("Cannot index"), severity="error", timeout=12)
            return False
        self.action = action
        self.display = True
        self.query_one("#write-label", Label).update(_("{action}: reading the corpus…").format(
            action=_(ACTION_LABELS[action])))
        self.query_one("#write-bar", ProgressBar).update(total=None, progress=0)
        if action == "rebuild" and searching:
            self.notify(_("Rebuild started: searches go on in the current index meanwhile."), timeout=4)
        self._run(action)
        return True

    @work(thread=True, exclusive=True, group="write", exit_on_error=False)
    def _run(self, action: str) -> None:
        """Run the child (in a thread) and relay its progress."""
        worker = get_current_worker()

        def started(proc: subprocess.Popen[bytes]) -> None:
            self._proc = proc

        def progressed(progress: Progress) -> None:
            self.post_message(self.Progressed(action, progress))  # thread-safe

        try:
            outcome = run_write(action, self.corpus, self.index, lock_wait=self.lock_wait,
                                on_progress=progressed, cancelled=lambda: worker.is_cancelled,
                                on_start=started)
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            outcome = WriteOutcome(False, detail=f"{type(error).__name__}: {error}")
        # after the progress messages, in order
        if outcome.ok:
            self.post_message(self.Finished(action, outcome.report))
        else:
            self.post_message(self.Failed(action, write_failure_message(outcome)))

    @on(Progressed)
    def _progressed(self, event: Progressed) -> None:
        p = event.progress
        self.query_one("#write-label", Label).update(event.label)
        bar = self.query_one("#write-bar", ProgressBar)
        if p.phase == "write":
            bar.update(total=None)  # the indeterminate bar moves while the index is written
        else:
            bar.update(total=p.total, progress=p.done)

    @on(Finished)
    @on(Failed)
    def _ended(self, event: Finished | Failed) -> None:
        self.action = None
        self._proc = None
        self.display = False
        if isinstance(event, self.Finished):
            self.notify(report_summary(event.report), title=_("Indexing done"), timeout=8)
        else:
            self.notify(event.message, title=event.title, severity="error", timeout=12)
