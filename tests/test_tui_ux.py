"""The terminal UI seen by a user (issues 14 and 11): what the status line says, the timeline,
an index changed by another process, alerts and exports, honest messages, both languages."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from search import Index
from search.tui import app as app_module
from search.tui import make_app, outside
from search.tui._wrap import wrap_offsets

from .conftest import NEWS
from .test_tui import app_for, ids, notifications, settle, settle_workers, status_text, sync


async def results_for(app: Any, pilot: Any, query: str) -> None:
    """Wait for the app, search `query`, wait for its results and move to the list."""
    await settle(app, pilot)
    app.box.value = query
    await settle(app, pilot)
    app.result_list.focus()


@pytest.fixture(scope="module")
def index_path(news_index: Index) -> Path:
    """The shared read-only fixture index."""
    return news_index.path


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config folder of this test's own (alerts, the remembered theme)."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return home


@sync
async def test_status_says_the_sort_the_engine_used(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.box.value = "date:2023"  # nothing to rank by: the engine lists them newest first
        await settle(app, pilot)
        assert ids(app)[0] == "travaux" and "tri : plus récents" in status_text(app)


@sync
async def test_the_loaded_count_is_explained(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    app.first_page = 4
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.box.value = "date:>=2000"
        await settle(app, pilot)
        assert status_text(app) == ("11 résultats · tri : plus récents · … ms · 4 dans la liste, la suite en "
                                    "descendant")


@sync
async def test_the_timeline_counts_months_and_a_click_filters_one(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not app.timeline.display  # the welcome screen: nothing to count
        app.box.value = "date:2023"
        await settle(app, pilot)
        timeline = app.timeline
        assert timeline.display  # a tall terminal shows it with the results
        assert [(p.value, p.count) for p in timeline.periods] == [
            ("2023-03", 2), ("2023-04", 0), ("2023-05", 0), ("2023-06", 0), ("2023-07", 0), ("2023-08", 1)]
        await pilot.click(timeline, offset=(timeline.gutter.left, 1))  # the first month
        await settle(app, pilot)
        request = app.current_request()
        assert (request.date_from, request.date_to) == ("2023-03", "2023-03")
        assert sorted(ids(app)) == ["retraites-1", "retraites-2"]
        assert [str(c.render()) for c in app.chips.query(".chip")] == ["En 2023-03 ✕"]
        # the keys: t moves into it, ← → and Shift widen a span, Enter filters it
        app.result_list.focus()
        await pilot.press("x")
        await settle(app, pilot)
        assert app.current_request().date_from == "" and len(timeline.periods) == 6
        await pilot.press("t")
        assert app.focused is timeline
        await pilot.press("left", "shift+right", "enter")  # the cursor starts on the newest month
        await settle(app, pilot)
        assert (app.current_request().date_from, app.current_request().date_to) == ("2023-07", "2023-08")
        assert timeline.describe() == "août 2023 : 1 article"  # the months of the filtered results
        await pilot.press("t")  # again: hidden
        assert not timeline.display and app.focused is app.result_list


@sync
async def test_an_index_changed_by_another_process_is_noticed(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    shutil.copy(NEWS, corpus)
    index = tmp_path / "index"
    Index.rebuild(corpus, index, procs=1).close()
    app = app_for(index, tmp_path, corpus=corpus)
    async with app.run_test(size=(120, 36)) as pilot:
        await results_for(app, pilot, "prix")
        await pilot.press("j")
        await settle(app, pilot)
        assert app.result_list.current is not None and app.result_list.current.id == "electricite"
        with corpus.open("a", encoding="utf-8") as fh:
            for n in range(2):
                record = {"id": f"prix-{n}", "title": f"Les prix flambent ({n})",
                          "body": f"Les prix montent encore ({n}).", "date": f"2018-01-0{n + 1}"}
                fh.write(json.dumps(record) + "\n")
        with Index.open(index) as other:  # as `search update` or `search watch` would
            other.update(corpus)
        app.watch_index.look()
        await settle_workers(app, pilot)
        await settle(app, pilot)
        assert "2 nouveaux articles dans l’index" in notifications(app)
        assert set(ids(app)) >= {"prix-0", "prix-1", "electricite"}
        assert app.result_list.current is not None and app.result_list.current.id == "electricite"  # kept
        assert app.focused is app.result_list


@sync
async def test_save_an_alert_and_export_the_results(index_path: Path, tmp_path: Path, config_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await results_for(app, pilot, "retraite")
        await pilot.press("a", "a", "e")
        await settle_workers(app, pilot)
        alerts = (config_home / "search-fr" / "alerts.toml").read_text(encoding="utf-8")
        assert 'name = "retraite"' in alerts and 'name = "retraite-2"' in alerts
        assert any(m.startswith("Alerte « retraite » enregistrée dans ") for m in notifications(app))
        exported = sorted(tmp_path.glob("search-retraite-*.csv"))
        assert len(exported) == 1
        rows = exported[0].read_text(encoding="utf-8").splitlines()
        assert rows[0].startswith("id,title,date") and len(rows) == 3
        assert f"2 résultats exportés dans {exported[0]}" in notifications(app)


@sync
async def test_no_browser_and_no_clipboard_are_said(index_path: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outside, "open_in_browser", lambda url: False)
    monkeypatch.setattr(outside, "copy_with_system", lambda text: False)
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await results_for(app, pilot, "retraite")
        await pilot.press("o", "y")
        await settle_workers(app, pilot)
        url = "https://exemple.fr/societe/retraites-2"
        shown = notifications(app)
        assert f"Aucun navigateur pour l’ouvrir (y copie l’URL) : {url}" in shown
        assert not any(m.startswith(("Ouverture dans le navigateur", "URL copiée")) for m in shown)
        assert any("si votre terminal le permet" in m for m in shown)


@sync
async def test_notifications_leave_the_status_line_visible(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        app.notify("Une notification assez longue pour occuper de la place à l’écran.", timeout=30)
        await pilot.pause(0.3)
        toasts = list(app.screen.query("Toast"))
        assert toasts
        status = app.status.region
        for toast in toasts:
            assert not toast.region.overlaps(status), (toast.region, status)


@sync
async def test_the_date_inputs_show_a_whole_date(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await results_for(app, pilot, "prix")
        await pilot.press("f")
        await settle(app, pilot)
        box = app.filters.query_one("#date-from")
        assert box.placeholder == "AAAA-MM-JJ"  # a format, not a value
        assert box.content_region.width >= len("2023-03-10") + 1
        help_label = app.filters.query_one(".date-help")  # seen in tmux at 80x24: it was cut
        assert help_label.size.height >= 2 and help_label.size.width <= app.filters.content_region.width


def test_wrapping_keeps_french_punctuation_and_cuts_urls_after_a_slash() -> None:
    title = "Le président a dit : « Nous ne céderons pas » aux syndicats"
    for width in range(12, 40):
        lines = [title[s:e] for s, e in wrap_offsets(title, width)]
        assert all(line not in ("«", "»", ":") and not line.endswith(" «") and not line.startswith("» ")
                   and not line.startswith(":") for line in lines), (width, lines)
    url = "https://actu.orange.fr/politique/greves-la-presidente-de-la-region-propose.html"
    lines = [url[s:e] for s, e in wrap_offsets(url, 30)]
    assert "".join(lines) == url and all(line.endswith(("/", "-", ".")) for line in lines[:-1]), lines


@sync
async def test_history_keeps_a_query_looked_at_not_the_ones_typed_on_the_way(
        index_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "LOOKED_AT", 0.3)
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.box.value = "chev"
        await settle(app, pilot)
        app.box.value = "chevaux"
        await settle(app, pilot)
        await asyncio.sleep(0.5)
        await pilot.pause()
        assert app.history.entries == ["chevaux"]
        app.box.value = "prix"
        await settle(app, pilot)
        app.result_list.focus()
        await pilot.press("enter")  # opened: kept at once
        assert app.history.entries == ["chevaux", "prix"]


@sync
async def test_the_ui_speaks_english_with_an_english_locale(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path, language="en")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.box.value = "réforme des retraites"
        await settle(app, pilot)
        assert status_text(app) == ("2 results · sort: relevance · … ms  ⚠ Only one article holds all the "
                                    "words: those with the most of them follow.")
        footer = {b.description for b in app._bindings.key_to_bindings["s"]}
        assert footer == {"Sort"} and app.pane.border_title == "Results"
    french = app_for(index_path, tmp_path)  # the next app in the same process: French again
    async with french.run_test(size=(120, 36)) as pilot:
        await settle(french, pilot)
        assert {b.description for b in french._bindings.key_to_bindings["s"]} == {"Tri"}


@sync
async def test_the_theme_chosen_in_the_palette_is_remembered(index_path: Path, tmp_path: Path,
                                                             config_home: Path) -> None:
    app = make_app(index_path, corpus=NEWS, history=None, timings=False, cursor_blink=False, language="fr")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.theme = "nord"  # as the theme palette does
        await pilot.pause()
    config = (config_home / "search-fr" / "config.toml").read_text(encoding="utf-8")
    assert 'theme = "nord"' in config
    again = make_app(index_path, corpus=NEWS, history=None, timings=False, cursor_blink=False)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        assert again.theme == "nord"




# -- defects seen in tmux on OrangeSum (80x24, 120x40, 200x60) -------------------------


@sync
async def test_tmux_80x24_the_welcome_never_breaks_an_example_and_the_palette_key_is_french(
        index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = str(app.empty.render())
        assert "grève\u00a0-SNCF" in shown and "réforme\u00a0des\u00a0retraites" in shown
        palette = [b.description for b in app._bindings.key_to_bindings.get("ctrl+p", [])]
        assert palette == ["commandes"]


@sync
async def test_tmux_no_index_no_corpus_no_timeline_and_no_ctrl_r_promise(tmp_path: Path) -> None:
    app = app_for(tmp_path / "nowhere", tmp_path, corpus=tmp_path / "no-corpus", language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle_workers(app, pilot)
        assert app.empty.display and not app.timeline.display  # nothing to count: no "no dated article"
        assert status_text(app) == "No index and no corpus: start again with --corpus PATH or --index PATH."


@sync
async def test_tmux_200x60_the_french_date_help_keeps_its_colon(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app, pilot)
        text = str(app.filters.query_one(".date-help").render())
        assert "jour\u00a0: 2023" in text  # a no-break space: the colon never starts a line


@sync
async def test_tmux_a_damaged_index_is_not_called_missing(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    for seg in index.glob("*.seg"):
        seg.write_bytes(seg.read_bytes()[:1000])
    app = app_for(index, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_workers(app, pilot)
        assert any("est endommagé" in m and "Ctrl+R" in m for m in notifications(app))
        assert status_text(app) == "Index indisponible : voir le message."


def test_the_write_phase_is_said_from_the_child_s_phase() -> None:
    from search.i18n import use_language
    from search.tui._write_process import Progress
    from search.tui.write_status import WriteStatus

    use_language("fr")
    writing = WriteStatus.Progressed("rebuild", Progress(36152, 36152, 400.0, 90.0, "write"))
    assert writing.label == "Reconstruction : 36\u202f152 articles lus, écriture de l’index…"
    indexing = WriteStatus.Progressed("update", Progress(36152, 36152, 400.0, 90.0, "index"))
    assert indexing.label == "Mise à jour : 36\u202f152 / 36\u202f152 articles · 400 articles/s"
