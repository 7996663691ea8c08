"""Faults and concurrency: writers killed at many points, two writers, readers during writes, full disks.

A writer runs in a subprocess (its own session, so its indexing helpers die with it). Kill points are
injected by wrapping one engine or whoosh function in that subprocess; random points are a SIGKILL
after a random delay. After each kill the index must open and answer exactly as it did before the
interrupted write (or as after it, once its commit is done), and the next write must take the lock
over, say so, leave no temporary directory behind and reach exactly the state of a fresh build.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from search import Index
from search.storage import writer_lock

from .conftest import NEWS, REPO, rebuild, run_cli, update

WORDS = ("gouvernement réforme retraite élection électricité marché grève train hôpital école "
         "agriculteur vendange canicule orage musée théâtre concert tribunal police entreprise "
         "salarié chômage inflation budget député sénat maire région commune").split()
SOURCES = ("AFP", "Reuters", "Ouest-France")

#: Queries whose answers are compared, as sets of ids. The second group reads the vocabulary
#: (prefixes, typos), which is written apart from the postings.
CONTENT_QUERIES = ("retraite", "grève train", '"marché budget"', "girafe", "zèbre OR girafe",
                   "date:2015", "source:AFP", "hôpital -école")
VOCAB_QUERIES = ("hôp*", "gir*", "zèb*", "gouvernemant~", "girafo~")


def article(i: int, rng: random.Random, *, extra: str = "", prefix: str = "a") -> dict[str, Any]:
    body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(60, 120)))
    return {"id": f"{prefix}-{i}", "title": f"Article {i} {rng.choice(WORDS)}", "body": f"{body} {extra}",
            "date": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "source": rng.choice(SOURCES)}


def corpus_a(n: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [article(i, rng) for i in range(n)]


def corpus_b(a: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """From A: the first tenth deleted, the next tenth changed, a fifth added (new words)."""
    n = len(a)
    rng = random.Random(2)
    kept = [dict(r) for r in a[n // 10:]]
    for rec in kept[: n // 10]:
        rec["body"] += " une girafe au marché"
    added = [article(i, rng, extra="un zèbre et une girafe", prefix="b") for i in range(n // 5)]
    return kept + added


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return path


def all_ids(index: Path) -> list[str]:
    """The ids of every live document, read from whoosh itself (duplicates would show)."""
    ix = whoosh_index.open_dir(str(index))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        return sorted(searcher.stored_fields(d)["id"] for d in reader.all_doc_ids())


def snapshot(index: Path) -> dict[str, Any]:
    ids = all_ids(index)
    assert len(ids) == len(set(ids)), "an article is in the index twice"
    with Index.open(index) as ix:
        def found(q: str) -> list[str]:
            res = ix.search(q, limit=len(ids), facets=False, snippets=False)
            assert res.total == len(res.hits)
            return sorted(h.id for h in res.hits)

        content = {q: found(q) for q in CONTENT_QUERIES}
        vocab = {q: found(q) for q in VOCAB_QUERIES}
        articles = ix.stats().articles
    return {"ids": ids, "articles": articles, "content": content, "vocab": vocab}


def leftovers(index: Path) -> list[str]:
    return sorted(p.name for p in index.parent.iterdir() if p.name.startswith(f".{index.name}."))


def assert_lock_is_free(index: Path) -> None:
    with writer_lock(index, command="test", timeout=0):
        pass


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Corpora A and B, and the state a fresh build of each gives."""
    root = tmp_path_factory.mktemp("states")
    a = corpus_a(150)
    b = corpus_b(a)
    out: dict[str, Any] = {"root": root}
    for name, records in (("A", a), ("B", b)):
        path = write_jsonl(root / f"{name}.jsonl", records)
        rebuild(path, root / f"ref{name}", procs=1)
        out[name] = path
        out[f"snap{name}"] = snapshot(root / f"ref{name}")
        out[f"ids{name}"] = sorted(r["id"] for r in records)
    assert out["snapA"]["ids"] == out["idsA"] and out["snapB"]["ids"] == out["idsB"]
    assert out["snapA"]["content"] != out["snapB"]["content"]
    assert out["snapA"]["vocab"] != out["snapB"]["vocab"]
    return out


