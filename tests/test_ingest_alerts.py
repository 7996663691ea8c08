"""`search alerts`: saved searches report only what is new for them, across runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from .conftest import NEWS
from .ingest_site import Dirs

NEW = ('{"id": "retraites-3", "title": "Retraites : un nouveau recours devant le Conseil", '
       '"body": "Les syndicats déposent un recours contre la réforme des retraites.", '
       '"date": "2024-05-02T10:00:00+02:00", "source": "La Gazette du Littoral", '
       '"url": "https://gazette.example/retraites-recours"}\n')


def test_alerts_report_only_new_matches_across_runs(tmp_path: Path) -> None:
    dirs = Dirs(tmp_path)
    corpus = dirs.corpus
    corpus.mkdir()
    shutil.copy(NEWS, corpus / "news.jsonl")
    assert dirs.cli("rebuild")[0] == 0
    status, out, err = dirs.cli("alerts", "add", "retraites", "réforme", "retraites")
    assert status == 0 and out.startswith("added alert retraites: réforme retraites (in ")
    assert dirs.cli("alerts", "add", "ailleurs", "orages", "--source", "Radio Littoral")[0] == 0
    status, out, _ = dirs.cli("alerts", "list")
    assert out == "retraites\tréforme retraites\nailleurs\torages\t--source 'Radio Littoral'\n"
    # the alerts live in the config folder, never in the index folder
    assert Path(dirs.env["XDG_CONFIG_HOME"], "search-fr", "alerts.toml").is_file()
    # first run: records what matches, reports nothing
    status, out, _ = dirs.cli("alerts", "run")
    assert status == 0
    assert out.splitlines() == ["retraites: 0 new of 1 matching (first run: matches recorded)",
                                "ailleurs: 0 new of 1 matching (first run: matches recorded)"]
    status, out, _ = dirs.cli("alerts", "run", "--json")
    report = json.loads(out)["alerts"]
    assert [(a["name"], a["first_run"], a["new"]) for a in report] == [("retraites", False, []),
                                                                         ("ailleurs", False, [])]
    # a new article comes in: reported once, by the alert it matches
    with (corpus / "news.jsonl").open("a", encoding="utf-8") as out_file:
        out_file.write(NEW)
    assert dirs.cli("update")[0] == 0
    status, out, _ = dirs.cli("alerts", "run", "retraites", "--json")
    (alert,) = json.loads(out)["alerts"]
    assert [hit["id"] for hit in alert["new"]] == ["retraites-3"]
    assert alert["new"][0]["url"] == "https://gazette.example/retraites-recours"
    assert "recours" in alert["new"][0]["snippet"]
    assert alert["total"] == 2 and alert["first_run"] is False
    status, out, _ = dirs.cli("alerts", "run", "retraites", "--format", "md")
    assert out.startswith("## retraites: réforme retraites\n\n0 new of 2 matching (since ")
    assert "_Nothing._" in out
    # --all reports every match, and a removed alert is gone
    status, out, _ = dirs.cli("alerts", "run", "retraites", "--all", "--format", "md")
    assert ("1. **[Retraites : un nouveau recours devant le Conseil]"
            "(<https://gazette.example/retraites-recours>)** — 2024-05-02 · La Gazette du Littoral") in out
    assert dirs.cli("alerts", "remove", "retraites")[0] == 0
    status, _, err = dirs.cli("alerts", "run", "retraites")
    assert status == 1 and err == "search: error: no alert named 'retraites' (see `search alerts list`)\n"
    status, _, err = dirs.cli("alerts", "add", "ailleurs", "x")
    assert status == 1 and "an alert named 'ailleurs' exists" in err
    assert sorted(p.name for p in dirs.index.iterdir() if "alert" in p.name) == []
