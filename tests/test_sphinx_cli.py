"""The command line on a 2-node cluster: `--index sphinx://…` (and `$SEARCH_INDEX`) end to end."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.cli import build_parser

from .conftest import NEWS, REPO, engine_or_skip, run_cli

URL = "sphinx://127.0.0.1:9306/articles"


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`python -m search …` of this worktree (from any folder)."""
    return run_cli(*args, cwd=cwd, env={"PYTHONPATH": str(REPO), **(env or {})})


def _index_options(parser: argparse.ArgumentParser, name: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if "--index" in action.option_strings:
            yield name, action
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action.choices.items():
                yield from _index_options(child, f"{name} {sub}")


def test_every_index_option_keeps_a_cluster_url_as_text() -> None:
    options = dict(_index_options(build_parser(), "search"))
    assert {"search query", "search rebuild", "search tui", "search alerts run", "search import",
            "search watch"} <= set(options)
    for name, action in options.items():
        assert callable(action.type), name
        assert action.type(URL) == URL, name  # a Path would fold // into /
        assert action.type("data/index") == Path("data/index"), name


@pytest.fixture(scope="module")
def url(sphinx_cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The cluster's index, built from the sample news by `search rebuild --index URL`."""
    cwd = tmp_path_factory.mktemp("cwd")
    code, out, err = cli("rebuild", "--index", sphinx_cluster.url, "--corpus", str(NEWS), "--json", cwd=cwd)
    assert code == 0, err
    report = json.loads(out)
    assert (report["index"], report["articles"]) == (sphinx_cluster.url, 12)
    assert list(cwd.iterdir()) == []  # nothing written here (no folder named sphinx:)
    return str(sphinx_cluster.url)


def test_every_reading_command_reads_the_cluster(url: str) -> None:
    code, out, err = cli("query", "retraites", "--index", url, "--json")
    assert code == 0, err
    assert {h["id"] for h in json.loads(out)["hits"]} == {"retraites-1", "retraites-2"}
    code, out, err = cli("show", "retraites-1", "--index", url, "--json")
    assert code == 0 and json.loads(out)["title"].startswith("Réforme des retraites"), err
    code, out, err = cli("similar", "retraites-1", "-n", "1", "--index", url, "--json")
    assert code == 0 and [h["id"] for h in json.loads(out)["hits"]] == ["retraites-2"], err
    code, out, err = cli("stats", "--json", env={"SEARCH_INDEX": url})
    assert code == 0, err
    assert (json.loads(out)["path"], json.loads(out)["articles"]) == (url, 12)
    code, out, err = cli("stats", "--index", url)
    assert code == 0 and f"index  {url}\n" in out, err


def test_update_writes_the_cluster(url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(NEWS, corpus / "news.jsonl")
    code, out, err = cli("update", "--index", url, "--corpus", str(corpus), "--json")
    assert code == 0 and json.loads(out)["unchanged"] == 12, err
    (corpus / "more.jsonl").write_text(json.dumps({
        "id": "marmotte", "title": "La marmotte sort de son terrier", "body": "Dans les Alpes."}) + "\n")
    try:
        code, out, err = cli("update", "--index", url, "--corpus", str(corpus), "--json")
        assert code == 0 and (json.loads(out)["added"], json.loads(out)["articles"]) == (1, 13), err
        code, out, err = cli("query", "marmotte", "--index", url, "--jsonl")
        assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["marmotte"], err
    finally:
        assert cli("rebuild", "--index", url, "--corpus", str(NEWS), "-q")[0] == 0


def test_alerts_on_a_cluster_are_kept_by_its_url(url: str, tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state")}
    assert cli("alerts", "add", "retraites", "retraites", "--index", url, env=env)[0] == 0
    code, out, err = cli("alerts", "run", "--all", "--json", "--index", url, env=env)
    assert code == 0, err
    assert {h["id"] for h in json.loads(out)["alerts"][0]["new"]} == {"retraites-1", "retraites-2"}
    seen = json.loads((tmp_path / "state" / "search-fr" / "alerts-seen.json").read_text())
    assert list(seen) == [url]


def test_an_unreachable_cluster_is_one_line() -> None:
    engine_or_skip()  # pymysql
    code, out, err = cli("query", "retraites", "--index", "sphinx://127.0.0.1:1/articles")
    assert (code, out) == (1, "")
    assert err.startswith("search: error: cannot reach the cluster at sphinx://127.0.0.1:1/articles (")
    assert len(err.splitlines()) == 1
