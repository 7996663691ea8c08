"""Writing a cluster index (the `Writer` protocol): batched REPLACE on every copy of a shard.

A rebuild fills the generation not searched (emptied first), then switches the searched
generation in the meta table: until then, and if it fails or is killed, the previous one
is searched. An update keeps its changes until `commit`, then writes them shard by shard,
one transaction per copy, into the searched generation (searchd has no transaction over
several tables or nodes: a search running meanwhile may see some shards changed). Both keep
the groups of duplicates right (`search._sphinx.groups`): a rebuild sets them before it
switches, an update with its rows.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

import orjson

from ..backend import WriteResult
from ..corpus import Article
from ..errors import IndexWriteError
from ..storage import now_iso
from .documents import COLUMNS, Group, doc_id, dup_keys, row_sql
from .groups import KeyLog, lookup, regroup
from .layout import GENERATIONS
from .lexicon import Lexicon, LexiconBuilder
from .meta import Lock, State, write_lexicon, write_state
from .nodes import Node, QLError, Session
from .reads import Query, Site
from .snapshot import SphinxSnapshot, fetch_articles, stored_size

__all__ = ["SphinxWriter", "signature_digest"]

#: A shard's pending rows are written when there are this many, or this many bytes.
BATCH_ROWS = 200
BATCH_BYTES = 4 << 20
#: Rows read at once by `indexed()`.
SCAN_ROWS = 5000
_COLUMNS = ", ".join(COLUMNS)


def signature_digest(signature: object) -> str | None:
    """A short digest of a corpus signature (None: none given)."""
    if signature is None:
        return None
    data = orjson.dumps(signature, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(data).hexdigest()[:32]


def _scan(table: str, after: int) -> list[Query]:
    return [Query(f"SELECT id, aid, digest FROM {table} WHERE id > {after} ORDER BY id ASC "
                  f"LIMIT {SCAN_ROWS} OPTION max_matches={SCAN_ROWS}")]


def _replace(table: str, values: str) -> str:
    return f"REPLACE INTO {table} ({_COLUMNS}) VALUES {values}"


def _now() -> str:
    """The current time, ISO 8601 in UTC with its offset (as the local index's metadata)."""
    return now_iso()


class SphinxWriter:
    """One write transaction on a cluster index (see the module's docstring).

    Args:
        site: the index on its cluster.
        action: "rebuild" or "update".
        state: the index's state before this write (None: never written).
        previous: the searched snapshot (None: none).
        lock: the writers' lock, held.
        sessions: a session to every node (each one takes the writes of its shards).
    """

    def __init__(self, site: Site, action: str, state: State | None,
                 previous: SphinxSnapshot | None, lock: Lock, sessions: dict[Node, Session]) -> None:
        if action not in ("rebuild", "update"):
            raise ValueError(f"action must be rebuild or update, not {action!r}")
        self.site = site
        self.action = action
        self.state = state
        self.previous = previous
        self.lock = lock
        self.sessions = sessions
        rebuild = action == "rebuild" or state is None or previous is None
        self.rebuild = rebuild
        if rebuild:
            self.gen = GENERATIONS[1] if state is not None and state.gen == GENERATIONS[0] else GENERATIONS[0]
        else:
            assert state is not None
            self.gen = state.gen
        self.lexicon = LexiconBuilder(None if rebuild or previous is None else previous.lexicon)
        self.pending: dict[int, list[str]] = {}
        self.pending_bytes: dict[int, int] = {}
        self.written: set[int] = set()  # rebuild: ids written, to spot an id written twice
        self.changed: dict[int, tuple[Article, str]] = {}  # update: kept until commit
        self.deleted: set[int] = set()
        self.keys = KeyLog()  # rebuild: the duplicate keys of the articles written
        self.committed = False
        if rebuild:
            self._each_copy(lambda session, table: session.execute(f"TRUNCATE RTINDEX {table}"))

    def _fail(self, err: Exception) -> IndexWriteError:
        return IndexWriteError(Path(self.site.url), str(err)[:200], kept=self.rebuild)

    def _each_copy(self, action: Callable[[Session, str], object], shards: list[int] | None = None,
                   ) -> None:
        """Run `action(session, table)` on every copy of these shards (default: all)."""
        for shard in range(len(self.site.topology.shards)) if shards is None else shards:
            table = self.site.tables.shard(self.gen, shard)
            for node in self.site.topology.shards[shard]:
                try:
                    action(self.sessions[node], table)
                except QLError as err:
                    raise self._fail(err) from err

    # -- the protocol -------------------------------------------------------------

    def indexed(self) -> Mapping[str, str]:
        """Article id -> content hash of what the index holds (empty for a rebuild)."""
        if self.rebuild or self.previous is None:
            return {}
        out: dict[str, str] = {}
        last = 0
        while True:
            answers = self.site.read(self.gen, partial(_scan, after=last))
            rows = answers[0].rows
            out.update((str(r[1]), str(r[2])) for r in rows)
            if len(rows) < SCAN_ROWS:
                return out
            last = int(rows[-1][0])

    def unchanged(self, signature: object) -> WriteResult | None:
        """What the index holds, if it was last written from this corpus signature."""
        digest = signature_digest(signature)
        if digest is None or self.state is None or self.state.signature != digest:
            return None
        return WriteResult(self.state.articles, stored_size(self.site, self.gen))

    def add(self, article: Article, digest: str) -> None:
        """Write an article (replacing one with the same id)."""
        key = doc_id(article.id)
        if not self.rebuild:
            self.changed[key] = (article, digest)
            self.deleted.discard(key)
            return
        if key in self.written:  # the same id twice in a rebuild: uncount the first one
            self._flush_all()
            for old in self._stored([key]):
                if old.id != article.id:  # 62-bit hashes: about 1 in 10^7 for a million ids
                    raise self._fail(ValueError(f"the ids {old.id!r} and {article.id!r} have the "
                                                "same hash: rename one"))
                self.lexicon.remove(old)
        self.written.add(key)
        self.lexicon.add(article)
        self.keys.add(key, dup_keys(article))
        self._queue(key, self._row(article, digest))

    def delete(self, article_id: str) -> None:
        """Remove an article."""
        key = doc_id(article_id)
        if self.rebuild:
            if key in self.written:
                self._flush_all()
                for old in self._stored([key]):
                    self.lexicon.remove(old)
                self.written.discard(key)
                self.keys.delete(key)
                shard = self.site.topology.shard_of(key)
                self._each_copy(lambda s, t: s.execute(f"DELETE FROM {t} WHERE id = {key}"), [shard])
            return
        self.changed.pop(key, None)
        self.deleted.add(key)

    def commit(self, signature: object) -> WriteResult:
        """Make the write visible: the rows, the lexicon, then the state."""
        if self.rebuild:
            self._flush_all()
            self._set_groups(self.keys.groups())
            lexicon = self.lexicon.build()
        else:
            lexicon = self._apply_update()
        slot = 1 - self.state.lexicon_slot if self.state is not None else 0
        nodes = list(self.sessions.values())
        try:
            pieces, sha = write_lexicon(nodes, self.site.tables, slot, lexicon)
            count = self._count()
            state = State(
                gen=self.gen, version=time.time_ns() // 1000, lexicon_slot=slot,
                lexicon_pieces=pieces, lexicon_sha=sha, articles=count,
                built_at=_now() if self.rebuild or self.state is None else self.state.built_at,
                updated_at=_now(),
                signature=signature_digest(signature))
            write_state(nodes, self.site.tables, state)
        except QLError as err:
            raise self._fail(err) from err
        self.state = state
        self.committed = True
        return WriteResult(count, stored_size(self.site, self.gen))

    def cancel(self) -> None:
        """Drop the write: nothing was made visible (a rebuild's rows are emptied); nothing
        to do once committed."""
        if self.committed:
            return
        self.pending.clear()
        self.changed.clear()
        self.deleted.clear()
        if self.rebuild:
            try:
                self._each_copy(lambda session, table: session.execute(f"TRUNCATE RTINDEX {table}"))
            except Exception:  # noqa: BLE001 - the write failed already: keep its error
                pass

    # -- rows -------------------------------------------------------------------------

    def _row(self, article: Article, digest: str, group: Group | None = None) -> str:
        try:
            return row_sql(article, digest, group)
        except ValueError as err:
            raise self._fail(err) from err

    def _queue(self, key: int, row: str) -> None:
        shard = self.site.topology.shard_of(key)
        self.pending.setdefault(shard, []).append(row)
        self.pending_bytes[shard] = self.pending_bytes.get(shard, 0) + len(row)
        if len(self.pending[shard]) >= BATCH_ROWS or self.pending_bytes[shard] >= BATCH_BYTES:
            self._flush(shard)

    def _flush(self, shard: int) -> None:
        rows = self.pending.pop(shard, [])
        self.pending_bytes.pop(shard, None)
        if not rows:
            return
        if not self.lock.beat():
            raise self._fail(RuntimeError("another writer took the lock over"))
        values = ", ".join(rows)
        self._each_copy(lambda session, table: session.execute(_replace(table, values)), [shard])

    def _flush_all(self) -> None:
        for shard in list(self.pending):
            self._flush(shard)

    def _stored(self, keys: list[int]) -> list[Article]:
        """The stored articles of the generation written with these keys."""
        return list(fetch_articles(self.site, self.gen, keys).values())

    def _set_groups(self, groups: Mapping[int, Group]) -> None:
        """Set the group of these rows (one UPDATE per group and copy of a shard)."""
        by_group: dict[tuple[Group, int], list[int]] = {}
        for key, group in groups.items():
            by_group.setdefault((group, self.site.topology.shard_of(key)), []).append(key)
        for ((grp, dups), shard), keys in sorted(by_group.items()):
            if not self.lock.beat():
                raise self._fail(RuntimeError("another writer took the lock over"))
            change = f"SET grp = {grp}, dups = {dups} WHERE id IN ({', '.join(map(str, sorted(keys)))})"

            def update(session: Session, table: str, change: str = change) -> None:
                session.execute(f"UPDATE {table} {change}")

            self._each_copy(update, [shard])

    def _apply_update(self) -> Lexicon:
        """Write an update's changes, one transaction per copy of each shard, then the groups
        of duplicates its changes moved rows out of or into."""
        replaced = self._stored(sorted(set(self.changed) | self.deleted))
        for old in replaced:
            self.lexicon.remove(old)
        written = {key: dup_keys(article) for key, (article, _digest) in self.changed.items()}
        found = lookup(self.site, self.gen, [*written.values(), *(dup_keys(old) for old in replaced)])
        groups, moved = regroup(found, written, self.deleted)
        by_shard: dict[int, list[str]] = {}
        for key, (article, digest) in self.changed.items():
            self.lexicon.add(article)
            by_shard.setdefault(self.site.topology.shard_of(key), []).append(
                self._row(article, digest, groups[key]))
        gone: dict[int, list[int]] = {}
        for key in self.deleted:
            gone.setdefault(self.site.topology.shard_of(key), []).append(key)
        for shard in sorted(set(by_shard) | set(gone)):
            rows = by_shard.get(shard, [])
            batches = [", ".join(rows[at:at + BATCH_ROWS]) for at in range(0, len(rows), BATCH_ROWS)]
            ids = ", ".join(map(str, gone.get(shard, [])))

            def transaction(session: Session, table: str, batches: list[str] = batches,
                            ids: str = ids) -> None:
                session.execute("BEGIN")
                for values in batches:
                    session.execute(_replace(table, values))
                if ids:
                    session.execute(f"DELETE FROM {table} WHERE id IN ({ids})")
                session.execute("COMMIT")

            self._each_copy(transaction, [shard])
        self._set_groups(moved)
        return self.lexicon.build()

    # -- totals -------------------------------------------------------------------------

    def _count(self) -> int:
        answers = self.site.read(self.gen, lambda table: [Query(f"SELECT COUNT(*) AS n FROM {table}")])
        return int(answers[0].rows[0][0]) if answers[0].rows else 0