def fresh_index(states: dict[str, Any], tmp_path: Path, of: str = "A") -> Path:
    index = tmp_path / "index"
    rebuild(states[of], index, procs=1)
    return index


# -- the writer in a subprocess, with a kill (or a pause) injected at one point -------------------

WRITER = r'''
import os, signal, sys, time
from pathlib import Path
import shutil
import search.storage as storage, search._whoosh.transaction as transaction, search._whoosh.local as local
import search.indexer as indexer
from search._whoosh.segment_writer import FastSegmentWriter
from search._whoosh.parallel_writer import ParallelWriter

action, point, how, corpus, index, procs = sys.argv[1:7]

def strike():
    if how == "kill":
        os.killpg(os.getpgrp(), signal.SIGKILL)
    print("paused", flush=True)
    time.sleep(float(how))

def around(owner, name, *, after=False, when=None):
    orig = getattr(owner, name)
    def wrapper(*args, **kwargs):
        if not after and (when is None or when(*args, **kwargs)):
            strike()
        out = orig(*args, **kwargs)
        if after and (when is None or when(*args, **kwargs)):
            strike()
        return out
    setattr(owner, name, wrapper)

def nth(n):
    seen = [0]
    def when(*args, **kwargs):
        seen[0] += 1
        return seen[0] == n
    return when

kind, _, arg = point.partition(":")
writers = (FastSegmentWriter, ParallelWriter)
if kind == "lock":
    around(local, "remove_leftovers", after=True)
elif kind == "article":
    for cls in writers:
        around(cls, "add_document", when=nth(int(arg)))
elif kind == "commit":
    for cls in writers:
        around(cls, "commit", after=arg == "after", when=nth(1))
elif kind == "vocabulary":
    import search.vocabulary
    around(search.vocabulary.VocabularyBuilder, "save", after=True)
elif kind == "meta":
    around(transaction, "write_meta", after=arg == "after")
elif kind == "swap":
    around(transaction, "swap_in")
elif kind == "exchanged":
    around(storage, "_renameat2_exchange", after=True)
elif kind == "old":
    around(shutil, "rmtree", when=lambda path, *a, **k: ".old-" in str(path))
elif kind != "none":
    raise SystemExit(f"unknown point {point}")

backend = local.WhooshBackend(Path(index))
if action == "rebuild":
    indexer.rebuild(Path(corpus), backend, procs=int(procs))
else:
    indexer.update(Path(corpus), backend)
print("finished", flush=True)
'''


def start_writer(action: str, point: str, corpus: Path, index: Path, *, how: str = "kill",
                 procs: int = 1) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, action, point, how, str(corpus), str(index), str(procs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, start_new_session=True)


def killed_at(action: str, point: str, corpus: Path, index: Path, procs: int = 1) -> None:
    proc = start_writer(action, point, corpus, index, procs=procs)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, f"{point} was never reached: {out} {err}"


def check_after_kill(states: dict[str, Any], index: Path, *, committed: bool | None) -> None:
    """The index opens and answers as before the write (or as after it, when `committed`)."""
    snap = snapshot(index)
    before, after = states["snapA"], states["snapB"]
    if committed is None:
        assert snap["content"] in (before["content"], after["content"])
        committed = snap["content"] == after["content"]
    expected = after if committed else before
    assert snap["ids"] == expected["ids"] and snap["articles"] == expected["articles"]
    assert snap["content"] == expected["content"]
    if not committed:
        assert snap["vocab"] == before["vocab"]


