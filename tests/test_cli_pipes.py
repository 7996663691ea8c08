"""The command line in pipes and on a terminal (a pseudo-terminal): streams, colour, wrapping,
help, settings, the timeline; each as a user or a script sees it."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from search.cli.progress import PlainProgress

from .conftest import NEWS, REPO, run_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("pipes") / "index"
    code, _out, err = run_cli("rebuild", "-q", "--corpus", str(NEWS), "--index", str(index))
    assert code == 0, err
    return index


def in_terminal(*args: str, columns: int = 60, env: dict[str, str] | None = None) -> str:
    """Run `python -m search ARGS` on a pseudo-terminal of `columns` columns; what it shows."""
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full = dict(os.environ, PYTHONPATH=str(REPO), COLUMNS=str(columns), TERM="xterm-256color")
    full.pop("NO_COLOR", None)
    full.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "search", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=full, close_fds=True)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(10)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_in_a_pipe_no_colour_no_wrapping_no_trailing_spaces(built: Path) -> None:
    env = {"COLUMNS": "40"}
    env_no = dict(env)
    code, out, err = run_cli("query", "--index", str(built), "réforme", "des", "retraites", env=env_no)
    assert code == 0 and not ANSI.search(out)
    assert all(line == line.rstrip() for line in out.splitlines())
    snippet = [line for line in out.splitlines() if line.startswith("     Le gouvernement a engagé")]
    assert len(snippet) == 1 and len(snippet[0]) > 80 and snippet[0].endswith("manifester jeudi.")
    assert err.startswith("note: Only one article holds all the words")  # the notice on stderr
    # --color always colours even in a pipe (and NO_COLOR is for "auto" only)
    code, out, _ = run_cli("query", "--index", str(built), "--color", "always", "retraite")
    assert ANSI.search(out)


def test_on_a_terminal_colour_and_wrapping(built: Path) -> None:
    shown = in_terminal("query", "--index", str(built), "réforme", "des", "retraites", columns=60)
    assert ANSI.search(shown), shown
    plain = ANSI.sub("", shown)
    assert "Le gouvernement a engagé" in plain and max(len(line) for line in plain.splitlines()) <= 60
    never = in_terminal("query", "--index", str(built), "--color", "never", "retraite")
    assert not ANSI.search(never)


def test_a_rebuild_on_a_terminal_shows_the_writing_phase_and_in_a_pipe_a_last_line() -> None:
    stream = io.StringIO()
    plain = PlainProgress(stream, every=5.0)
    plain.started -= 10  # ten seconds of indexing
    plain.last -= 10
    plain(500, 1000)
    plain(1000, 1000, phase="write")
    assert stream.getvalue().splitlines() == ["indexed 500/1,000 articles (50/s)",
                                              "read 1,000 articles in 10 s; writing the index…"]


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    body = "La grève continue dans les transports, et les négociations reprennent demain. " * 20
    corpus.write_text("".join(json.dumps({"id": f"a{n}", "title": f"Grève numéro {n}", "body": body}) + "\n"
                              for n in range(400)), encoding="utf-8")
    assert run_cli("rebuild", "-q", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))[0] == 0
    for args in ("--jsonl", ""):  # far more than a pipe's buffer: the reader leaves while it writes
        index = tmp_path / "ix"
        command = f"{sys.executable} -m search query --index {index} -n 400 {args} grève | head -n 1"
        proc = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120,
                              env=dict(os.environ, PYTHONPATH=str(REPO)))
        assert proc.stderr == "" and len(proc.stdout.splitlines()) == 1, (args, proc.stderr)


def test_a_cut_line_is_a_truncated_record(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    good = json.dumps({"id": "a", "title": "Titre", "body": "Un corps."})
    corpus.write_text(good + "\n" + good.replace('"a"', '"b"')[:30] + "\n", encoding="utf-8")
    code, out, err = run_cli("rebuild", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert code == 0 and err == (f"{corpus}:2: truncated record: the line ends before the record does "
                                 "(a cut or unfinished line)\n")


def test_update_lists_the_ids_it_changed(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(NEWS.read_text(encoding="utf-8"), encoding="utf-8")
    index = str(tmp_path / "ix")
    assert run_cli("rebuild", "-q", "--corpus", str(corpus), "--index", index)[0] == 0
    lines = corpus.read_text(encoding="utf-8").splitlines()
    gone = json.loads(lines.pop(0))["id"]
    lines.append(json.dumps({"id": "nouveau", "title": "Nouveau", "body": "Un nouvel article."}))
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_cli("update", "-q", "-v", "--corpus", str(corpus), "--index", index)
    assert code == 0, err
    assert out.splitlines()[:2] == ["added\tnouveau", f"deleted\t{gone}"]
    text = corpus.read_text(encoding="utf-8")
    corpus.write_text(text.replace("Nouveau", "Nouveau titre"), encoding="utf-8")
    code, out, err = run_cli("update", "-q", "--json", "--corpus", str(corpus), "--index", index)
    report = orjson.loads(out)
    assert (report["added_ids"], report["updated_ids"], report["deleted_ids"]) == ([], ["nouveau"], [])


def test_similar_jsonl_show_lead_and_json_authors(built: Path) -> None:
    code, out, err = run_cli("similar", "--index", str(built), "--jsonl", "-n", "2", "retraites-1")
    assert code == 0, err
    hits = [orjson.loads(line) for line in out.splitlines()]
    assert len(hits) == 2 and hits[0]["id"] == "retraites-2"
    code, out, _ = run_cli("show", "--index", str(built), "retraites-1", "--json")
    assert orjson.loads(out)["author"] == ["Claire Dubois", "Marc Lefèvre"]
    code, out, _ = run_cli("query", "--index", str(built), "--json", "réforme des retraites")
    assert orjson.loads(out)["hits"][0]["author"] == ["Claire Dubois", "Marc Lefèvre"]


def test_show_prints_the_lead(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "a", "title": "Titre", "lead": "Le chapô résume l’article.",
                                  "body": "Le corps raconte la suite."}) + "\n", encoding="utf-8")
    assert run_cli("rebuild", "-q", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))[0] == 0
    code, out, _ = run_cli("show", "--index", str(tmp_path / "ix"), "a")
    assert out.splitlines() == ["Titre", "", "Le chapô résume l’article.", "", "Le corps raconte la suite."]


def test_help_describes_the_query_syntax_and_every_option() -> None:
    for args in (["--help"], ["query", "--help"]):
        code, out, _ = run_cli(*args)
        assert code == 0 and "query language:" in out and "search help syntax" in out and "électri*" in out
    code, out, _ = run_cli("query", "--help")
    options = re.findall(r"^  (-[-\w]+(?:, --[-\w]+)?)( [A-Z{][^ ]*)?(.*)$", out, re.M)
    assert options and all(help_text.strip() or True for *_, help_text in options)
    for parser in ("query", "rebuild", "update", "show", "similar", "stats", "tui", "config"):
        code, out, _ = run_cli(parser, "--help")
        block = out.split("options:", 1)[1].split("\n\n")[0]
        entries = re.split(r"\n  (?=-)", block.strip("\n"))
        for entry in entries:
            words = entry.split("  ", 1)
            assert len(words) == 2 and words[1].strip(), f"{parser}: an option without help: {entry!r}"
    import argparse

    from search.cli import build_parser

    missing: list[str] = []

    def walk(parser: argparse.ArgumentParser, path: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{path} {name}")
            elif not action.help:
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "search")
    assert missing == []  # every option and argument of every command, the news ones too
    code, out, _ = run_cli("help", "syntax")
    assert code == 0 and "date:[2024-01 TO 2024-06]" in out and "gouvernemant~" in out
    assert len(out.splitlines()) >= 19


def test_timeline_one_line_per_month(built: Path) -> None:
    code, out, _ = run_cli("query", "--index", str(built), "--timeline", "date:2023")
    rows = [line for line in out.splitlines() if re.match(r"^\d{4}-\d{2} ", line)]
    assert [r.split()[0] for r in rows] == ["2023-03", "2023-04", "2023-05", "2023-06", "2023-07", "2023-08"]
    assert rows[0].endswith(" 2") and rows[-1].endswith(" 1") and rows[1].endswith(" 0")
    code, out, _ = run_cli("query", "--index", str(built), "--timeline", "date:>=2000")
    years = [line.split()[0] for line in out.splitlines() if re.match(r"^\d{4} ", line)]
    assert years == ["2019", "2020", "2021", "2022", "2023", "2024"]  # over 3 years: one line a year


def test_settings_flag_environment_config_default(built: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = home / "search-fr" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'index = "{built}"\nlimit = 1\nlanguage = "en"\n', encoding="utf-8")
    env = {"XDG_CONFIG_HOME": str(home)}
    code, out, err = run_cli("query", "date:>=2000", cwd=tmp_path, env=env)
    assert code == 0, err
    assert out.startswith("11 results") and out.count("\n  1. ") == 1  # index and limit from the file
    code, out, _ = run_cli("query", "-n", "2", "date:>=2000", cwd=tmp_path, env=env | {"SEARCH_LIMIT": "3"})
    assert "showing 1-2" in out  # the flag wins over the environment
    code, out, _ = run_cli("query", "date:>=2000", cwd=tmp_path, env=env | {"SEARCH_LIMIT": "3"})
    assert "showing 1-3" in out  # the environment over the file
    code, out, _ = run_cli("config", cwd=tmp_path, env=env | {"SEARCH_LIMIT": "3"})
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert out.splitlines()[0] == f"config file: {config}"
    assert rows["index"].split()[1:] == [str(built), "config", "file"]
    assert rows["limit"].split()[1:] == ["3", "environment", "(SEARCH_LIMIT)"]
    assert rows["corpus"].split()[1:] == ["corpus", "default"]
    code, out, _ = run_cli("config", "--json", "--index", "/x", cwd=tmp_path, env=env)
    data = orjson.loads(out)
    assert data["settings"]["index"] == {"value": "/x", "source": "flag", "detail": ""}
    config.write_text('limit = "dix"\n', encoding="utf-8")
    code, out, err = run_cli("config", cwd=tmp_path, env=env)
    assert code == 1 and err == f"search: error: {config}: limit must be a whole number, not 'dix'\n"


def test_the_bar_shows_the_writing_phase_with_a_running_clock() -> None:
    from rich.console import Console

    from search.cli.progress import progress_bar

    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with progress_bar(console) as bar:
        bar(500, 1000)
        bar(1000, 1000, phase="write")
        time.sleep(0.3)
        indexing, writing = bar.bar.tasks
        assert indexing.finished and writing.description == "writing the index" and writing.total is None
        assert not writing.finished and (writing.elapsed or 0) >= 0.25  # its clock runs
