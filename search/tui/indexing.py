"""Rebuild and update from the UI: a child process, its progress in the status bar, then a summary."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any

from textual import work
from textual.content import Content
from textual.worker import get_current_worker

from ..errors import NotAnIndexError
from ..storage import check_replaceable
from ._write_process import Progress, WriteOutcome, run_write
from .wording import error_message, number, report_summary, write_failure_message

if TYPE_CHECKING:
    from .app import SearchApp

__all__ = ["IndexingMixin"]

ACTION_LABELS = {"rebuild": "Reconstruction", "update": "Mise à jour"}


class IndexingMixin:
    """Adds `action_rebuild` / `action_update` to the app; the write runs in another process.

    Searches keep running on the old index meanwhile; the engine reads the new one at the
    next search once the child has swapped it in.
    """

    writing: str | None
    _write_proc: subprocess.Popen[bytes] | None

    def init_indexing(self) -> None:
        """Set the state (call from `__init__`)."""
        self.writing = None
        self._write_proc = None

    def action_rebuild(self) -> None:
        """Ctrl+R: rebuild the index from the corpus."""
        self.start_write("rebuild")

    def action_update(self) -> None:
        """F5: update the index from the corpus."""
        self.start_write("update")

    def start_write(self, action: str) -> None:
        """Start a rebuild or an update unless one is running."""
        app: SearchApp = self  # type: ignore[assignment]
        if self.writing:
            app.notify(f"{ACTION_LABELS[self.writing]} déjà en cours : attendez qu’elle se termine.",
                       severity="warning", timeout=4)
            return
        if not app.corpus_path.exists():
            app.notify(f"Corpus introuvable : {app.corpus_path}. Relancez avec --corpus CHEMIN "
                       "(un fichier .jsonl ou un dossier d’articles).", title="Indexation impossible",
                       severity="error", timeout=10)
            return
        try:
            check_replaceable(app.index_path)
        except NotAnIndexError as error:
            app.notify(error_message(error), title="Indexation impossible", severity="error", timeout=12)
            return
        self.writing = action
        app.status.start_write(f"{ACTION_LABELS[action]} : lecture du corpus…")
        if action == "rebuild" and app.index is not None:
            app.notify("Reconstruction lancée : la recherche reste possible sur l’index actuel.", timeout=4)
        self.write_worker(action)

    @work(thread=True, exclusive=True, group="write", exit_on_error=False)
    def write_worker(self, action: str) -> None:
        """Run the child process and relay its progress."""
        app: SearchApp = self  # type: ignore[assignment]
        worker = get_current_worker()

        def progress(p: Progress) -> None:
            app.call_from_thread(self.write_progress, action, p)

        def started(proc: subprocess.Popen[bytes]) -> None:
            self._write_proc = proc

        try:
            outcome = run_write(action, app.corpus_path, app.index_path, lock_wait=app.lock_wait,
                                on_progress=progress, cancelled=lambda: worker.is_cancelled,
                                on_start=started)
        except Exception as error:  # noqa: BLE001 - shown, never a traceback
            outcome = WriteOutcome(False, detail=f"{type(error).__name__} : {error}")
        try:
            app.call_from_thread(self.write_done, action, outcome)
        except RuntimeError:
            pass  # the app is closing

    def write_progress(self, action: str, p: Progress) -> None:
        """Show how far the write is, with articles/s."""
        if not self.is_running:  # type: ignore[attr-defined]
            return
        app: SearchApp = self  # type: ignore[assignment]
        of = f" / {number(p.total)}" if p.total else ""
        rate = number(round(p.rate))
        label = f"{ACTION_LABELS[action]} : {number(p.done)}{of} articles · {rate} articles/s"
        if p.total and p.done >= p.total:
            label = f"{ACTION_LABELS[action]} : {number(p.done)} articles lus, écriture de l’index…"
        app.status.write_progress(label, p.done, p.total)
        if app.index is None:
            app.show_empty(Content.assemble(("Construction de l’index", "bold"),
                                            f" depuis {app.corpus_path}\n\n{label}"))

    def write_done(self, action: str, outcome: WriteOutcome) -> None:
        """Tell the result; search again on the new index."""
        if not self.is_running:  # type: ignore[attr-defined]
            return
        app: SearchApp = self  # type: ignore[assignment]
        self.writing = None
        self._write_proc = None
        app.status.end_write()
        if not outcome.ok:
            message = write_failure_message(outcome)
            app.notify(message, title=f"{ACTION_LABELS[action]} impossible", severity="error", timeout=12)
            if app.index is None:
                app.show_empty(Content.assemble((f"{ACTION_LABELS[action]} impossible\n\n", "bold"), message))
            return
        report: dict[str, Any] = outcome.report
        app.notify(report_summary(report), title="Indexation terminée", timeout=8)
        if app.index is None:
            app.open_index()
        else:
            app.search_now(force=True)

    def stop_write(self) -> None:
        """Stop a running child (the index stays as it was: writes are atomic)."""
        proc = self._write_proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