def check_recovery(states: dict[str, Any], index: Path, action: str, *, note: bool = True) -> None:
    """The next write takes the dead writer's lock over, cleans up, and gives the fresh-build state."""
    report = rebuild(states["B"], index, procs=1) if action == "rebuild" else update(states["B"], index)
    if note:
        assert any("did not finish; its lock was taken over and its leftovers removed" in n
                   for n in report.notes), report.notes
    assert leftovers(index) == []
    assert_lock_is_free(index)
    assert snapshot(index) == states["snapB"]
    assert report.articles == len(states["idsB"])


#: Where a rebuild is killed, and whether its new index is in place by then.
REBUILD_POINTS = {
    "lock": False, "article:1": False, "article:80": False, "commit:before": False,
    "commit:after": False, "vocabulary": False, "meta:after": False, "swap": False,
    "exchanged": True, "old": True,
}
#: Where an update is killed, and whether its changes are committed by then.
UPDATE_POINTS = {
    "lock": False, "article:1": False, "article:30": False, "commit:before": False,
    "commit:after": True, "vocabulary": True, "meta:before": True,
}
QUICK = {("rebuild", "swap"), ("rebuild", "exchanged"), ("update", "commit:after")}


def points() -> Iterator[Any]:
    for action, table in (("rebuild", REBUILD_POINTS), ("update", UPDATE_POINTS)):
        for point, committed in table.items():
            marks = [] if (action, point) in QUICK else [pytest.mark.slow]
            yield pytest.param(action, point, committed, marks=marks, id=f"{action}-{point}")


@pytest.mark.parametrize("action, point, committed", list(points()))
def test_a_writer_killed_at_a_point_loses_nothing(states: dict[str, Any], tmp_path: Path, action: str,
                                                  point: str, committed: bool) -> None:
    index = fresh_index(states, tmp_path)
    killed_at(action, point, states["B"], index)
    check_after_kill(states, index, committed=committed)
    check_recovery(states, index, action)


@pytest.mark.slow
@pytest.mark.parametrize("point, committed", [("article:1", False), ("article:100", False),
                                              ("commit:before", False), ("commit:after", False),
                                              ("meta:after", False), ("exchanged", True)])
def test_a_parallel_rebuild_killed_at_a_point_loses_nothing(states: dict[str, Any], tmp_path: Path,
                                                            point: str, committed: bool) -> None:
    index = fresh_index(states, tmp_path)
    killed_at("rebuild", point, states["B"], index, procs=2)
    check_after_kill(states, index, committed=committed)
    check_recovery(states, index, "rebuild")


def test_a_killed_parallel_rebuild_leaves_no_helper_holding_the_lock(states: dict[str, Any],
                                                                      tmp_path: Path) -> None:
    """Only the writer is killed (as the OOM killer would), not its indexing helpers."""
    index = fresh_index(states, tmp_path)
    proc = start_writer("rebuild", "commit:before", states["B"], index, how="30", procs=2)
    try:
        wait_paused(proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        check_after_kill(states, index, committed=False)
        report = rebuild(states["B"], index, procs=1, lock_timeout=10)
        assert any("did not finish" in n for n in report.notes), report.notes
        assert snapshot(index) == states["snapB"] and leftovers(index) == []
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever outlived the writer
        except ProcessLookupError:
            pass
        proc.communicate(timeout=30)


def children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry))
    return out


