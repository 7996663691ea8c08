"""The terminal UI, driven with Textual's Pilot on the small fixture index."""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerCancelled, WorkerFailed

from search import SCHEMA_VERSION, Article, Index, Results, SearchCancelledError
from search._whoosh.postings import PostingCache
from search.errors import IndexLockedError, IndexWriteError, error_from_dict
from search.i18n import use_language
from search.storage import META_NAME, writer_lock
from search.tui import SearchApp, make_app, outside
from search.tui import _write_process as write_process
from search.tui._idle_gc import OVERDUE, YOUNG, IdleCollector
from search.tui._wrap import line_of, wrap_offsets
from search.tui.article_view import Match
from search.tui.help_screen import HelpScreen
from search.tui.history import History
from search.tui.request import Request, valid_date
from search.tui.result_list import CardLayout, HitCard
from search.tui.wording import tui_error as error_message
from search.wording import notice_message, report_summary

from .conftest import NEWS, REPO, run_cli


def sync(test: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test with asyncio.run (no async pytest plugin needed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture(scope="module")
def index_path(news_index: Index) -> Path:
    """The shared read-only fixture index."""
    return news_index.path


def app_for(index: Path, tmp_path: Path, **kwargs: Any) -> SearchApp:
    """The app as the tests run it: no timings, no blink, fixed theme, history in tmp_path."""
    options: dict[str, Any] = {"history": tmp_path / "history", "timings": False, "cursor_blink": False,
                               "theme": "textual-dark", "corpus": NEWS, "language": "fr"}
    options.update(kwargs)
    return make_app(index, **options)


async def settle(app: SearchApp, pilot: Any, timeout: float = 20.0) -> None:
    """Wait until the results on screen answer what is typed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            await app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass  # a stale search cancelled by a newer one
        await pilot.pause()
        if app.settled and not app.writes.action:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the app did not settle: {app.searches.shown=} {app.current_request()=}")


async def settle_workers(app: SearchApp, pilot: Any) -> None:
    """Wait for the workers (the app may not settle: no index)."""
    for _ in range(3):
        try:
            await app.workers.wait_for_complete()
        except (WorkerCancelled, WorkerFailed):
            pass
        await pilot.pause()


async def type_query(app: SearchApp, pilot: Any, text: str) -> None:
    """Type `text` in the search box, key by key, then wait for its results."""
    app.box.focus()
    await pilot.press(*[("space" if c == " " else c) for c in text])
    await settle(app, pilot)


def ids(app: SearchApp) -> list[str]:
    return [hit.id for hit in app.result_list.hits]


def notifications(app: SearchApp) -> list[str]:
    return [n.message for n in app._notifications]


def status_text(app: SearchApp) -> str:
    return str(app.status.query_one("#status-text").render())


# -- searching ----------------------------------------------------------------------


@sync
async def test_typing_shows_the_first_result_and_the_count(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.focused is app.box
        await type_query(app, pilot, "retraite")
        assert ids(app) == ["retraites-2", "retraites-1"]
        assert app.result_list.highlighted == 0
        assert status_text(app).startswith("2 résultats · tri : pertinence · … ms")
        app.box.value = "réforme des retraites"
        await settle(app, pilot)
        assert ids(app) == ["retraites-1", "retraites-2"]
        assert status_text(app) == ("2 résultats · tri : pertinence · … ms  ⚠ Un seul article contient "
                                    "tous les mots : suivent ceux qui en ont le plus.")


class SlowIndex:
    """An Index whose search for some queries takes long and ends even when cancelled (as a
    search does when its cancellation comes after its last check)."""

    def __init__(self, real: Index, slow: set[str], delay: float) -> None:
        self.real = real
        self.slow = slow
        self.delay = delay
        self.finished: list[str] = []

    def search(self, q: str, **kwargs: Any) -> Results:
        if q in self.slow:
            time.sleep(self.delay)
            kwargs.pop("cancel", None)
        res = self.real.search(q, **kwargs)
        self.finished.append(q)
        return res

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@sync
async def test_stale_results_never_win(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.index is not None
        slow = SlowIndex(app.index, {"p"}, delay=0.6)
        app.searches.index = slow  # type: ignore[assignment]
        await pilot.press("p")  # starts the slow search at once
        await pilot.press(*"rix")  # typed while it runs
        await settle(app, pilot)
        await asyncio.sleep(0.7)  # the slow "p" search ends last…
        await settle(app, pilot)
        assert slow.finished[-1] == "p" and "prix" in slow.finished
        assert app.box.value == "prix"
        shown = app.searches.shown
        assert shown is not None and shown.request.query == "prix"  # …and is dropped
        assert ids(app) == ["cheval", "electricite"]


@sync
async def test_a_slow_stale_search_is_cancelled_by_the_next_one(index_path: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow search that the user typed past blocks neither the UI nor the next search: the next
    search cancels it (its token), and its end is never shown."""
    cancelled: list[str] = []
    postings = PostingCache.postings

    def slow_postings(self: PostingCache, field: str, text: str, clock: Any = None) -> Any:
        if text == "cheval":  # "chevaux", analysed
            deadline = time.monotonic() + 5.0  # the search's time limit (2 s) would stop it sooner
            try:
                while time.monotonic() < deadline:
                    if clock is not None:
                        clock.check()
                    time.sleep(0.005)
            except SearchCancelledError:
                cancelled.append(text)
                raise
        return postings(self, field, text, clock)

    monkeypatch.setattr(PostingCache, "postings", slow_postings)
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.box.value = "chevaux"  # starts the slow search at once
        await pilot.pause(0.1)
        started = time.monotonic()
        await pilot.press("backspace")
        assert app.box.value == "chevau"  # keys are handled while it runs
        app.box.value = "prix"
        await settle(app, pilot)
        assert ids(app) == ["cheval", "electricite"]
        assert time.monotonic() - started < 1.5  # not after the slow search
        assert cancelled == ["cheval"]


@sync
async def test_paging_loads_more_as_the_cursor_moves(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    app.first_page = 4
    app.more_page = 4
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "date:>=2000")
        # one page: the next waits until the user moves (a new result set does not ask for it)
        assert app.result_list.total == 11 and len(app.result_list.hits) == 4
        app.result_list.focus()
        for _ in range(10):
            await pilot.press("down")
            await settle(app, pilot)
        assert ids(app) == ["ia", "election", "travaux", "retraites-1", "retraites-2", "concert",
                            "electricite", "cheval", "jeux", "oeuvre", "journaux"]
        assert app.result_list.highlighted == 10


# -- navigation and preview ---------------------------------------------------------


@sync
async def test_navigation_and_preview_highlights(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "retraite")
        preview = app.preview
        assert preview.article is not None and preview.article.id == "retraites-2"
        article = preview.article
        at = article.body.index("retraite")
        assert preview.matches == [Match("title", 0, 8), Match("body", at, at + 8)]
        assert article.title[0:8] == "Retraite" and article.body[at - 3:at + 9] == "la retraite."
        # the rendered text marks exactly those characters, the first one as current
        content = preview.query_one("#article-text").render()
        other, current = preview._match_styles()
        marked = sorted((content.plain[s.start:s.end], s.style == current) for s in content.spans
                        if s.style in (other, current))
        assert marked == [("Retraite", True), ("retraite", False)]
        # ↓ in the search box moves in the list; the preview follows
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.pause()
        assert app.result_list.highlighted == 1
        assert preview.article is not None and preview.article.id == "retraites-1"
        # Tab goes to the list, j / k move, Enter opens the article
        await pilot.press("tab")
        assert app.focused is app.result_list
        await pilot.press("k")
        await settle(app, pilot)
        assert app.result_list.highlighted == 0
        await pilot.press("j", "enter")
        await settle(app, pilot)
        await pilot.pause()
        assert app.focused is preview and preview.article.id == "retraites-1"
        # Esc goes back to the search box, a second Esc clears it
        await pilot.press("escape")
        assert app.focused is app.box and app.box.value == "retraite"
        await pilot.press("escape")
        assert app.box.value == ""
        await settle(app, pilot)
        assert ids(app) == []


@sync
async def test_the_preview_shows_the_lead_with_its_highlights(tmp_path: Path) -> None:
    sample = tmp_path / "index"
    Index.rebuild(REPO / "corpus", sample, procs=1).close()
    app = app_for(sample, tmp_path, corpus=REPO / "corpus")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "thermomètre")
        preview = app.preview
        assert preview.article is not None and preview.article.id == "2019-canicule-records"
        assert preview.matches == [Match("lead", 3, 14)]
        content = preview.query_one("#article-text").render()
        other, current = preview._match_styles()
        marked = [content.plain[s.start:s.end] for s in content.spans if s.style in (other, current)]
        assert marked == ["thermomètre"]


@sync
async def test_a_duplicate_is_one_card_that_says_where_else_it_was_published(tmp_path: Path) -> None:
    body = "Les sapeurs-pompiers ont maîtrisé l’incendie de la scierie dans la nuit."
    articles = [Article(id="a", title="Incendie d’une scierie", body=body, tags=("régions",)),
                Article(id="b", title="Incendie d’une scierie", body=body, tags=("faits divers",)),
                Article(id="c", title="Une scierie rouvre", body="La scierie rouvre ses portes.")]
    Index.rebuild(articles, tmp_path / "index", procs=1).close()
    app = app_for(tmp_path / "index", tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "incendie")
        assert ids(app) == ["a"] and app.result_list.total == 1
        meta = HitCard(app.result_list.hits[0], CardLayout()).lines(100)[1].plain
        assert meta == "régions · aussi dans : faits divers"  # (no date, no source)
        content = app.preview.query_one("#article-text").render()
        assert "Aussi publié sous : b" in content.plain


@sync
async def test_next_and_previous_match(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.box.value = "gouvernement retraites"
        await settle(app, pilot)
        await pilot.pause()
        preview = app.preview
        assert preview.article is not None and preview.article.id == "retraites-1"
        body, title = preview.article.body, preview.article.title
        found = [(m.field, (title if m.field == "title" else body)[m.start:m.end]) for m in preview.matches]
        assert found == [("title", "retraites"), ("title", "gouvernement"), ("body", "gouvernement"),
                         ("body", "retraites"), ("body", "gouvernement")]
        preview.focus()
        assert preview.current == 0
        await pilot.press("n", "n", "n")
        assert preview.current == 3
        assert preview.match_lines[3] > preview.match_lines[0]
        await pilot.press("N")
        assert preview.current == 2
        await pilot.press("N", "N", "N")  # wraps around
        assert preview.current == 4
        await pilot.press("f")  # the search runs again for the facets: the same article keeps its place
        await settle(app, pilot)
        await pilot.pause()
        assert app.filters.display and preview.article.id == "retraites-1"
        assert preview.current == 4
        app.box.value = "gouvernement"  # another search: the first match again
        await settle(app, pilot)
        await pilot.pause()
        assert preview.current == 0


@sync
async def test_help_screen_opens_and_closes(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        app.result_list.focus()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("q")  # closes the help, does not quit
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, HelpScreen)


# -- suggestion, filters, sort ------------------------------------------------------


@sync
async def test_suggestion_is_shown_and_accepted(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        app.box.value = '"électricté"'  # in quotes: searched as typed
        await settle(app, pilot)
        assert ids(app) == []
        assert app.suggestion.suggestion == '"électricité"'
        assert 'Vouliez-vous dire : "électricité" ?' in str(app.suggestion.render())
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert app.box.value == '"électricité"'
        assert ids(app) == ["electricite"] and app.suggestion.suggestion is None
        assert str(app.suggestion.render()) == ""


@sync
async def test_a_corrected_word_is_said_above_the_results_and_ctrl_d_searches_it_as_typed(
        index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:  # a narrow screen: the status line is cut
        await settle(app, pilot)
        app.box.value = "électricté"
        await settle(app, pilot)
        assert ids(app) == ["electricite"]
        assert str(app.suggestion.render()) == (
            'Résultats pour électricité.  (Ctrl+D cherche "électricté" tel que tapé)')
        assert "électricité" not in str(app.query_one("#status-text").render())  # said once
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert app.box.value == '"électricté"' and ids(app) == []
        assert app.suggestion.suggestion == '"électricité"'  # back: the correction, proposed


@sync
async def test_ctrl_d_deletes_in_the_box_without_a_suggestion(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "prix")
        await pilot.press("home", "ctrl+d")
        assert app.box.value == "rix"


@sync
async def test_filters_chips_and_sort(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "date:>=2000")
        assert app.result_list.total == 11
        app.result_list.focus()
        await pilot.press("f")
        await settle(app, pilot)
        sources = app.filters.query_one("#facet-source")
        assert app.filters.display and app.focused is sources
        assert sources.values == ["Le Quotidien numérique", "Dépêche Hexagone", "Le Courrier du Matin",
                                  "L’Écho des Régions", "Radio Littoral"]
        sources.highlighted = 4
        await pilot.press("enter")  # Radio Littoral
        await settle(app, pilot)
        assert app.current_request().filters == (("source", "Radio Littoral"),)
        assert ids(app) == ["concert", "jeux"]
        assert [str(c.render()) for c in app.chips.query(".chip")] == ["Source : Radio Littoral ✕"]
        # the other sources keep their counts, so a second one can be added
        assert len(sources.values) == 5
        sources.highlighted = 0
        await pilot.press("enter")  # or Le Quotidien numérique
        await settle(app, pilot)
        assert ids(app) == ["ia", "concert", "electricite", "jeux", "journaux"]
        # a year from the year facet
        years = app.filters.query_one("#facet-year")
        years.focus()
        years.highlighted = years.values.index("2021")
        await pilot.press("enter")
        await settle(app, pilot)
        assert ids(app) == ["electricite"]
        # a click on a chip removes its filter; x removes the last one
        chip = app.chips.query(".chip").first()
        await pilot.click(chip)
        await settle(app, pilot)
        assert app.current_request().filters == (("source", "Le Quotidien numérique"), ("year", "2021"))
        assert ids(app) == ["electricite"]
        await pilot.press("x")
        await settle(app, pilot)
        assert ids(app) == ["ia", "electricite", "journaux"]
        # a date range
        app.filters.query_one("#date-from").value = "2020"
        app.filters.query_one("#date-to").value = "2021-12"
        await settle(app, pilot)
        assert ids(app) == ["electricite"]
        assert app.current_request().date_from == "2020" and app.current_request().date_to == "2021-12"
        await pilot.press("x")
        await settle(app, pilot)
        assert ids(app) == ["ia", "electricite", "journaux"]
        # f hides the panel again
        app.result_list.focus()
        await pilot.press("f")
        assert not app.filters.display


@sync
async def test_sort_toggle(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "prix")
        assert ids(app) == ["cheval", "electricite"]
        await pilot.press("s")  # typed in the box: a letter, not the sort key
        assert app.box.value == "prixs"
        await pilot.press("backspace")
        await settle(app, pilot)
        app.result_list.focus()
        await pilot.press("s")
        await settle(app, pilot)
        assert app.current_request().sort == "-date" and ids(app) == ["electricite", "cheval"]
        assert "tri : plus récents" in status_text(app)
        await pilot.press("s")
        await settle(app, pilot)
        assert app.current_request().sort == "relevance" and ids(app) == ["cheval", "electricite"]


@sync
async def test_url_open_and_copy(index_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_for(index_path, tmp_path)
    opened: list[str] = []
    monkeypatch.setattr(outside, "open_in_browser", lambda url: opened.append(url) or True)
    monkeypatch.setattr(outside, "copy_with_system", lambda text: True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "retraite")
        app.result_list.focus()
        await pilot.press("o", "y")
        await settle_workers(app, pilot)
        assert opened == ["https://exemple.fr/societe/retraites-2"]
        assert app.clipboard == "https://exemple.fr/societe/retraites-2"
        assert "Ouverture dans le navigateur : https://exemple.fr/societe/retraites-2" in notifications(app)
        assert "URL copiée : https://exemple.fr/societe/retraites-2" in notifications(app)
        await pilot.press("j", "escape")
        await settle(app, pilot)
        app.box.value = "chevaux"
        await settle(app, pilot)
        app.result_list.focus()
        await pilot.press("o")
        assert "Cet article n’a pas d’URL." in notifications(app)


@sync
async def test_only_web_urls_are_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "news.jsonl"
    corpus.write_text(json.dumps({"id": "piege", "title": "Un lien piégé", "body": "Un lien vers un fichier.",
                                  "url": "file:///etc/passwd"}) + "\n", encoding="utf-8")
    index = tmp_path / "index"
    Index.rebuild(corpus, index, procs=1).close()
    app = app_for(index, tmp_path, corpus=corpus)
    opened: list[str] = []
    monkeypatch.setattr(outside, "open_in_browser", lambda url: opened.append(url) or True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "lien")
        app.result_list.focus()
        await pilot.press("o")
        assert opened == []
        assert "Seules les adresses http et https s’ouvrent : file:///etc/passwd" in notifications(app)


@sync
async def test_a_folder_of_other_files_is_neither_built_nor_replaced(tmp_path: Path) -> None:
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "MAIN_notes.txt").write_text("notes")
    (folder / "thesis.tex").write_text("thèse")
    app = app_for(folder, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(app, pilot)
        assert not app.writes.action
        message = (f"{folder} n’est pas un index (il contient MAIN_notes.txt, thesis.tex) : il est laissé "
                   "intact ; choisissez un autre dossier d’index (--index).")
        assert message in notifications(app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not app.writes.action and notifications(app).count(message) == 2
    assert sorted(os.listdir(folder)) == ["MAIN_notes.txt", "thesis.tex"]


@sync
async def test_history_is_kept_across_runs(index_path: Path, tmp_path: Path) -> None:
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "retraite")
        await pilot.press("enter")
        await pilot.press("escape", "escape")
        await type_query(app, pilot, "prix")
    assert (tmp_path / "history").read_text(encoding="utf-8").splitlines() == ["retraite", "prix"]
    again = app_for(index_path, tmp_path)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(again, pilot)
        await pilot.press("up")
        assert again.box.value == "prix"
        await pilot.press("up")
        assert again.box.value == "retraite"
        await pilot.press("down")
        assert again.box.value == "prix"
        await settle(again, pilot)
        assert ids(again) == ["cheval", "electricite"]
        await pilot.press("space", "up")  # typed: not browsing any more, ↑ moves in the list
        assert again.box.value == "prix " and again.result_list.highlighted == 0


# -- errors, rebuild and update -----------------------------------------------------


@sync
async def test_missing_index_without_corpus_says_what_to_do(tmp_path: Path) -> None:
    app = app_for(tmp_path / "nowhere", tmp_path, corpus=tmp_path / "no-corpus", theme="no-such-theme")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(app, pilot)
        assert any(m.startswith("Thème inconnu : no-such-theme. Thèmes : ansi-dark, ")
                   for m in notifications(app))
        assert any(m.startswith(f"Aucun index dans {tmp_path / 'nowhere'}, et pas de corpus")
                   for m in notifications(app))
        assert app.empty.display and "Index indisponible" in str(app.empty.render())
        await pilot.press(*"retraite")  # still usable, no traceback
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert any("Corpus introuvable" in m for m in notifications(app))
        assert app.is_running


@sync
async def test_missing_index_is_built_from_the_corpus(tmp_path: Path) -> None:
    index = tmp_path / "index"
    app = app_for(index, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot, timeout=60)
        assert index.is_dir() and app.index is not None
        assert any(m.startswith("Index reconstruit : 12 articles en ") for m in notifications(app))
        await type_query(app, pilot, "retraite")
        assert ids(app) == ["retraites-2", "retraites-1"]


@sync
async def test_old_version_index_asks_for_a_rebuild(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    meta = json.loads((index / META_NAME).read_text(encoding="utf-8"))
    meta["schema_version"] = SCHEMA_VERSION - 1
    (index / META_NAME).write_text(json.dumps(meta), encoding="utf-8")
    app = app_for(index, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_workers(app, pilot)
        assert any("construit par une version plus ancienne" in m and "Ctrl+R" in m
                   for m in notifications(app))
        await pilot.press("ctrl+r")  # the rebuild fixes it
        await settle(app, pilot, timeout=60)
        await type_query(app, pilot, "prix")
        assert ids(app) == ["cheval", "electricite"]


@sync
async def test_locked_index_is_a_notification(tmp_path: Path) -> None:
    index = tmp_path / "index"
    Index.rebuild(NEWS, index, procs=1).close()
    app = app_for(index, tmp_path, lock_wait=0.3)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with writer_lock(index, command="test"):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        held.wait(10)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert app.writes.action == "rebuild"
            await type_query(app, pilot, "prix")  # search still works meanwhile
            assert ids(app) == ["cheval", "electricite"]
            for _ in range(300):
                if not app.writes.action:
                    break
                await asyncio.sleep(0.05)
            await pilot.pause()
            assert any(m.startswith("L’index est déjà en cours d’écriture par ") for m in notifications(app))
            assert app.is_running
    finally:
        release.set()
        holder.join()


#: A child that fails as `search rebuild --json` does: its typed error on stdout, an English
#: sentence on stderr (one that names another error, which the UI must not read).
FAILING_CHILD = """
import json, sys
print("search: error: index is being written by pid 1 (lock /x); gave up after 1 s", file=sys.stderr)
print(json.dumps({"error": {"type": "IndexWriteError", "message": "cannot write the index at /x/index",
                            "fields": {"path": "/x/index", "reason": "No space left on device",
                                       "kept": True}}}))
sys.exit(1)
"""


@sync
async def test_a_failed_write_is_worded_from_the_typed_error(index_path: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write_process, "command", lambda *a, **k: [sys.executable, "-c", FAILING_CHILD])
    app = app_for(index_path, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot, timeout=30)
        assert ("Impossible d’écrire l’index dans /x/index (No space left on device) : l’index précédent "
                "est conservé. Libérez de la place ou vérifiez les droits du dossier, puis réessayez."
                ) in notifications(app)
        assert not any("cours d’écriture" in m for m in notifications(app))


def test_the_tui_never_reads_the_child_s_sentences() -> None:
    sources = {path.name: path.read_text(encoding="utf-8") for path in (REPO / "search" / "tui").glob("*.py")}
    assert not any("cli_error_message" in text for text in sources.values())
    for name in ("_write_process.py", "wording.py"):  # what reads the child and words its errors
        assert "import re" not in sources[name] and "re.compile" not in sources[name]


@sync
async def test_rebuild_and_update_from_the_ui(tmp_path: Path) -> None:
    corpus = tmp_path / "news.jsonl"
    shutil.copy(NEWS, corpus)
    index = tmp_path / "index"
    Index.rebuild(corpus, index, procs=1).close()
    app = app_for(index, tmp_path, corpus=corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "marmotte")
        assert ids(app) == []
        with corpus.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps({"id": "marmotte", "title": "La marmotte sort de son terrier",
                                 "body": "Dans les Alpes, la marmotte se réveille.", "date": "2024-03-01",
                                 "source": "Radio Littoral"}, ensure_ascii=False) + "\n")
        await pilot.press("f5")
        await pilot.pause()
        assert app.writes.action == "update"
        await settle(app, pilot, timeout=60)
        assert any(m.startswith("Index mis à jour en ") and "1 ajouté" in m for m in notifications(app))
        assert ids(app) == ["marmotte"]  # the new index is searched at once
        app.result_list.focus()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"reconstruire", "enter")
        await pilot.pause()
        assert app.writes.action == "rebuild"
        await settle(app, pilot, timeout=60)
        assert any(m.startswith("Index reconstruit : 13 articles en ") for m in notifications(app))
        assert ids(app) == ["marmotte"]


# -- the parts without a screen -----------------------------------------------------


def test_launchers_parse_their_options() -> None:
    code, out, err = run_cli("tui", "--help")
    assert code == 0, err
    assert "--index" in out and "--corpus" in out and "--theme" in out
    proc = subprocess.run([sys.executable, str(REPO / "tui.py"), "--help"], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, LANG="fr_FR.UTF-8"))
    assert proc.returncode == 0 and "--corpus" in proc.stdout and "Chercher" in proc.stdout



def test_french_wording_of_notices_and_reports() -> None:
    from search.results import Notice

    use_language("fr")

    assert notice_message(Notice("relaxed", "x", exact=3)) == (
        "Seuls 3 articles contiennent tous les mots : suivent ceux qui en ont le plus.")
    assert notice_message(Notice("relaxed", "x", exact=0)) == (
        "Aucun article ne contient tous les mots : voici ceux qui en ont le plus.")
    assert notice_message(Notice("unknown_field", "x", field="tags")) == (
        "Champ inconnu « rubrique: » : cherché comme des mots.")
    assert notice_message(Notice("prefix_capped", "x", prefix="a", total=1200, kept=64)) == (
        "a* correspond à 1\u202f200 mots : les 64 plus fréquents ont été cherchés.")
    assert notice_message(Notice("corrected", "x", query="gouvernement", as_typed='"gouvernemant"')) == (
        'Résultats pour « gouvernement ». Pour chercher les mots tels que tapés : "gouvernemant"')
    assert notice_message(Notice("brand_new", "an English sentence")) == "an English sentence"
    locked = error_from_dict(IndexLockedError("/x/lock", "pid 12 (rebuild, since 10:00)", 0.3).to_dict())
    assert error_message(locked) == (
        "L’index est déjà en cours d’écriture par pid 12 (rebuild, since 10:00) (attente de 0,3 s) : "
        "réessayez quand ce sera terminé.")
    full = error_from_dict(IndexWriteError("/x/index", "No space left on device", kept=True).to_dict())
    assert error_message(full) == (
        "Impossible d’écrire l’index dans /x/index (No space left on device) : l’index précédent est "
        "conservé. Libérez de la place ou vérifiez les droits du dossier, puis réessayez.")
    assert report_summary({"action": "update", "added": 1, "updated": 2, "deleted": 0, "unchanged": 10,
                           "seconds": 0.42, "articles": 13, "skipped": 0}) == (
        "Index mis à jour en 0,4 s : 1 ajouté, 2 mis à jour, 0 supprimé (10 inchangés) ; "
        "13 articles au total.")


def test_full_collections_wait_for_the_user_to_be_idle() -> None:
    busy = [False]
    collector = IdleCollector(busy=lambda: busy[0], idle=0.05)
    saved = gc.get_threshold()
    collector.start()
    try:
        assert gc.get_threshold() == (YOUNG, saved[1], 1 << 30)  # no automatic full collection
        gc.collect(1)  # a young collection: a full one is now pending
        collector.touch()
        assert not collector.tick()  # the user just pressed a key
        time.sleep(0.06)
        busy[0] = True
        assert not collector.tick()  # a search is running
        busy[0] = False
        assert collector.tick() and gc.get_count()[2] == 0
        assert not collector.tick()  # nothing pending
        for _ in range(OVERDUE):
            gc.collect(1)
        collector.touch()
        busy[0] = True
        assert collector.tick() and collector.collections == 2  # overdue: runs anyway
    finally:
        collector.stop()
    assert gc.get_threshold() == saved


def test_history_browsing(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    for query in ("a", "b", "a", "c"):
        history.add(query)
    assert history.entries == ["b", "a", "c"]
    assert [history.previous(), history.previous(), history.previous(), history.previous()] == [
        "c", "a", "b", "b"]
    assert [history.next(), history.next(), history.next()] == ["a", "c", ""]
    assert not history.browsing
    assert History(tmp_path / "h").entries == ["b", "a", "c"]


def test_wrap_offsets_and_requests() -> None:
    text = "Réforme des retraites : le gouvernement passe en force"
    lines = wrap_offsets(text, 20)
    assert [text[s:e] for s, e in lines] == [
        "Réforme des", "retraites : le", "gouvernement passe", "en force"]
    assert line_of(text.index("gouvernement"), [s for s, _ in lines]) == 2
    word = "anticonstitutionnellement"
    assert [word[s:e] for s, e in wrap_offsets(word, 10)] == [
        "anticonsti", "tutionnell", "ement"]
    req = Request("prix").toggled("source", "A").toggled("year", "2021").toggled("source", "B")
    assert req.filter_map() == {"source": ["A", "B"], "year": ["2021"]}
    assert req.filter_map(without="source") == {"year": ["2021"]}
    assert req.toggled("source", "A").filters == (("year", "2021"), ("source", "B"))
    assert [valid_date(d) for d in ("", "2024", "2024-03", "2024-13", "24-03", "2024-03-32")] == [
        True, True, True, False, False, False]


# -- snapshots ----------------------------------------------------------------------


def _snapshot_app(index: Path, tmp_path: Path) -> SearchApp:
    return app_for(index, tmp_path)


def test_snapshot_results_wide(index_path: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = _snapshot_app(index_path, tmp_path)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await type_query(app, pilot, "retraite")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(120, 34), run_before=run_before)


def test_snapshot_results_narrow(index_path: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = _snapshot_app(index_path, tmp_path)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await type_query(app, pilot, "prix")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_filters(index_path: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = _snapshot_app(index_path, tmp_path)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await type_query(app, pilot, "date:>=2000")
        app.result_list.focus()
        await pilot.press("f", "enter")
        await settle(app, pilot)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_snapshot_help(index_path: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = _snapshot_app(index_path, tmp_path)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        await type_query(app, pilot, "prix")  # the blank screen would show the (temporary) index path
        await pilot.press("f1")
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=(100, 34), run_before=run_before)


def test_snapshot_suggestion(index_path: Path, tmp_path: Path, snap_compare: Any) -> None:
    app = _snapshot_app(index_path, tmp_path)

    async def run_before(pilot: Any) -> None:
        await settle(app, pilot)
        app.box.value = '"électricté"'  # in quotes: searched as typed, so a suggestion
        await settle(app, pilot)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(100, 24), run_before=run_before)
