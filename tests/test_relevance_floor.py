"""The project's relevance on the --quick samples of ../shared must not fall below the floors,
on the local index and on a 2-node Sphinx cluster (its own floors)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from bench.common import load_set, quick_sample, split_queries
from bench.relevance import run_system
from bench.systems import make_system

from .conftest import REPO, engine_or_skip, shared_file

FLOORS = orjson.loads((REPO / "bench" / "floors.json").read_bytes())

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.mark.parametrize("system_name", ["project", "cluster"])
@pytest.mark.parametrize("name", ["piaf", "spf", "orangesum"])
def test_relevance_stays_above_the_floor(system_name: str, name: str, tmp_path: Path) -> None:
    shared = shared_file("relevance").parent
    rs = load_set(name, shared)
    floors = FLOORS if system_name == "project" else FLOORS[system_name]
    if name not in floors:
        pytest.skip(f"no {system_name} floor for {name} yet: measure it with "
                    f"`python -m bench.relevance --quick --sets {name} --systems {system_name}`")
    if system_name == "cluster":
        engine_or_skip()
    tune, report = split_queries(q[0] for q in rs.queries)
    sample = quick_sample(rs)
    system = make_system(system_name)
    try:
        result = run_system(system, sample, {"tune": tune, "report": report}, tmp_path)
    finally:
        system.close()
    assert result["errors"] == 0, result.get("first_error")
    for half, half_floors in floors[name].items():
        for metric, floor in half_floors.items():
            got = result[half][metric]
            assert got >= floor, f"{system_name} {name} {half} {metric}: {got:.3f} < floor {floor:.3f}"