@pytest.mark.parametrize("killed", ["one", "all"])
def test_a_rebuild_whose_indexing_helper_dies_fails_instead_of_losing_articles(
        states: dict[str, Any], tmp_path: Path, killed: str) -> None:
    """As if the OOM killer took a helper: whoosh would commit without its articles, or hang."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs /proc to find the helper processes")
    index = fresh_index(states, tmp_path)
    corpus = write_jsonl(tmp_path / "more.jsonl", corpus_a(400, seed=3))
    proc = start_writer("rebuild", "article:350", corpus, index, how="1", procs=2)
    try:
        wait_paused(proc)
        helpers = children(proc.pid)
        assert helpers, "no indexing helper was started"
        for pid in helpers[: 1 if killed == "one" else None]:
            os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert proc.returncode == 1 and "finished" not in out
    assert (f"IndexWriteError: cannot write the index at {index} (an indexing process died: exit code -9); "
            "the previous index is kept") in err, err
    assert snapshot(index) == states["snapA"]
    assert leftovers(index) == []
    assert_lock_is_free(index)


# -- random kill points -----------------------------------------------------------------------------

#: Random SIGKILLs per kind of write (the slow test); the seed is fixed so that a failure replays.
RANDOM_KILLS = {"rebuild-1": 6, "rebuild-2": 6, "update": 8}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Larger corpora, so that a write lasts a few seconds and a random kill lands inside it."""
    root = tmp_path_factory.mktemp("big")
    a = corpus_a(1000, seed=5)
    b = corpus_b(a)
    out: dict[str, Any] = {"A": write_jsonl(root / "A.jsonl", a), "B": write_jsonl(root / "B.jsonl", b)}
    for name in ("A", "B"):
        rebuild(out[name], root / f"ref{name}", procs=1)
        out[f"snap{name}"] = snapshot(root / f"ref{name}")
        out[f"ids{name}"] = sorted(r["id"] for r in (a if name == "A" else b))
    started = time.monotonic()
    update(out["B"], root / "refA")
    out["seconds"] = time.monotonic() - started
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(RANDOM_KILLS))
def test_random_kills_lose_nothing(big: dict[str, Any], tmp_path: Path, kind: str) -> None:
    rng = random.Random(kind)
    index = tmp_path / "index"
    rebuild(big["A"], index, procs=1)
    current = "A"
    action = kind.split("-")[0]
    for _ in range(RANDOM_KILLS[kind]):
        target = "B" if current == "A" or action == "rebuild" else "A"
        if action == "rebuild":
            proc = start_writer("rebuild", "none", big[target], index, procs=int(kind[-1]))
        else:
            proc = start_writer("update", "none", big[target], index)
        time.sleep(rng.uniform(0.3, 1.0 + 2 * big["seconds"]))
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate(timeout=60)
        snap = snapshot(index)
        assert snap["content"] in (big["snapA"]["content"], big["snapB"]["content"])
        state = "A" if snap["content"] == big["snapA"]["content"] else "B"
        assert snap["ids"] == big[f"snap{state}"]["ids"]
        current = state
    report = rebuild(big["B"], index, procs=1) if action == "rebuild" else update(big["B"], index)
    assert report.articles == len(big["idsB"])
    assert leftovers(index) == []
    assert_lock_is_free(index)
    assert snapshot(index) == big["snapB"]


# -- two writers at once ----------------------------------------------------------------------------

