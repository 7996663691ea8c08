"""The terminal UI on a damaged index: one line that says to rebuild, and Ctrl+R recovers it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from search import Index

from .conftest import NEWS
from .test_tui import app_for, ids, notifications, settle, settle_workers, sync, type_query

pytestmark = [pytest.mark.filterwarnings("ignore::ResourceWarning"),  # whoosh leaks a file when it fails
              pytest.mark.usefixtures("collect_leaked_files")]


def garbage_toc(index: Path) -> None:
    toc = next(index.glob("*.toc"))
    toc.write_bytes(os.urandom(toc.stat().st_size))


def deleted_segment(index: Path) -> None:
    next(index.glob("*.seg")).unlink()


@pytest.mark.parametrize("damage", [garbage_toc, deleted_segment])
@sync
async def test_a_damaged_index_is_reported_in_one_line_and_rebuilt(tmp_path: Path, damage: object) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    damage(index)  # type: ignore[operator]
    app = app_for(index, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(app, pilot)
        shown = [m for m in notifications(app) if "endommagé" in m]
        assert shown and all("\n" not in m and "Ctrl+R" in m for m in shown), notifications(app)
        await pilot.press("ctrl+r")
        await settle(app, pilot, timeout=60)
        await type_query(app, pilot, "prix")
        assert ids(app) == ["cheval", "electricite"]
