"""What the UI does outside itself: open a URL, copy it, export the results to a file, save
the query as an alert, remember the theme; each says honestly whether it worked (no textual
import)."""

from __future__ import annotations

import re
import shutil
import subprocess
import webbrowser
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from ..alerts import Alert, AlertBook
from ..config import save_setting
from ..errors import QueryError, SearchError
from ..export import FORMATS
from ..i18n import _, ngettext, number
from ..index import Index
from ..ingest.urls import is_web_url
from ..results import Hit
from ..userfiles import config_dir, state_dir
from .request import Request

__all__ = ["EXPORT_LIMIT", "Outside", "copy_with_system", "export_results", "is_web_url", "open_in_browser",
           "save_alert"]

#: Hits written by an export (the first ones of the result set, in its order).
EXPORT_LIMIT = 1000
#: Browsers that run inside the terminal: they would take the UI's place, so they are not used.
_CONSOLE_BROWSERS = {"www-browser", "links", "elinks", "lynx", "w3m", "links2"}
#: Clipboard programs tried in order (Wayland, X11, macOS).
_CLIPBOARDS = (["wl-copy"], ["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"],
               ["pbcopy"])


def open_in_browser(url: str) -> bool:
    """Open `url` in a graphical web browser; False when there is none (or it refused)."""
    try:
        browser = webbrowser.get()
    except webbrowser.Error:
        return False
    if getattr(browser, "name", "") in _CONSOLE_BROWSERS:
        return False
    try:
        return bool(browser.open(url, new=2))
    except (OSError, webbrowser.Error):
        return False


