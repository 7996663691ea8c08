"""The `search` command end to end, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from .conftest import NEWS, REPO, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("cli") / "index"
    code, out, err = run_cli("rebuild", "--corpus", str(NEWS), "--index", str(index))
    assert code == 0, err
    return index


def test_rebuild_prints_a_summary(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(NEWS.read_text(encoding="utf-8") + '{"title": "x"}\n', encoding="utf-8")
    code, out, err = run_cli("rebuild", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert err == f"{corpus}:13: missing body\n"  # problems on stderr, one line each
    lines = out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("indexed 12 articles; skipped 1 bad record in ")
    assert f"; index {tmp_path / 'ix'}: 12 articles, " in lines[0]


def test_rebuild_strict_fails_with_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"title": "x"}\n', encoding="utf-8")
    code, out, err = run_cli("rebuild", "--strict", "--corpus", str(corpus), "--index",
                             str(tmp_path / "ix"))
    assert code == 1 and out == ""
    assert err == f"search: error: {corpus}:1: missing body\n"


def test_query_json_is_one_parsable_object(built: Path) -> None:
    code, out, err = run_cli("query", "--index", str(built), "--json", "réforme", "des", "retraites")
    assert code == 0, err
    data = orjson.loads(out)
    assert set(data) >= {"query", "total", "took_ms", "suggestion", "notices", "warnings", "facets", "hits"}
    assert data["query"] == "réforme des retraites" and data["total"] == 2
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "date", "source", "author", "url", "tags", "score",
                        "snippet", "highlights"}
    assert hit["id"] == "retraites-1" and hit["date"] == "2023-03-16T17:20:00+01:00"
    assert hit["highlights"][0] == {"field": "title", "start": 0, "end": 7}
    assert data["facets"]["year"] == [{"value": "2023", "count": 2}]
    assert data["notices"] == data["warnings"] == [{
        "code": "relaxed", "params": {"exact": 1},
        "message": "only 1 article contains all the words: the best articles with some of them follow"}]


def test_query_jsonl_and_filters(built: Path) -> None:
    code, out, err = run_cli("query", "--index", str(built), "--jsonl", "--tag", "culture",
                             "--sort", "newest", "--since", "2020", "*")
    assert code == 0, err
    assert [json.loads(line)["id"] for line in out.splitlines()] == ["concert", "jeux"]


def test_query_readable_output(built: Path) -> None:
    code, out, err = run_cli("query", "--index", str(built), "chevaux")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("1 result (")
    assert lines[2] == "  1. Deauville : les chevaux vendus à prix d’or"
    assert lines[3] == "     2021-08-22 · L’Écho des Régions · économie, régions"
    assert lines[5] == "     cheval"


def test_query_suggestion_and_notes(built: Path) -> None:
    code, out, err = run_cli("query", "--index", str(built), "électricté")
    assert code == 0 and out.startswith("1 result (")  # corrected: the results of électricité
    assert err.splitlines() == ["note: Results for “électricité”. To search the words as typed: "
                                "\"électricté\""]  # notices on stderr, results on stdout
    code, out, err = run_cli("query", "--index", str(built), '"électricté"')
    assert code == 0 and out.startswith("0 results (")
    assert err == 'did you mean: "électricité"\n'
    code, out, err = run_cli("query", "--index", str(built), "les", "des")
    assert code == 0
    assert err.startswith("note: The query holds only stop words") and err.count("\n") == 1


def test_show_similar_stats(built: Path) -> None:
    code, out, _ = run_cli("show", "--index", str(built), "cheval")
    assert code == 0 and out.splitlines()[0] == "Deauville : les chevaux vendus à prix d’or"
    code, out, _ = run_cli("show", "--index", str(built), "--json", "cheval")
    assert orjson.loads(out)["tags"] == ["économie", "régions"]
    code, out, _ = run_cli("similar", "--index", str(built), "--json", "retraites-1")
    assert code == 0 and orjson.loads(out)["hits"][0]["id"] == "retraites-2"
    code, out, _ = run_cli("stats", "--index", str(built), "--json")
    assert code == 0 and orjson.loads(out)["articles"] == 12


def test_unknown_id_is_one_line(built: Path) -> None:
    code, out, err = run_cli("show", "--index", str(built), "nope")
    assert (code, out) == (1, "")
    assert err == ("search: error: no article with id 'nope' in the index: "
                   "check the id with `search query`\n")


def test_missing_index_names_the_command_that_builds_it(tmp_path: Path) -> None:
    config = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    code, out, err = run_cli("query", "retraite", cwd=tmp_path, env=config)
    assert (code, out) == (1, "")
    # outside the repository there is no corpus/ here: the hint names --corpus, the variable, the file
    assert err == ("search: error: no index at index: build it with `search rebuild --corpus FILE_OR_FOLDER` "
                   "(or set SEARCH_CORPUS, or corpus = \"…\" in "
                   f"{tmp_path / 'config' / 'search-fr' / 'config.toml'})\n")
    (tmp_path / "mes-articles").mkdir()
    code, _, err = run_cli("query", "--index", str(tmp_path / "x"), "--corpus", "mes-articles",
                           "retraite", cwd=tmp_path)
    assert err == (f"search: error: no index at {tmp_path / 'x'}: build it with "
                   f"`search rebuild --corpus mes-articles --index {tmp_path / 'x'}`\n")
    (tmp_path / "corpus").mkdir()  # in the repository: the defaults work
    code, out, err = run_cli("query", "retraite", cwd=tmp_path)
    assert err == "search: error: no index at index: build it with `search rebuild`\n"


def test_environment_gives_the_default_paths(built: Path, tmp_path: Path) -> None:
    code, out, err = run_cli("stats", "--json", cwd=tmp_path, env={"SEARCH_INDEX": str(built)})
    assert code == 0, err
    assert orjson.loads(out)["articles"] == 12


def test_usage_errors_exit_2_in_one_line(built: Path) -> None:
    code, out, err = run_cli("query", "--index", str(built), "--limit", "abc", "x")
    assert code == 2 and out == ""
    assert err == ("search query: error: argument -n/--limit: invalid int value: 'abc' "
                   "(see `search query --help`)\n")
    code, _, err = run_cli("frobnicate")
    assert code == 2 and err.count("\n") == 1 and err.startswith("search: error: argument COMMAND")


def test_missing_corpus_is_one_line(tmp_path: Path) -> None:
    code, out, err = run_cli("rebuild", "--corpus", str(tmp_path / "nope"), "--index",
                             str(tmp_path / "ix"))
    assert code == 1
    assert err == (f"search: error: {tmp_path / 'nope'}: no such file or directory: "
                   "give a .jsonl/.json file or a folder\n")


def test_update_prints_counts(tmp_path: Path) -> None:
    code, out, err = run_cli("update", "--corpus", str(NEWS), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert "built it from scratch" in err and out.startswith("added 12, updated 0")
    code, out, err = run_cli("update", "--corpus", str(NEWS), "--index", str(tmp_path / "ix"))
    assert out.splitlines()[-1].startswith(
        "added 0, updated 0, deleted 0, unchanged 12; skipped 0 bad records in ")
    assert err == "note: no corpus file changed since the last write\n"


def test_console_script_is_installed() -> None:
    exe = Path(sys.executable).with_name("search")
    if not exe.exists():
        pytest.skip("the `search` console script is not installed in this environment")
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "rebuild" in proc.stdout


def test_import_search_does_not_import_textual() -> None:
    code = "import sys, search; print('textual' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_machine_readable_report_and_progress(tmp_path: Path) -> None:
    code, out, err = run_cli("rebuild", "--corpus", str(NEWS), "--index", str(tmp_path / "ix"),
                             "--json", "--progress", "json")
    assert code == 0
    report = orjson.loads(out)
    assert (report["action"], report["added"], report["skipped"], report["problems"]) == (
        "rebuild", 12, 0, [])
    progress = [orjson.loads(line) for line in err.splitlines()]
    assert progress[-2:] == [{"done": 12, "total": 12, "phase": "index"},
                             {"done": 12, "total": 12, "phase": "write"}]


def test_show_prints_the_lead_and_json_hits_carry_it(tmp_path: Path) -> None:
    index = tmp_path / "index"
    code, _, err = run_cli("rebuild", "--corpus", str(REPO / "corpus"), "--index", str(index), "-q")
    assert code == 0, err
    lead = "Le thermomètre a dépassé les 44 degrés dans plusieurs communes du Midi"
    code, out, _ = run_cli("show", "--index", str(index), "2019-canicule-records")
    assert code == 0 and any(line.startswith(lead) for line in out.splitlines())
    code, out, _ = run_cli("query", "--index", str(index), "--json", "thermomètre")
    hit = orjson.loads(out)["hits"][0]
    assert hit["id"] == "2019-canicule-records" and hit["lead"].startswith(lead)
    assert {"field": "lead", "start": 3, "end": 14} in hit["highlights"]