def wait_paused(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "paused\n", (line, proc.stderr.read() if proc.stderr else "")


def test_two_updates_at_once_one_waits_nothing_lost_or_doubled(states: dict[str, Any],
                                                               tmp_path: Path) -> None:
    index = fresh_index(states, tmp_path)
    first = start_writer("update", "article:10", states["B"], index, how="1.5")
    wait_paused(first)  # it holds the lock, half way through its changes
    code, out, err = run_cli("update", "--corpus", str(states["B"]), "--index", str(index), "--wait", "60")
    first_out, first_err = first.communicate(timeout=60)
    assert first.returncode == 0, first_err
    assert code == 0, err
    assert "unchanged" in out  # it waited, then found the work done
    assert snapshot(index) == states["snapB"]
    assert leftovers(index) == []


def test_a_second_writer_that_will_not_wait_fails_in_one_line(states: dict[str, Any], tmp_path: Path) -> None:
    index = fresh_index(states, tmp_path)
    first = start_writer("update", "article:10", states["B"], index, how="3")
    wait_paused(first)
    for command in ("update", "rebuild"):
        code, out, err = run_cli(command, "--corpus", str(states["B"]), "--index", str(index), "--wait", "0")
        assert (code, out) == (1, "")
        assert err.startswith(f"search: error: index is being written by pid {first.pid} (update, since ")
        assert err.endswith("gave up after 0 s: try again when it has finished\n") and err.count("\n") == 1
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert snapshot(index) == states["snapB"]


def test_a_rebuild_during_an_update_waits_then_wins(states: dict[str, Any], tmp_path: Path) -> None:
    index = fresh_index(states, tmp_path, of="B")
    first = start_writer("update", "article:10", states["A"], index, how="1.5")
    wait_paused(first)
    code, out, err = run_cli("rebuild", "-q", "--corpus", str(states["B"]), "--index", str(index),
                             "--wait", "60")
    first.communicate(timeout=60)
    assert first.returncode == 0 and code == 0, err
    assert snapshot(index) == states["snapB"]  # the rebuild came last: its corpus is the index
    assert leftovers(index) == []


def test_two_rebuilds_at_once(states: dict[str, Any], tmp_path: Path) -> None:
    index = fresh_index(states, tmp_path, of="B")
    first = start_writer("rebuild", "article:10", states["A"], index, how="1.5")
    wait_paused(first)
    code, out, err = run_cli("rebuild", "-q", "--corpus", str(states["B"]), "--index", str(index),
                             "--wait", "60")
    first.communicate(timeout=60)
    assert first.returncode == 0 and code == 0, err
    assert snapshot(index) == states["snapB"]
    assert leftovers(index) == []


# -- readers during writes --------------------------------------------------------------------------

READER = r'''
import sys, time, json
from pathlib import Path
from search import Index
index, mode, stop = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
totals, articles, errors, reads = set(), set(), [], 0
ix = Index.open(index) if mode == "keep" else None
def look():
    global ix
    if mode == "reopen":
        ix = Index.open(index)
    res = ix.search("zèbre OR girafe", limit=2000)
    ids = [h.id for h in res.hits]
    assert len(ids) == len(set(ids)) == res.total, "an article came twice"
    count = ix.stats().articles
    if mode == "reopen":
        ix.close()
    return res.total, count
while not stop.exists():
    try:
        total, count = look()
        totals.add(total)
        articles.add(count)
        reads += 1
    except Exception as err:
        errors.append(f"{type(err).__name__}: {err}")
print(json.dumps({"totals": sorted(totals), "articles": sorted(articles), "errors": errors[:5],
                  "reads": reads, "final": look()}))
'''


@pytest.mark.parametrize("rounds", [pytest.param(4, id="quick"), pytest.param(16, marks=pytest.mark.slow,
                                                                               id="long")])
def test_readers_never_see_an_error_or_a_half_written_index(states: dict[str, Any], tmp_path: Path,
                                                              rounds: int) -> None:
    index = fresh_index(states, tmp_path)
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(index), mode, str(stop)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
               for mode in ("keep", "reopen")]
    try:
        time.sleep(1.0)
        for i in range(rounds):
            target = states["B" if i % 2 == 0 else "A"]
            if i % 4 < 2:
                update(target, index)
            else:
                rebuild(target, index, procs=1)
    finally:
        stop.touch()
    with Index.open(index) as ix:
        final = [ix.search("zèbre OR girafe", limit=2000).total, ix.stats().articles]
    totals = {len(states[f"snap{name}"]["content"]["zèbre OR girafe"]) for name in ("A", "B")}
    articles = {states[f"snap{name}"]["articles"] for name in ("A", "B")}
    for proc in readers:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        result = json.loads(out)
        assert result["errors"] == [] and result["reads"] > 0
        assert set(result["totals"]) <= totals and set(result["articles"]) <= articles, result
        assert result["final"] == final  # the last write is seen, by a kept and a reopened index


