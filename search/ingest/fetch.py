"""Polite HTTP fetching with httpx: a timeout, a per-host delay, a size cap, validators."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import httpx

from ..errors import IngestError
from .urls import host_of

__all__ = ["USER_AGENT", "Fetcher", "Response"]

USER_AGENT = "search-fr/0.1 (French news search; +https://pypi.org/project/search-fr/)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml")


@dataclass(frozen=True, slots=True)
class Response:
    """What a GET brought back (the body is empty when `not_modified`)."""

    url: str  # after redirects
    status: int
    content: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """The server answered 304: what we have is current."""
        return self.status == 304


class Fetcher:
    """An HTTP client that is polite by default; share one across threads.

    Requests to one host are made one at a time, `delay` seconds apart; different hosts
    go in parallel. Errors are `IngestError`s that name the URL and say what went wrong.
    """

    def __init__(self, *, timeout: float = 20.0, delay: float = 1.0, max_bytes: int = 5 << 20,
                 max_redirects: int = 5, user_agent: str = USER_AGENT,
                 transport: httpx.BaseTransport | None = None) -> None:
        """Args:
            timeout: seconds for connecting, and for the whole response.
            delay: seconds between two requests to the same host.
            max_bytes: larger responses are refused.
            max_redirects: more redirects than this (or a loop) fail.
            user_agent: the `User-Agent` header.
            transport: an httpx transport (tests).
        """
        self.timeout = timeout
        self.delay = delay
        self.max_bytes = max_bytes
        self._client = httpx.Client(
            headers={"User-Agent": user_agent, "Accept-Language": "fr,en;q=0.5"},
            timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=max_redirects,
            transport=transport,
        )
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}
        self._hosts_lock = threading.Lock()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
            accept: tuple[str, ...] = HTML_TYPES) -> Response:
        """GET a URL, conditionally when validators are given.

        Args:
            url: an http(s) URL.
            etag: sent as `If-None-Match`.
            last_modified: sent as `If-Modified-Since`.
            accept: the content types wanted (by prefix); `()` takes any.

        Raises:
            IngestError: timeout, network error, HTTP error status, redirect loop, too large,
                or a content type not wanted.
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        with self._turn(host_of(url)):
            try:
                return self._get(url, headers, accept)
            except httpx.TooManyRedirects:
                raise IngestError(url, "redirect loop or too many redirects") from None
            except httpx.TimeoutException:
                raise IngestError(url, f"timed out after {self.timeout:g} s") from None
            except httpx.InvalidURL as err:
                raise IngestError(url, f"invalid URL ({err})") from None
            except httpx.UnsupportedProtocol:
                raise IngestError(url, "not an http(s) URL") from None
            except httpx.HTTPError as err:
                raise IngestError(url, f"network error ({type(err).__name__}: {err})") from None

    def _get(self, url: str, headers: dict[str, str], accept: tuple[str, ...]) -> Response:
        deadline = time.monotonic() + self.timeout
        with self._client.stream("GET", url, headers=headers) as resp:
            final = str(resp.url)
            ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
            if resp.status_code == 304:
                return Response(final, 304, b"", ctype, headers.get("If-None-Match"),
                                headers.get("If-Modified-Since"))
            if resp.status_code >= 400:
                raise IngestError(url, f"HTTP {resp.status_code} {resp.reason_phrase}".strip())
            if accept and ctype and not ctype.startswith(accept):
                raise IngestError(url, f"not {_kind(accept)} ({ctype})")
            length = resp.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                raise IngestError(url, f"too large ({_mb(int(length))}, limit {_mb(self.max_bytes)})")
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise IngestError(url, f"too large (over {_mb(self.max_bytes)})")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("response too slow")
                chunks.append(chunk)
            return Response(final, resp.status_code, b"".join(chunks), ctype,
                            resp.headers.get("etag"), resp.headers.get("last-modified"))

    def _turn(self, host: str) -> Any:
        with self._hosts_lock:
            lock, last = self._hosts.setdefault(host, (threading.Lock(), [0.0]))
        return _HostTurn(lock, last, self.delay)


class _HostTurn:
    """Hold a host's lock for one request, starting `delay` seconds after its last one."""

    def __init__(self, lock: threading.Lock, last: list[float], delay: float) -> None:
        self.lock, self.last, self.delay = lock, last, delay

    def __enter__(self) -> None:
        self.lock.acquire()
        wait = self.last[0] + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)

    def __exit__(self, *exc: object) -> None:
        self.last[0] = time.monotonic()
        self.lock.release()


def _kind(accept: tuple[str, ...]) -> str:
    return "HTML" if accept == HTML_TYPES else "a feed" if accept == FEED_TYPES else "a wanted type"


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB"
