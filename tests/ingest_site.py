"""A local news site for the ingestion tests: feeds and pages on 127.0.0.1, requests recorded."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

DATA = Path(__file__).parent / "data" / "ingest"

#: path on the site -> (layout, fragment) of the article pages
PAGES = {
    "/economie/eolien-port-joubert-retard": ("gazette_layout.html", "gazette_eolien.html"),
    "/actualite/greve-tramway-littoralis": ("gazette_layout.html", "gazette_greve.html"),
    "/mer/criee-coquilles-prix-records": ("gazette_layout.html", "gazette_criee.html"),
    "/vosges/cooperative-munster-moselotte": ("reveil_layout.html", "reveil_munster.html"),
    "/vosges/remiremont-renovation-halles": ("reveil_layout.html", "reveil_conseil.html"),
}


def page(layout: str, fragment: str, base: str) -> str:
    """A whole article page: the site's layout around an article fragment."""
    head, article = (DATA / fragment).read_text(encoding="utf-8").split("<!-- article -->\n")
    html = (DATA / layout).read_text(encoding="utf-8")
    return html.replace("{{head}}", head.strip()).replace("{{article}}", article.rstrip()).replace(
        "{{base}}", base)


def data_file(name: str, base: str) -> str:
    """A fixture file with its `{{base}}` replaced by the site's address."""
    return (DATA / name).read_text(encoding="utf-8").replace("{{base}}", base)


@dataclass
class Route:
    """What the site answers on a path."""

    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    location: str = ""
    validators: bool = False  # send an ETag and Last-Modified, answer 304 when they match
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass
class Request:
    """A request the site received."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0


class NewsSite:
    """Feeds (RSS at /rss.xml, Atom at /vosges/atom.xml), five article pages, and pages that
    fail: /lent (slow), /absent (404), /image.png, /enorme (large), /boucle (redirect loop),
    /sports/ (a section front, not an article)."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server name
                site._serve(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        for path, (layout, fragment) in PAGES.items():
            self.set_page(path, page(layout, fragment, self.base))
        self.set_feed("/rss.xml", data_file("gazette_rss.xml", self.base), "application/rss+xml")
        self.set_feed("/vosges/atom.xml", data_file("reveil_atom.xml", self.base), "application/atom+xml")
        self.routes["/lent"] = Route(b"<html><body>trop tard</body></html>", delay=3.0)
        self.routes["/absent"] = Route(b"introuvable", status=404)
        self.routes["/image.png"] = Route(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
        self.routes["/enorme"] = Route(b"<html><body>" + b"<p>bla bla</p>" * 20000 + b"</body></html>")
        self.routes["/boucle"] = Route(status=302, location="/boucle")
        self.routes["/sports/"] = Route((DATA / "rubrique.html").read_bytes())
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def set_page(self, path: str, html: str) -> None:
        """Serve an HTML page."""
        self.routes[path] = Route(html.encode("utf-8"))

    def set_feed(self, path: str, xml: str, content_type: str) -> None:
        """Serve a feed, with validators."""
        self.routes[path] = Route(xml.encode("utf-8"), content_type=content_type, validators=True)

    def hits(self, path: str) -> list[Request]:
        """The requests received for a path."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Request(handler.path, dict(handler.headers.items()), time.monotonic()))
        route = self.routes.get(handler.path.split("?")[0])
        if route is None:
            route = Route(b"not here", status=404)
        if route.delay:
            time.sleep(route.delay)
        etag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
        modified = "Wed, 13 Mar 2024 18:25:00 GMT"
        if route.validators and (handler.headers.get("If-None-Match") == etag):
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        handler.send_response(route.status)
        if route.location:
            handler.send_header("Location", route.location)
        handler.send_header("Content-Type", route.content_type)
        if route.send_length:
            handler.send_header("Content-Length", str(len(route.body)))
        if route.validators:
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", modified)
        handler.end_headers()
        try:
            handler.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def __enter__(self) -> NewsSite:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()


class Dirs:
    """The corpus, index and XDG folders of one test, and the command line run on them."""

    def __init__(self, tmp_path: Path) -> None:
        self.corpus = tmp_path / "corpus"
        self.index = tmp_path / "index"
        self.env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "config")}

    def cli(self, *args: str, corpus: Path | None = None) -> tuple[int, str, str]:
        """`python -m search ARGS --corpus … --index …`: (status, stdout, stderr)."""
        from .conftest import run_cli

        return run_cli(*args, "--corpus", str(corpus or self.corpus), "--index", str(self.index),
                       env=self.env)

    def titles(self, query: str) -> list[str]:
        """The titles the index finds for a query."""
        from search import Index

        with Index.open(self.index) as ix:
            return [hit.title for hit in ix.search(query, limit=50, facets=False)]

    def records(self) -> list[dict[str, object]]:
        """The records written into the corpus's web folder."""
        import json

        return [json.loads(line) for path in sorted((self.corpus / "web").rglob("*.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines()]
