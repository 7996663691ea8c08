"""The terminal UI on a 2-node cluster: built from the corpus when the cluster has no index yet,
searched, rebuilt by its child process with the URL (a module of its own: a fresh cluster)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from search.i18n import use_language
from search.tui import _write_process as write_process
from search.tui.wording import tui_error

from .test_tui import app_for, ids, notifications, settle, sync, type_query


def test_the_write_child_gets_the_url() -> None:
    url = "sphinx://127.0.0.1:9306/articles"
    command = write_process.command("rebuild", Path("corpus"), url, lock_wait=3)
    assert command[command.index("--index") + 1] == url


def test_cluster_errors_are_worded_in_french() -> None:
    from search.errors import ClusterError, ClusterUnavailableError

    use_language("fr")
    down = ClusterUnavailableError("sphinx://h:9306/articles", "h:9306: Connection refused")
    assert tui_error(down) == ("Le cluster sphinx://h:9306/articles ne répond pas (h:9306: Connection "
                                   "refused) : searchd tourne-t-il ? (search cluster start --local 2)")
    assert tui_error(ClusterError("sphinx://h:9306/articles", "no table")).startswith(
        "Le cluster sphinx://h:9306/articles ne peut pas servir cet index : no table")


@sync
async def test_the_tui_builds_searches_and_rebuilds_a_cluster_index(sphinx_cluster: Any, tmp_path: Path,
                                                                   ) -> None:
    url = sphinx_cluster.url
    app = app_for(url, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot, timeout=60)  # no index on the cluster yet: built from the corpus
        assert app.index is not None and app.index.location == url
        assert [m for m in notifications(app) if m.startswith("Index reconstruit : 12 articles en ")]
        await type_query(app, pilot, "prix")
        assert ids(app) == ["cheval", "electricite"]
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.writes.action == "rebuild"
        await settle(app, pilot, timeout=60)
        assert len([m for m in notifications(app) if m.startswith("Index reconstruit : 12 articles")]) == 2
        assert ids(app) == ["cheval", "electricite"]
        assert not any("n’est pas" in m for m in notifications(app))