def copy_with_system(text: str) -> bool:
    """Copy `text` with the system's clipboard program (wl-copy, xclip, xsel, pbcopy); False
    when there is none or it failed (the terminal may still take it: OSC 52)."""
    for command in _CLIPBOARDS:
        if shutil.which(command[0]) is None:
            continue
        try:
            done = subprocess.run(command, input=text.encode("utf-8"), timeout=3, check=False,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return True
    return False


def _slug(text: str, default: str) -> str:
    words = re.findall(r"\w+", text.lower())
    return "-".join(words)[:40].strip("-") or default


def export_results(ix: Index, request: Request, fmt: str, folder: Path) -> tuple[Path, int]:
    """Write the results of `request` (its first `EXPORT_LIMIT` hits) as `fmt` ("csv", "md",
    "json", "jsonl") into a new file of `folder`; return its path and how many hits it holds."""
    res = ix.search(request.query, limit=EXPORT_LIMIT, facets=False, **request.search_kwargs())
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"search-{_slug(request.query, 'resultats')}-{stamp}.{fmt}"
    path.write_text(FORMATS[fmt](res), encoding="utf-8")
    return path.resolve(), len(res.hits)


def save_alert(request: Request, book: AlertBook | None = None) -> tuple[Alert, Path]:
    """Save `request` (its query and source, rubrique and author filters) as an alert named after
    the query (`name-2`, `name-3`… when taken); return it and the file it is kept in.

    Raises:
        QueryError: nothing to save (no words), or the alerts file cannot be written.
    """
    book = book or AlertBook(config_dir(), state_dir())
    query = request.query.strip()
    if not query:
        raise QueryError("type a query first: an alert is a saved query")
    filters: dict[str, Sequence[str]] = {f: v for f, v in request.filter_map().items()
                                         if f in ("source", "tags", "author")}
    taken = {a.name for a in book.alerts()}
    base = _slug(query, "alerte")
    name = base
    n = 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    return book.add(name, query, filters), book.path


class Outside:
    """The app's doors to the outside: each action runs off the UI thread when it touches the
    disk, and notifies what happened, never claiming what it could not check.

    Args:
        app: the app (its notifications and workers).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def _url(self, hit: Hit | None) -> str | None:
        if hit is None:
            self.app.notify(_("No article selected."), severity="warning", timeout=3)
        elif not hit.url:
            self.app.notify(_("This article has no URL."), severity="warning", timeout=3)
        return hit.url if hit is not None and hit.url else None

    def open_url(self, hit: Hit | None) -> None:
        """Open the hit's URL in a graphical browser (http and https only: a corpus may hold any
        text in its URLs, `file:` or `javascript:` ones too)."""
        url = self._url(hit)
        if url and not is_web_url(url):
            self.app.notify(_("Only http and https addresses are opened: {url}").format(url=url),
                            severity="warning", timeout=4)
        elif url:
            self.app.run_worker(partial(self._open, url), thread=True, group="outside", exit_on_error=False)

    def _open(self, url: str) -> None:
        opened = open_in_browser(url)
        if opened:
            self.app.call_from_thread(self.app.notify, _("Opened in the browser: {url}").format(url=url),
                                      timeout=3)
        else:
            self.app.call_from_thread(self.app.notify, _("No browser to open it with (y copies the URL): "
                                                         "{url}").format(url=url), severity="warning",
                                      timeout=8)

    def copy_url(self, hit: Hit | None) -> None:
        """Copy the hit's URL: with the system's clipboard program when there is one, else through
        the terminal (OSC 52, which some terminals ignore: the message says so)."""
        url = self._url(hit)
        if url:
            self.app.copy_to_clipboard(url)  # the terminal's clipboard, and app.clipboard
            self.app.run_worker(partial(self._copy, url), thread=True, group="outside", exit_on_error=False)

    def _copy(self, url: str) -> None:
        if copy_with_system(url):
            text, severity = _("URL copied: {url}").format(url=url), "information"
        else:
            text, severity = _("URL sent to the terminal's clipboard (if your terminal allows it; no "
                               "clipboard program found): {url}").format(url=url), "warning"
        self.app.call_from_thread(self.app.notify, text, severity=severity, timeout=6)

    def export(self, ix: Index | None, request: Request, fmt: str) -> None:
        """Write the results of `request` to a file of the current folder, and say where."""
        if ix is None or request.blank:
            self.app.notify(_("Nothing to export: search first."), severity="warning", timeout=3)
            return
        self.app.run_worker(partial(self._export, ix, request, fmt), thread=True, group="outside",
                            exit_on_error=False)

    def _export(self, ix: Index, request: Request, fmt: str) -> None:
        try:
            path, count = export_results(ix, request, fmt, Path.cwd())
        except (OSError, SearchError) as error:
            text = _("Export failed: {error}").format(error=getattr(error, "strerror", None) or error)
            self.app.call_from_thread(self.app.notify, text, severity="error", timeout=10)
            return
        text = ngettext("{n} result exported to {path}", "{n} results exported to {path}", count).format(
            n=number(count), path=path)
        self.app.call_from_thread(self.app.notify, text, title=_("Export"), timeout=10)

    def save_alert(self, request: Request) -> None:
        """Save the request as an alert (`search alerts run NAME` reports what is new)."""
        try:
            alert, path = save_alert(request)
        except SearchError as error:
            message = (_("Type a query first: an alert is a saved query.") if not request.query.strip()
                       else str(error))
            self.app.notify(message, severity="warning", timeout=6)
            return
        text = _("Alert “{name}” saved in {path}: `search alerts run {name}` lists what is new.")
        self.app.notify(text.format(name=alert.name, path=path), title=_("Alert saved"), timeout=10)

    def theme_chosen(self, theme: Any) -> None:
        """Remember a theme chosen in the palette (the `theme` of the config file)."""
        name = getattr(theme, "name", str(theme))
        if not self.app.remember_theme or name == self.app.start_theme:
            return
        try:
            save_setting("theme", name)
        except OSError as error:
            self.app.notify(_("Cannot save the theme: {error}").format(error=error.strerror or error),
                            severity="warning", timeout=5)
