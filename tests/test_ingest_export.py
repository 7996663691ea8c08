"""Export formats (`search.export`, `search query --format`): exact text."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from search import Hit, Index, Results
from search.export import to_csv, to_json, to_jsonl, to_markdown

from .conftest import run_cli

HITS = (
    Hit(id="a1", title="Grève : « tout est bloqué », dit-il", date=datetime(2024, 3, 13, 18, 20,
        tzinfo=timezone(timedelta(hours=1))), source="La Gazette", author="Thomas Riou, Anne Le Roux",
        url="https://gazette.example/greve (2)", tags=("social", "transports"), score=3.14159,
        snippet="Les rames\nresteront au dépôt, *jeudi*."),
    Hit(id="b2", title="Sans date [ni lien]", date=None, source="", author="", url="", tags=(),
        score=0.5, snippet=""),
)
RESULTS = Results(query="grève tram", total=5, hits=HITS, took_ms=1.0)


def test_csv_has_a_header_and_one_row_a_hit() -> None:
    assert to_csv(RESULTS) == (
        "id,title,date,source,author,url,tags,score,snippet\n"
        'a1,"Grève : « tout est bloqué », dit-il",2024-03-13T18:20:00+01:00,La Gazette,'
        '"Thomas Riou, Anne Le Roux",https://gazette.example/greve (2),social; transports,3.1416,'
        '"Les rames\nresteront au dépôt, *jeudi*."\n'
        "b2,Sans date [ni lien],,,,,,0.5000,\n")


def test_markdown_digest_links_each_hit() -> None:
    assert to_markdown(RESULTS) == (
        "## grève tram\n\n"
        "5 results, the first 2\n\n"
        "1. **[Grève : « tout est bloqué », dit-il](<https://gazette.example/greve%20%282%29>)**"
        " — 2024-03-13 · La Gazette\n"
        "   > Les rames resteront au dépôt, \\*jeudi\\*.\n"
        "2. **Sans date \\[ni lien\\]**\n")
    empty = Results(query="rien", total=0, hits=(), took_ms=1.0)
    assert to_markdown(empty) == "## rien\n\n0 results\n\n_Nothing._\n"


def test_json_and_jsonl_are_the_hits_as_data() -> None:
    lines = to_jsonl(RESULTS).splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a1", "b2"]
    assert json.loads(lines[0])["date"] == "2024-03-13T18:20:00+01:00"
    assert json.loads(lines[0])["tags"] == ["social", "transports"]
    data = json.loads(to_json(RESULTS))
    assert (data["query"], data["total"], len(data["hits"])) == ("grève tram", 5, 2)


def test_query_format_on_the_command_line(news_index: Index) -> None:
    path = str(news_index.path)
    status, out, err = run_cli("query", "retraites", "--index", path, "--format", "csv", "-n", "1")
    assert (status, err) == (0, "")
    assert out.splitlines()[0] == "id,title,date,source,author,url,tags,score,snippet"
    res = news_index.search("retraites", limit=1)
    assert out == to_csv(res)
    for fmt, check in (("md", lambda o: o.startswith("## retraites\n")),
                       ("jsonl", lambda o: json.loads(o.splitlines()[0])["id"] == res.hits[0].id),
                       ("json", lambda o: json.loads(o)["query"] == "retraites")):
        status, out, err = run_cli("query", "retraites", "--index", path, "--format", fmt)
        assert status == 0 and check(out), fmt
    status, _, err = run_cli("query", "x", "--index", path, "--format", "csv", "--json")
    assert status == 2 and "not allowed with argument" in err
