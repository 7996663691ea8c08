"""Shared fixtures: the small hand-written news corpus and an index built from it."""

from __future__ import annotations

import gc
import importlib.util
import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search import Index, IndexReport
from search.index import is_cluster_url

DATA = Path(__file__).parent / "data"
NEWS = DATA / "news.jsonl"
REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("SEARCH_SHARED", REPO.parent / "shared"))


#: The variables that choose settings and the language: the tests choose them.
CHOSEN = ("SEARCH_INDEX", "SEARCH_CORPUS", "SEARCH_THEME", "SEARCH_LANG", "SEARCH_LIMIT", "LANGUAGE",
          "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True, scope="session")
def quiet_user_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads the user's config file or follows the machine's locale: an empty config
    folder, English (a test that wants French says so)."""
    saved = dict(os.environ)
    for name in CHOSEN:
        os.environ.pop(name, None)
    os.environ["LANG"] = "C.UTF-8"
    os.environ["XDG_CONFIG_HOME"] = str(tmp_path_factory.mktemp("config-home"))
    from search.i18n import use_language

    use_language("en")
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def english_first() -> None:
    """Each test starts in English (a test, or an app made with `language="fr"`, switches)."""
    from search.i18n import use_language

    use_language("en")


@pytest.fixture(scope="module")
def news_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """An index of tests/data/news.jsonl, shared by the tests of one module (read only)."""
    path = tmp_path_factory.mktemp("news") / "index"
    ix = Index.rebuild(NEWS, path, procs=1)
    yield ix
    ix.close()


#: The backends the golden tests run on, each holding tests/data/news.jsonl.
BACKENDS = ("local", "cluster")


@pytest.fixture(scope="module", params=BACKENDS)
def index(request: pytest.FixtureRequest, news_index: Index) -> Iterator[Index]:
    """The index of tests/data/news.jsonl on each backend, shared by the tests of one module
    (read only): the local one (`news_index`), then the same corpus rebuilt through the
    facade on the `sphinx_cluster` (skipped without the engine, failed with CI=true)."""
    if request.param == "local":
        yield news_index
        return
    cluster = request.getfixturevalue("sphinx_cluster")
    ix = Index.rebuild(NEWS, cluster.url)
    yield ix
    ix.close()


def on_cluster(ix: Index) -> bool:
    """Whether `ix` is the cluster's index (for the documented differences)."""
    return is_cluster_url(ix.location)


@pytest.fixture
def collect_leaked_files() -> Iterator[None]:
    """Close here, not in a later test, the files whoosh leaves open when it fails on damage."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def shared_file(relative: str) -> Path:
    """A file of ../shared, or skip the test with the reason."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data sets live beside the repo)")
    return path


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            ) -> tuple[int, str, str]:
    """Run the real `python -m search` entry point; return (status, stdout, stderr)."""
    import subprocess

    full_env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    # this checkout's package, whatever the folder the command runs in
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "search", *args], capture_output=True,
                          text=True, cwd=cwd, env=full_env, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


def rebuild(source: Any, path: Path, **options: Any) -> IndexReport:
    """Rebuild the index at `path` through the facade; return the report."""
    with Index.rebuild(source, path, **options) as ix:
        assert ix.last_report is not None
        return ix.last_report


def update(source: Any, path: Path, **options: Any) -> IndexReport:
    """Update the index at `path` (building it when missing) through the facade; return the report."""
    with Index.open(path, missing_ok=True) as ix:
        return ix.update(source, build_if_missing=True, **options)


@pytest.fixture
def news_site() -> Iterator[Any]:
    """A local news site on 127.0.0.1 (tests/ingest_site.py): feeds, article pages, failing pages."""
    from .ingest_site import NewsSite

    with NewsSite() as site:
        yield site


def engine_or_skip() -> None:
    """Skip a test that needs a Sphinx engine and pymysql when they are missing; in CI
    (`CI=true`) fail it instead."""
    missing = [what for what, found in (
        ("searchd (apt-get install sphinxsearch)", shutil.which("searchd")),
        ("pymysql (pip install -e '.[cluster]')", importlib.util.find_spec("pymysql")),
    ) if not found]
    if missing:
        message = f"the cluster tests need {' and '.join(missing)}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} (CI=true: the engine must be installed)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def sphinx_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Two searchd nodes on free 127.0.0.1 ports in a temporary folder, holding 2 shards
    (shard 0 on the first node, shard 1 on both: one mirrored); stopped by their pid files
    at the end. Yields a `search._sphinx.cluster.LocalCluster`."""
    engine_or_skip()
    from search._sphinx.cluster import start_local, stop_local

    folder = tmp_path_factory.mktemp("cluster")
    try:
        cluster = start_local(2, folder, layout=[[0], [0, 1]])
        yield cluster
    finally:
        stop_local(folder)

