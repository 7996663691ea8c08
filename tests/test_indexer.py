"""Rebuild and update: counts, duplicates, atomic swap, interruption, locks, versions."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search import (
    SCHEMA_VERSION,
    Article,
    CorpusError,
    Index,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
)
from search.storage import META_NAME, lock_path, writer_lock

from .conftest import NEWS

WORDS = ("gouvernement réforme retraite élection électricité marché grève train hôpital "
         "école agriculteur vendange canicule orage musée théâtre concert tribunal police "
         "entreprise salarié chômage inflation budget député sénat maire région commune").split()


def make_corpus(path: Path, n: int, seed: int = 7, prefix: str = "doc") -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 160)))
            rec = {"id": f"{prefix}-{i}", "title": f"Article {i} " + rng.choice(WORDS),
                   "body": body, "date": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                   "source": rng.choice(["AFP", "Reuters", "Ouest-France"]),
                   "tags": [rng.choice(["politique", "société", "économie"])]}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def leftovers(index: Path) -> list[str]:
    return sorted(p.name for p in index.parent.iterdir() if p.name.startswith(f".{index.name}."))


def test_rebuild_reports_counts_and_problems(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(NEWS.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    ix = Index.rebuild(corpus, tmp_path / "index", procs=1)
    report = ix.last_report
    assert report is not None
    assert (report.added, report.skipped, report.records, report.articles) == (12, 1, 12, 12)
    assert [str(p) for p in report.problems] == [
        f"{corpus}:13: invalid JSON at column 2: a field name without double quotes, or a comma before a "
        "closing brace"]
    assert report.size_bytes > 0 and report.seconds > 0
    assert leftovers(tmp_path / "index") == []
    assert ix.search("retraite").total == 2


def test_duplicate_ids_last_one_wins(tmp_path: Path) -> None:
    corpus = tmp_path / "dup.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "title": "Premier titre", "body": "ancienne version du texte"},
        {"id": "b", "title": "Autre", "body": "rien à voir"},
        {"id": "a", "title": "Titre corrigé", "body": "nouvelle version du texte"},
    ]) + "\n", encoding="utf-8")
    ix = Index.rebuild(corpus, tmp_path / "index", procs=1)
    assert ix.last_report is not None and ix.last_report.duplicates == 1
    assert [str(p) for p in ix.last_report.problems] == [
        f"{corpus}:3: duplicate id 'a': replaces the article read at {corpus}:1"]
    assert ix.get("a").title == "Titre corrigé"
    assert ix.search("ancienne").total == 0
    assert ix.search("nouvelle").total == 1
    assert ix.stats().articles == 2


def test_rebuild_from_article_objects(tmp_path: Path) -> None:
    arts = [Article(id=f"x{i}", title=f"Titre {i}", body=f"Le train de nuit {i} repart.") for i in range(3)]
    ix = Index.rebuild(arts, tmp_path / "index")
    assert ix.search("trains").total == 3


def test_a_corpus_with_no_good_article_keeps_the_previous_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "sans corps"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"no article could be indexed \(1 bad records, first: "
                       r".*bad\.jsonl:1: missing body\); the previous index is kept"):
        Index.rebuild(bad, index)
    assert Index.open(index).search("retraite").total == 2
    assert leftovers(index) == []


def test_strict_rebuild_fails_and_keeps_the_previous_index(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    corpus = make_corpus(tmp_path / "new.jsonl", 50)
    with corpus.open("a", encoding="utf-8") as fh:
        fh.write('{"id": "bad", "title": 5, "body": "x"}\n')
    with pytest.raises(CorpusError, match=r"new\.jsonl:51: title must be a string, not int"):
        Index.rebuild(corpus, index, strict=True)
    ix = Index.open(index)
    assert ix.stats().articles == 12 and ix.search("retraite").total == 2
    assert leftovers(index) == []


@pytest.mark.parametrize("keep", [32_000_000, 0], ids=["changes-kept", "corpus-read-again"])
def test_update_adds_changes_and_deletes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: int) -> None:
    monkeypatch.setattr("search.indexer.KEEP_CHANGED", keep)  # 0: the changed articles are read again
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = NEWS.read_text(encoding="utf-8").splitlines()
    (corpus / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ix = Index.rebuild(corpus, tmp_path / "index", procs=1)
    # change one body, drop one article, add one
    recs = [json.loads(line) for line in lines]
    recs[0]["body"] += " Les licornes ont voté."
    recs = [r for r in recs if r["id"] != "cheval"]
    recs.append({"id": "neuf", "title": "Nouvel article", "body": "Une girafe au musée."})
    (corpus / "news.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    report = ix.update(corpus)
    assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 10)
    assert report.articles == 12
    assert ids_for(ix, "licornes") == ["retraites-1"]
    assert ids_for(ix, "girafe") == ["neuf"]
    assert ids_for(ix, "chevaux") == []
    assert ix.stats().articles == 12
    # nothing changed since: the fast path, no write
    again = ix.update(corpus)
    assert not again.changed and again.unchanged == 12
    assert again.notes == ["no corpus file changed since the last write"]
    # touched but identical: read, compared, nothing written
    os.utime(corpus / "news.jsonl", (time.time() + 5, time.time() + 5))
    touched = ix.update(corpus)
    assert not touched.changed and touched.unchanged == 12 and touched.notes == []


def ids_for(ix: Index, q: str) -> list[str]:
    return [h.id for h in ix.search(q, limit=50).hits]


def test_update_of_a_missing_index_builds_it(tmp_path: Path) -> None:
    report = Index.open(tmp_path / "index", missing_ok=True).update(NEWS, build_if_missing=True)
    assert report.added == 12
    assert report.notes == [f"no index at {tmp_path / 'index'}: built it from scratch"]
    assert Index.open(tmp_path / "index").stats().articles == 12


def test_update_with_duplicates_keeps_the_last(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "a", "title": "T", "body": "premier"}) + "\n",
                      encoding="utf-8")
    ix = Index.rebuild(corpus, tmp_path / "index", procs=1)
    corpus.write_text("\n".join(json.dumps({"id": "a", "title": "T", "body": b}) for b in
                                ("deuxième", "troisième")) + "\n", encoding="utf-8")
    report = ix.update(corpus)
    assert (report.updated, report.duplicates) == (1, 1)
    assert ix.get("a").body == "troisième" and ix.stats().articles == 1


def test_an_open_index_sees_a_rebuild_by_another_writer(tmp_path: Path) -> None:
    index = tmp_path / "index"
    reader = Index.rebuild(NEWS, index, procs=1)
    assert reader.search("girafe").total == 0
    Index.rebuild([Article(id="g", title="Girafe", body="Une girafe.")], index).close()
    assert reader.search("girafe").total == 1
    assert reader.stats().articles == 1
    assert leftovers(index) == []


def test_parallel_rebuild_gives_the_same_index(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "c.jsonl", 600)
    one = Index.rebuild(corpus, tmp_path / "one", procs=1)
    two = Index.rebuild(corpus, tmp_path / "two", procs=2)
    assert two.stats().articles == one.stats().articles == 600
    for q in ("retraite", "grève train", '"marché budget"', "hôp*"):
        assert two.search(q, limit=5).total == one.search(q, limit=5).total, q


def test_a_second_writer_waits_then_fails_naming_the_lock(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer_lock(index, command="update"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(5)
        started = time.monotonic()
        with pytest.raises(IndexLockedError) as info:
            Index.rebuild(NEWS, index, lock_timeout=0.3)
        assert time.monotonic() - started >= 0.3
        message = str(info.value)
        assert message.startswith(f"index is being written by pid {os.getpid()} (update, since ")
        assert message.endswith(f"(lock {lock_path(index)}); gave up after 0.3 s: "
                                "try again when it has finished")
    finally:
        release.set()
        thread.join()
    assert Index.rebuild(NEWS, index, lock_timeout=0.3).stats().articles == 12


def test_a_dead_writers_lock_is_taken_over_with_a_note(tmp_path: Path) -> None:
    index = tmp_path / "index"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    lock_path(index).parent.mkdir(parents=True, exist_ok=True)
    lock_path(index).write_text(json.dumps({"pid": pid, "host": os.uname().nodename,
                                            "command": "rebuild", "since": "x"}))
    (tmp_path / f".{index.name}.tmp-{pid}-deadbeef").mkdir()
    ix = Index.rebuild(NEWS, index, procs=1)
    assert ix.last_report is not None
    assert ix.last_report.notes == [
        f"the previous writer (pid {pid}, rebuild) did not finish; its lock was taken over "
        "and its leftovers removed"]
    assert leftovers(index) == []


REBUILD_SCRIPT = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
from search import Index
Index.rebuild(sys.argv[1], sys.argv[2], procs=int(sys.argv[3]))
"""


