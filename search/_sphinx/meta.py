"""The meta table of a cluster index: its state, its stored lexicon and the writers' lock."""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from ..errors import ClusterError, IndexLockedError
from ..storage import process_alive
from .layout import Tables
from .lexicon import Lexicon
from .nodes import QLError, Session, quote

__all__ = ["SCHEMA", "Lock", "State", "read_lexicon", "read_state", "write_lexicon", "write_state"]

#: Version of the tables' layout and of the analysis sent to the engine: a cluster index
#: written by another one must be rebuilt.
SCHEMA = 3  # 2: a month attribute; 3: the lead a searched field, groups of duplicates

STATE_ID = 1
LOCK_ID = 2
#: Lexicon pieces: ids LEXICON_BASE + slot * SLOT_SPAN + n (two slots, written in turn).
LEXICON_BASE = 1000
SLOT_SPAN = 100_000
PIECE_BYTES = 2_900_000  # base64 of it stays under the 4 MB a string attribute holds
#: Seconds after which a writer that stopped beating loses its lock.
LOCK_STALE = 60.0


@dataclass(frozen=True)
class State:
    """What the meta table says of the index."""

    gen: str
    version: int
    lexicon_slot: int
    lexicon_pieces: int
    lexicon_sha: str
    articles: int
    built_at: str
    updated_at: str | None = None
    signature: str | None = None
    schema: int = SCHEMA


def _select(session: Session, sql: str, location: str) -> list[tuple[Any, ...]]:
    try:
        return session.execute(sql)
    except QLError as err:
        raise ClusterError(location, f"{session.node} refused `{sql[:60]}` ({err}): write the "
                           "configs with `search cluster config` and restart searchd") from err


def read_state(session: Session, tables: Tables, location: str) -> State | None:
    """The state of the index (None: never written)."""
    rows = _select(session, f"SELECT data FROM {tables.meta} WHERE id = {STATE_ID}", location)
    if not rows:
        return None
    try:
        return State(**orjson.loads(rows[0][0]))
    except (orjson.JSONDecodeError, TypeError) as err:
        raise ClusterError(location, f"{tables.meta} holds a state of another version: rebuild "
                           "the index (search rebuild --index …)") from err


def write_state(sessions: Sequence[Session], tables: Tables, state: State) -> None:
    """Write the state on every node (what makes a write visible)."""
    sql = (f"REPLACE INTO {tables.meta} (id, kind, version, data) VALUES "
           f"({STATE_ID}, 'state', {state.version}, {quote(orjson.dumps(asdict(state)).decode())})")
    for session in sessions:
        session.execute(sql)


def write_lexicon(sessions: Sequence[Session], tables: Tables, slot: int, lexicon: Lexicon,
                  ) -> tuple[int, str]:
    """Store a lexicon in `slot` on every node; return its piece count and digest."""
    data = base64.b64encode(lexicon.to_bytes())
    pieces = [data[i:i + PIECE_BYTES].decode() for i in range(0, len(data), PIECE_BYTES)] or [""]
    first = LEXICON_BASE + slot * SLOT_SPAN
    rows = [f"({first + n}, 'lexicon', 0, {quote(p)})" for n, p in enumerate(pieces)]
    for session in sessions:
        session.execute(f"DELETE FROM {tables.meta} WHERE id >= {first} AND id < {first + SLOT_SPAN}")
        for row in rows:  # one piece a statement: the packets stay small
            session.execute(f"REPLACE INTO {tables.meta} (id, kind, version, data) VALUES {row}")
    return len(pieces), hashlib.sha256(data).hexdigest()


