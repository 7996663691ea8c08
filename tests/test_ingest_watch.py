"""`search watch`: new corpus files indexed within seconds; a bad file survived; Ctrl+C stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from search import Index, IndexNotFoundError, SearchError

DEADLINE = 20.0


def found(index: Path, query: str) -> int:
    try:
        with Index.open(index) as ix:
            return ix.search(query, limit=5, facets=False, snippets=False).total
    except (IndexNotFoundError, SearchError):
        return -1


def wait_for(predicate: object, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {DEADLINE:g} s: {what}")


def test_watch_indexes_new_files_survives_bad_ones_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text('{"id": "a", "title": "Marée basse", "body": "Les goélands du port."}\n')
    env = dict(os.environ, NO_COLOR="1", XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    proc = subprocess.Popen([sys.executable, "-m", "search", "watch", "--corpus", str(corpus),
                             "--index", str(index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        wait_for(lambda: found(index, "goélands") == 1, "the index built at start")
        (corpus / "b.jsonl").write_text('{"id": "b", "title": "Tempête", "body": "Les chalutiers à quai."}\n')
        wait_for(lambda: found(index, "chalutiers") == 1, "a new file indexed")
        (corpus / "bad.jsonl").write_text('{"id": "c", "title": "Sans corps"}\n{pas du json\n')
        (corpus / "c.md").write_text("Criée\n\nLes coquilles Saint-Jacques à prix d’or.\n")
        wait_for(lambda: found(index, "coquilles") == 1, "a file after a bad one")
        (corpus / "b.jsonl").unlink()
        wait_for(lambda: found(index, "chalutiers") == 0, "a deleted file unindexed")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert f"{corpus}/bad.jsonl:1: missing body" in err
    assert f"{corpus}/bad.jsonl:2: invalid JSON" in err
    assert err.rstrip().endswith("stopped")
    assert "1 added" in out