@pytest.mark.parametrize("how, procs", [(signal.SIGKILL, 1), (signal.SIGINT, 1), (signal.SIGKILL, 2)])
def test_an_interrupted_rebuild_leaves_the_old_index_searchable(
        tmp_path: Path, how: signal.Signals, procs: int) -> None:
    index = tmp_path / "index"
    before = Index.rebuild(NEWS, index, procs=1)
    expected = [h.id for h in before.search("retraite OR électricité", limit=20).hits]
    big = make_corpus(tmp_path / "big.jsonl", 4000)
    proc = subprocess.Popen([sys.executable, "-c", REBUILD_SCRIPT, str(big), str(index), str(procs)],
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while not any(n.startswith(".index.tmp-") for n in leftovers(index)):
        assert proc.poll() is None, "the rebuild ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.5)  # let it write part of the new index
    if how == signal.SIGKILL:
        os.killpg(proc.pid, how)
    else:
        proc.send_signal(how)
    proc.wait(30)
    assert proc.returncode != 0
    after = Index.open(index)
    assert [h.id for h in after.search("retraite OR électricité", limit=20).hits] == expected
    assert after.stats().articles == 12
    if how == signal.SIGINT:
        assert leftovers(index) == [], "Ctrl-C must clean up the temporary build"
    # the next writer cleans up what a killed one left, and succeeds
    assert Index.rebuild(NEWS, index, procs=1).stats().articles == 12
    assert leftovers(index) == []


def test_missing_index_and_other_schema_version(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError) as info:
        Index.open(tmp_path / "nope")
    assert str(info.value) == (f"no index at {tmp_path / 'nope'}: build it with "
                               f"`search rebuild --index {tmp_path / 'nope'}`")
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    meta = json.loads((index / META_NAME).read_text())
    meta["schema_version"] = 0
    (index / META_NAME).write_text(json.dumps(meta))
    with pytest.raises(IndexVersionError) as info2:
        Index.open(index)
    assert str(info2.value) == (f"index at {index} built by an older version (schema 0, this is "
                                f"{SCHEMA_VERSION}): run `search rebuild --index {index}`")
    Index.rebuild(NEWS, index, procs=1)
    assert Index.open(index).stats().schema_version == SCHEMA_VERSION


def test_index_directory_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        Index.rebuild(NEWS, tmp_path / "index", procs=1).close()
    finally:
        os.umask(old)
    mode = (tmp_path / "index").stat().st_mode & 0o777
    assert mode == 0o750
    assert all((p.stat().st_mode & 0o007) == 0 for p in (tmp_path / "index").iterdir())
