"""Nothing of the user's is ever deleted, a search never runs past its time, the TUI needs a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search import CancelToken, Index, NotAnIndexError, SearchCancelledError
from search._whoosh.postings import PostingCache
from search.storage import foreign_entries, remove_leftovers

from .conftest import NEWS, REPO, run_cli, shared_file

#: Folders a user may hold, whose file names look like an index's, and the files an error names.
LOOKALIKES = {
    "main-notes": ({"MAIN_notes.txt": "notes de cours", "thesis.tex": "\\documentclass{article}"},
                   ["MAIN_notes.txt", "thesis.tex"]),
    "latex-toc": ({"_MAIN_1.toc": "\\contentsline", "draft.md": "# brouillon"}, ["draft.md"]),
    "stray-meta": ({"search-meta.json": '{"schema_version": 3}', "photo.jpg": "JFIF"}, ["photo.jpg"]),
    "meta-not-ours": ({"search-meta.json": '{"title": "mes réglages"}'}, ["search-meta.json"]),
}


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_rebuild_and_update_never_replace_a_folder_of_other_files(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    files, unexpected = LOOKALIKES[name]
    for file, text in files.items():
        (folder / file).write_text(text)
    before = _snapshot(folder)
    expected = (f"search: error: {folder} is not an index (it holds {', '.join(unexpected)}): it is left "
                "untouched; choose another index path (--index)")
    for command in ("rebuild", "update"):
        code, out, err = run_cli(command, "-q", "--corpus", str(NEWS), "--index", str(folder))
        assert (code, out, err.strip()) == (1, "", expected), command
    for call in (lambda: Index.rebuild(NEWS, folder, procs=1), lambda: Index.open(folder)):
        with pytest.raises(NotAnIndexError) as caught:
            call()
        assert caught.value.foreign == unexpected
    code, out, err = run_cli("query", "--index", str(folder), "retraite")
    assert (code, err.strip()) == (1, expected), "no rebuild hint for a folder rebuild refuses"
    assert _snapshot(folder) == before and sorted(os.listdir(folder)) == sorted(files)


def test_many_unexpected_files_are_counted(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(6):
        (folder / f"note-{i}.txt").write_text("x")
    expected = r"it holds note-0\.txt, note-1\.txt, note-2\.txt and 3 other files\)"
    with pytest.raises(NotAnIndexError, match=expected):
        Index.rebuild(NEWS, folder, procs=1)


def test_a_file_dropped_into_an_index_stops_the_update_and_survives(tmp_path: Path) -> None:
    """Whoosh deletes files named like its segments when an update commits."""
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    (index / "MAIN_notes.txt").write_text("mes notes")
    with pytest.raises(NotAnIndexError, match="MAIN_notes.txt"):
        Index.rebuild(NEWS, index, procs=1)
    code, out, err = run_cli("update", "-q", "--corpus", str(NEWS), "--index", str(index))
    assert code == 1 and "MAIN_notes.txt" in err
    assert (index / "MAIN_notes.txt").read_text() == "mes notes"


def test_an_index_of_ours_and_an_empty_folder_are_replaced(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    assert foreign_entries(index) == []
    Index.rebuild(NEWS, index, procs=1).close()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert Index.rebuild(NEWS, empty, procs=1).stats().articles == 12


def test_only_our_leftovers_beside_the_index_are_removed(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    ours = tmp_path / ".index.tmp-123-0a1b2c3d"
    ours.mkdir()
    (ours / "MAIN_0123456789abcdef.seg").write_bytes(b"x")
    (ours / "_MAIN_1.toc").write_bytes(b"x")
    users = {
        ".index.tmp-notes": "MAIN_notes.txt",  # not a name we make
        ".index.old-99-deadbeef": "photo.jpg",  # our name, someone else's content
        ".index.tmp-1-0a1b2c3d.bak": "x.seg",
    }
    for name, file in users.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / file).write_text("précieux")
    assert remove_leftovers(index) == 1
    assert not ours.exists()
    for name, file in users.items():
        assert (tmp_path / name / file).read_text() == "précieux"
    Index.rebuild(NEWS, index, procs=1).close()  # a rebuild runs the same clean-up
    for name, file in users.items():
        assert (tmp_path / name / file).exists()


# -- the time limit --------------------------------------------------------------------

QUERY_KINDS = ("retraite", "réforme retraites", '"réforme des retraites"', "électri*", "a* b* c*",
               "électricité~2 retraite~", '"réforme retraites"~5 OR grève', "retraite date:2023",
               "titre:retraite", "prix -cheval")


def test_a_limit_of_zero_stops_every_query_kind_at_once(tmp_path: Path) -> None:
    ix = Index.rebuild(NEWS, tmp_path / "index", procs=1)
    ix.time_limit = 0.0
    for q in QUERY_KINDS:
        res = ix.search(q)
        assert "time_limit" in {w.code for w in res.notices}, q  # type: ignore[attr-defined]
        assert (res.total, res.hits) == (0, ()), q
    ix.time_limit = None
    for q in QUERY_KINDS:
        res = ix.search(q)
        assert res.total > 0 and "time_limit" not in {w.code for w in res.notices}, q  # type: ignore[attr-defined]


@pytest.fixture
def slow_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each posting list read from the index takes 10 ms (a cold disk, a huge index)."""
    real = PostingCache.postings

    def postings(self: PostingCache, field: str, text: str, clock: object = None) -> object:
        key = ("p", field, text)
        if key not in self._cache:
            time.sleep(0.01)
        return real(self, field, text, clock)  # type: ignore[arg-type]

    monkeypatch.setattr(PostingCache, "postings", postings)