@pytest.mark.slow
def test_readers_reopening_during_many_quick_commits(tmp_path: Path) -> None:
    """Each commit deletes the files of the generation it replaces, maybe while a reader opens them."""
    from search import Article
    from search.corpus import iter_articles

    base = [r.article for r in iter_articles(NEWS)]
    extra = [Article(id=f"g{i}", title="Girafe", body=f"Une girafe au zoo numéro {i}.") for i in range(5)]
    index = tmp_path / "index"
    rebuild(base, index, procs=1)
    stop = tmp_path / "stop"
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(index), "reopen", str(stop)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
               for _ in range(3)]
    try:
        time.sleep(1.0)
        for i in range(120):
            update(base + (extra if i % 2 == 0 else []), index)
    finally:
        stop.touch()
    for proc in readers:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        result = json.loads(out)
        assert result["errors"] == [] and result["reads"] > 0, result
        assert set(result["totals"]) <= {0, 5} and set(result["articles"]) <= {12, 17}, result


# -- full disk, read-only disk ----------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {proc.stderr.strip() or proc.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_fails_clearly_and_keeps_the_index(states: dict[str, Any], small_disk: Path) -> None:
    index = small_disk / "index"
    code, _, err = run_cli("rebuild", "-q", "--corpus", str(NEWS), "--index", str(index))
    assert code == 0, err
    before = snapshot(index)
    big = write_jsonl(small_disk.parent / "big.jsonl", corpus_a(1500, seed=9))
    for command in (["rebuild", "--procs", "1"], ["rebuild", "--procs", "2"], ["update"]):
        code, out, err = run_cli(*command, "-q", "--corpus", str(big), "--index", str(index))
        assert code == 1, (command, out, err)
        assert err.count("\n") == 1 and err.startswith("search: error: "), (command, err)
        assert "No space left on device" in err and "internal error" not in err, err
        assert snapshot(index) == before
        assert leftovers(index) == []
        assert_lock_is_free(index)


def test_a_read_only_disk_fails_clearly_and_the_index_still_reads(states: dict[str, Any],
                                                                   small_disk: Path) -> None:
    index = small_disk / "index"
    rebuild(NEWS, index, procs=1)
    before = snapshot(index)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in ("rebuild", "update"):
        code, out, err = run_cli(command, "-q", "--corpus", str(states["B"]), "--index", str(index))
        assert code == 1 and err.count("\n") == 1, (command, err)
        assert "Read-only file system" in err and "internal error" not in err, err
    assert snapshot(index) == before  # readers need no write access
    code, out, err = run_cli("query", "--index", str(index), "retraite")
    assert code == 0 and out.startswith("2 results"), err


FSIZE_WRITER = r'''
import resource, signal, sys
from pathlib import Path
from search import SearchError
from search import Index


def rebuild(source, path, **options):
    Index.rebuild(source, path, **options).close()


def update(source, path):
    Index.open(path, missing_ok=True).update(source, build_if_missing=True)


signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-big write fails with EFBIG instead
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[4]), resource.RLIM_INFINITY))
try:
    if sys.argv[1] == "update":
        update(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        rebuild(Path(sys.argv[2]), Path(sys.argv[3]), procs=int(sys.argv[1][-1]))
except SearchError as err:
    print(err)
    sys.exit(1)
'''


@pytest.mark.parametrize("action", ["rebuild-1", "rebuild-2", "update"])
def test_a_write_that_cannot_grow_a_file_fails_clearly(states: dict[str, Any], tmp_path: Path,
                                                       action: str) -> None:
    """Without root: a file size limit makes writes fail as on a full disk, for any user."""
    index = fresh_index(states, tmp_path)
    before = snapshot(index)
    big = write_jsonl(tmp_path / "big.jsonl", corpus_a(1500, seed=9))
    proc = subprocess.run([sys.executable, "-c", FSIZE_WRITER, action, str(big), str(index), "300000"],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stderr == "" and proc.stdout.count("\n") == 1, proc.stderr
    assert "File too large" in proc.stdout, proc.stdout
    assert proc.stdout.rstrip().endswith("the previous index is kept" if action.startswith("rebuild")
                                         else "the update did not complete"), proc.stdout
    assert snapshot(index) == before
    assert leftovers(index) == []
    assert_lock_is_free(index)

