"""The project's relevance on the --quick samples of ../shared must not fall below the floors."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bench.common import load_set, quick_sample, split_queries
from bench.project import Project
from bench.relevance import run_system

from .conftest import REPO, shared_file

FLOORS = orjson.loads((REPO / "bench" / "floors.json").read_bytes())

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.mark.parametrize("name", ["piaf", "spf", "orangesum"])
def test_relevance_stays_above_the_floor(name: str, tmp_path: Path) -> None:
    shared = shared_file("relevance").parent
    rs = load_set(name, shared)
    tune, report = split_queries(q[0] for q in rs.queries)
    sample = quick_sample(rs)
    system = Project()
    try:
        result = run_system(system, sample, {"tune": tune, "report": report}, tmp_path)
    finally:
        system.close()
    assert result["errors"] == 0, result.get("first_error")
    for half, floors in FLOORS[name].items():
        for metric, floor in floors.items():
            got = result[half][metric]
            assert got >= floor, f"{name} {half} {metric}: {got:.3f} < floor {floor:.3f}"