@pytest.mark.usefixtures("slow_reads")
def test_a_limit_of_50_ms_stops_a_slow_query_on_the_main_path(tmp_path: Path) -> None:
    ix = Index.rebuild(NEWS, tmp_path / "index", procs=1)
    ix.time_limit = None
    ix.search("retraite")  # the vocabulary and the columns are read once, outside the measure
    started = time.perf_counter()
    full = ix.search("a* b* c* d* e* p* r*")
    unlimited = time.perf_counter() - started
    assert unlimited > 0.3 and "time_limit" not in {w.code for w in full.notices}  # type: ignore[attr-defined]
    ix.close()
    ix = Index.open(tmp_path / "index")
    ix.time_limit = None
    ix.search("retraite")
    ix.time_limit = 0.05
    started = time.perf_counter()
    res = ix.search("a* b* c* d* e* p* r*")
    took = time.perf_counter() - started
    assert "time_limit" in {w.code for w in res.notices}  # type: ignore[attr-defined]
    assert took < unlimited / 2, (took, unlimited)


@pytest.mark.slow
@pytest.mark.shared
def test_a_cold_pathological_query_stops_near_its_limit_on_orangesum(tmp_path: Path) -> None:
    corpus = shared_file("corpora/orangesum_fr.jsonl.gz")
    index = tmp_path / "index"
    Index.rebuild(corpus, index).close()
    for q in ("a* b* c*", "co* pr* re* de* ma*", "the~2 les~2 mai~2 pre~2 con~2"):
        ix = Index.open(index)
        ix.time_limit = None
        ix.search("gouvernement")  # vocabulary and columns read
        ix.time_limit = 0.05
        res = ix.search(q)
        assert "time_limit" in {w.code for w in res.notices}, q  # type: ignore[attr-defined]
        assert res.took_ms < 250, (q, res.took_ms)
        ix.close()


# -- cancellation ------------------------------------------------------------------------


def test_a_cancelled_token_stops_the_search(news_index: Index) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(SearchCancelledError, match="the search was cancelled"):
        news_index.search("retraite", cancel=token)
    assert news_index.search("retraite", cancel=CancelToken()).total == 2


@pytest.mark.usefixtures("slow_reads")
def test_a_search_is_cancelled_from_another_thread(tmp_path: Path) -> None:
    ix = Index.rebuild(NEWS, tmp_path / "index", procs=1)
    ix.time_limit = None
    token = CancelToken()
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(ix.search("a* b* c* d* e* p* r*", cancel=token))
        except BaseException as err:  # noqa: BLE001 - checked below
            outcome.append(err)

    started = time.perf_counter()
    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.05)
    token.cancel()
    thread.join(10)
    assert isinstance(outcome[0], SearchCancelledError)
    assert time.perf_counter() - started < 0.3


