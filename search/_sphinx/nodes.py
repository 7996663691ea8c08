"""Addresses and SphinxQL sessions: the cluster URL, its nodes, pooled connections, quoting."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pymysql
from pymysql.constants import CLIENT
from pymysql.converters import escape_string

from ..errors import ClusterError, ClusterUnavailableError

__all__ = [
    "API_PORT_OFFSET",
    "SCHEMES",
    "Location",
    "Node",
    "Pool",
    "QLError",
    "Session",
    "is_cluster_url",
    "quote",
]

#: URL schemes of a cluster: Debian's Sphinx 2.2.11 and Manticore speak the same SphinxQL.
SCHEMES = ("sphinx", "manticore")
#: A node serves SphinxQL on its port and the agents' binary protocol on that port plus
#: this (the engines' defaults: 9306 and 9312).
API_PORT_OFFSET = 6
#: Seconds to wait for a node to accept a connection.
CONNECT_TIMEOUT = 3.0
#: Seconds to wait for a node's answer.
READ_TIMEOUT = 60.0

_URL = re.compile(r"^(?P<scheme>[a-z]+)://(?P<host>[^/:]+):(?P<port>\d{1,5})/(?P<table>[A-Za-z_][A-Za-z0-9_]*)/?$")
# pymysql's codes for a connection that failed or broke
_CONNECTION_CODES = {2003, 2006, 2013, 2014, 2055}


class QLError(Exception):
    """An error message from searchd (a bad statement, an unknown table, a failed agent)."""


@dataclass(frozen=True, order=True)
class Node:
    """One searchd: where it serves SphinxQL (the agents' port is `api_port`)."""

    host: str
    port: int

    @property
    def api_port(self) -> int:
        """The port of the agents' binary protocol."""
        return self.port + API_PORT_OFFSET

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Node:
        """Read `host:port` (the SphinxQL port).

        Raises:
            ValueError: not host:port.
        """
        host, sep, port = text.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536 - API_PORT_OFFSET:
            raise ValueError(f"expected host:port, not {text!r}")
        return cls(host, int(port))


@dataclass(frozen=True)
class Location:
    """A cluster index: `sphinx://host:port/table` (or `manticore://…`)."""

    scheme: str
    node: Node
    table: str

    def __str__(self) -> str:
        return f"{self.scheme}://{self.node}/{self.table}"

    @classmethod
    def parse(cls, url: str) -> Location:
        """Read a cluster URL.

        Raises:
            ClusterError: not a `sphinx://host:port/table` or `manticore://…` address.
        """
        m = _URL.match(url.strip())
        if m is None or m.group("scheme") not in SCHEMES or not 0 < int(m.group("port")) < 65536:
            raise ClusterError(url, "not a cluster address: expected sphinx://host:port/table "
                               "or manticore://host:port/table")
        return cls(m.group("scheme"), Node(m.group("host"), int(m.group("port"))), m.group("table"))


def is_cluster_url(text: str) -> bool:
    """Whether `text` names a cluster (`sphinx://…`, `manticore://…`) rather than a folder."""
    return any(text.startswith(f"{scheme}://") for scheme in SCHEMES)


def quote(text: str) -> str:
    """A SphinxQL string literal."""
    return "'" + escape_string(text) + "'"


class Session:
    """One SphinxQL connection to one node (not shared between threads)."""

    def __init__(self, node: Node, location: str) -> None:
        self.node = node
        self.location = location
        try:
            self._conn = pymysql.connect(
                host=node.host, port=node.port, user="", autocommit=True, charset="utf8mb4",
                connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                write_timeout=READ_TIMEOUT, client_flag=CLIENT.MULTI_STATEMENTS)
        except pymysql.err.MySQLError as err:
            raise ClusterUnavailableError(location, f"{node}: {_message(err)}") from err
        self.broken = False

    def execute(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one statement; return its rows."""
        return self.batch([sql])[0]

    def batch(self, statements: Sequence[str]) -> list[list[tuple[Any, ...]]]:
        """Run statements in one round trip; return the rows of each.

        Raises:
            QLError: searchd refused a statement (the session is then dropped).
            ClusterUnavailableError: the node does not answer.
        """
        with self._errors(), self._conn.cursor() as cur:
            cur.execute(";\n".join(statements))
            results = [list(cur.fetchall())]
            while cur.nextset():
                results.append(list(cur.fetchall()))
        return results

    def affected(self, sql: str) -> int:
        """Run one statement; return how many rows it changed."""
        with self._errors(), self._conn.cursor() as cur:
            return int(cur.execute(sql))

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except pymysql.err.MySQLError as err:
            self.broken = True
            code = err.args[0] if err.args and isinstance(err.args[0], int) else 0
            if code in _CONNECTION_CODES or isinstance(err, pymysql.err.InterfaceError):
                raise ClusterUnavailableError(self.location, f"{self.node}: {_message(err)}") from err
            raise QLError(_message(err)) from err

    def alive(self) -> bool:
        """Whether the connection still works."""
        try:
            self._conn.ping(reconnect=False)
        except pymysql.err.MySQLError:
            self.broken = True
            return False
        return True

    def close(self) -> None:
        """Close the connection."""
        try:
            self._conn.close()
        except pymysql.err.Error:
            pass


def _message(err: BaseException) -> str:
    text = str(err.args[-1]) if err.args else str(err)
    return " ".join(text.replace("\x00", "").split())


class Pool:
    """Idle sessions by node, shared by the threads of one backend (each one pinged when
    taken again: one to a node that stopped or restarted is replaced by a new one)."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._idle: dict[Node, list[Session]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def session(self, node: Node) -> Iterator[Session]:
        """A session to `node` for the block (a new one if none is idle)."""
        with self._lock:
            idle = self._idle.get(node)
            session = idle.pop() if idle else None
        if session is not None and not session.alive():  # the node stopped meanwhile
            session.close()
            session = None
        if session is None:
            session = Session(node, self.location)
        try:
            yield session
        finally:
            if session.broken:
                session.close()
            else:
                with self._lock:
                    self._idle.setdefault(node, []).append(session)

    def close(self) -> None:
        """Close every idle session."""
        with self._lock:
            sessions = [s for idle in self._idle.values() for s in idle]
            self._idle.clear()
        for session in sessions:
            session.close()