def read_lexicon(session: Session, tables: Tables, state: State, location: str) -> Lexicon:
    """The lexicon a state names.

    Raises:
        ClusterError: its pieces are missing or do not add up.
    """
    first = LEXICON_BASE + state.lexicon_slot * SLOT_SPAN
    n = state.lexicon_pieces
    rows = _select(session, f"SELECT id, data FROM {tables.meta} WHERE id >= {first} AND "
                   f"id < {first + n} ORDER BY id ASC LIMIT {n} OPTION max_matches={max(n, 1)}",
                   location)
    data = "".join(str(r[1]) for r in rows).encode()
    if len(rows) != n or hashlib.sha256(data).hexdigest() != state.lexicon_sha:
        raise ClusterError(location, f"the vocabulary in {tables.meta} is incomplete on "
                           f"{session.node}: rebuild the index (search rebuild --index …)")
    try:
        return Lexicon.from_bytes(base64.b64decode(data))
    except ValueError as err:
        raise ClusterError(location, f"the vocabulary in {tables.meta} is unreadable: rebuild "
                           "the index (search rebuild --index …)") from err


def _now_us() -> int:
    return time.time_ns() // 1000


class Lock:
    """The one-writer lock of an index: a row that only one INSERT can create, beaten
    (its version set to the time) while the writer works, taken over when it is stale."""

    def __init__(self, session: Session, tables: Tables, location: str, action: str) -> None:
        self.session = session
        self.tables = tables
        self.location = location
        self.holder = f"pid {os.getpid()} on {socket.gethostname()} ({action}, since " \
                      f"{time.strftime('%H:%M:%S')})"
        self.beat_at = 0

    def _row(self) -> tuple[int, dict[str, Any]] | None:
        rows = _select(self.session, f"SELECT version, data FROM {self.tables.meta} WHERE id = {LOCK_ID}",
                       self.location)
        return (int(rows[0][0]), orjson.loads(rows[0][1])) if rows else None

    def acquire(self, timeout: float, notes: list[str]) -> None:
        """Take the lock, waiting up to `timeout` seconds for another writer.

        Raises:
            IndexLockedError: another writer held it all that time.
        """
        started = time.monotonic()
        while True:
            self.beat_at = _now_us()
            data = quote(orjson.dumps({"holder": self.holder, "host": socket.gethostname(),
                                       "pid": os.getpid()}).decode())
            try:
                self.session.execute(f"INSERT INTO {self.tables.meta} (id, kind, version, data) "
                                     f"VALUES ({LOCK_ID}, 'lock', {self.beat_at}, {data})")
                return
            except QLError as err:
                if "duplicate" not in str(err):
                    raise ClusterError(self.location, f"cannot lock {self.tables.meta} ({err})") from err
            row = self._row()
            if row is not None and self._stale(*row) and self._take_over(row[0]):
                notes.append(f"took over the lock of a writer that stopped ({row[1].get('holder')})")
                self.session.execute(f"DELETE FROM {self.tables.meta} WHERE id = {LOCK_ID}")
                continue
            waited = time.monotonic() - started
            if waited >= timeout:
                holder = str(row[1].get("holder")) if row is not None else "another writer"
                raise IndexLockedError(f"{self.location}#lock", holder, round(timeout, 1))
            time.sleep(min(0.2, max(timeout - waited, 0.01)))

    def _stale(self, beat: int, data: dict[str, Any]) -> bool:
        if _now_us() - beat > LOCK_STALE * 1e6:
            return True
        pid = data.get("pid")
        return data.get("host") == socket.gethostname() and isinstance(pid, int) and not process_alive(pid)

    def _take_over(self, beat: int) -> bool:
        # a compare-and-set on the beat: of two writers taking over, one wins
        return self.session.affected(f"UPDATE {self.tables.meta} SET version = {_now_us()} "
                                     f"WHERE id = {LOCK_ID} AND version = {beat}") == 1

    def beat(self) -> bool:
        """Say the writer is alive; False if the lock was taken over meanwhile."""
        now = _now_us()
        if now - self.beat_at < 5e6:
            return True
        held = self.session.affected(f"UPDATE {self.tables.meta} SET version = {now} "
                                     f"WHERE id = {LOCK_ID} AND version = {self.beat_at}") == 1
        self.beat_at = now
        return held

    def release(self) -> None:
        """Drop the lock if this writer still holds it."""
        row = self._row()
        if row is not None and row[1].get("holder") == self.holder:
            self.session.execute(f"DELETE FROM {self.tables.meta} WHERE id = {LOCK_ID}")