# -- the TUI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("launcher", ["tui.py", "search tui"])
def test_the_tui_without_a_terminal_refuses_at_once(tmp_path: Path, launcher: str) -> None:
    argv = [sys.executable, str(REPO / "tui.py")] if launcher == "tui.py" else [
        sys.executable, "-m", "search", "tui"]
    started = time.monotonic()
    proc = subprocess.run([*argv, "--index", str(tmp_path / "index"), "--corpus", str(NEWS)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("search tui: needs a terminal (stdin and stdout must be a TTY); in scripts and "
                           "pipes use `search query`\n")
    assert time.monotonic() - started < 30 and not (tmp_path / "index").exists()


def test_the_tui_opens_only_web_urls() -> None:
    from search.tui.app import is_web_url

    assert is_web_url("https://exemple.fr/a?b=1") and is_web_url("HTTP://exemple.fr")
    for url in ("file:///etc/passwd", "javascript:alert(1)", "ftp://exemple.fr/x", "exemple.fr/page",
                "https://", " data:text/html,x", "mailto:a@b.fr"):
        assert not is_web_url(url), url


# -- errors across processes ---------------------------------------------------------------


def test_every_error_crosses_a_process_boundary_as_typed_json(tmp_path: Path) -> None:
    import orjson

    from search import errors

    samples = [
        errors.IndexNotFoundError(tmp_path / "ix", "search rebuild --index ix"),
        errors.NotAnIndexError(tmp_path, ["a.txt", "b.txt"]),
        errors.IndexVersionError(tmp_path, 2, 3),
        errors.IndexCorruptError(tmp_path, "no table of contents"),
        errors.IndexLockedError(tmp_path / "ix.lock", "pid 12 (rebuild, since 10:00)", 10.0),
        errors.IndexWriteError(tmp_path, "No space left on device", kept=False),
        errors.CorpusError(tmp_path / "c.jsonl", 3, "truncated record"),
        errors.IngestError("https://exemple.fr/a", "404 Not Found"),
        errors.UnknownArticleError("abc"),
        errors.QueryError("bad date"),
        errors.SearchCancelledError(),
        errors.ClusterError("sphinx://127.0.0.1:9306/articles", "no table articles_meta"),
        errors.ClusterUnavailableError("sphinx://127.0.0.1:9306/articles", "connection refused"),
    ]
    assert {type(e).__name__ for e in samples} == set(errors.__all__) - {"SearchError", "error_from_dict"}
    for error in samples:
        back = errors.error_from_dict(orjson.loads(orjson.dumps(error.to_dict())))
        assert type(back) is type(error) and str(back) == str(error)
        assert {f: getattr(back, f) for f in error.fields} == {f: getattr(error, f) for f in error.fields}
    assert str(errors.error_from_dict({"type": "os.system", "message": "x", "fields": {}})) == "x"
    assert type(errors.error_from_dict({"type": "IndexLockedError", "message": "m", "fields": {}})) \
        is errors.SearchError


def test_the_cli_prints_a_typed_error_with_json(tmp_path: Path) -> None:
    import orjson

    from search.errors import IndexNotFoundError, error_from_dict

    code, out, err = run_cli("query", "--json", "--index", str(tmp_path / "nowhere"), "x")
    assert code == 1 and err.startswith("search: error: no index at ")
    error = error_from_dict(orjson.loads(out)["error"])
    assert isinstance(error, IndexNotFoundError) and error.path == tmp_path / "nowhere"
    assert error.command == f"search rebuild --index {tmp_path / 'nowhere'}"


def test_searches_on_one_index_run_side_by_side_and_agree(tmp_path: Path) -> None:
    ix = Index.rebuild(NEWS, tmp_path / "index", procs=1)
    ix.time_limit = None
    queries = [q for q in QUERY_KINDS if "a* b*" not in q] * 6
    expected = {q: [(h.id, h.score, h.snippet) for h in ix.search(q).hits] for q in set(queries)}
    ix.close()
    ix = Index.open(tmp_path / "index")  # cold caches: the threads fill them together
    ix.time_limit = None
    got: dict[int, list[tuple[str, float, str]]] = {}

    def run(n: int, q: str) -> None:
        got[n] = [(h.id, h.score, h.snippet) for h in ix.search(q).hits]

    threads = [threading.Thread(target=run, args=(n, q)) for n, q in enumerate(queries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(got) == len(queries)
    for n, q in enumerate(queries):
        assert got[n] == expected[q], q


@pytest.mark.usefixtures("slow_reads")
def test_a_slow_search_does_not_hold_back_another_on_the_same_index(tmp_path: Path) -> None:
    ix = Index.rebuild(NEWS, tmp_path / "index", procs=1)
    ix.time_limit = None
    ix.search("retraite")  # read once: cached
    slow_done = threading.Event()
    thread = threading.Thread(target=lambda: (ix.search("a* b* c* d* e* p* r*"), slow_done.set()))
    thread.start()
    time.sleep(0.03)
    started = time.perf_counter()
    assert ix.search("retraite").total == 2
    fast = time.perf_counter() - started
    assert not slow_done.is_set(), "the slow search ended first: the check proves nothing"
    thread.join(30)
    assert fast < 0.2
