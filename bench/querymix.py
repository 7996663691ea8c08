"""Deterministic inputs of the speed benchmark: the query mix and the incremental changes."""

from __future__ import annotations

import calendar
import gzip
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from bench.common import Record, query_words

MIX_SEED = 42
CHANGES_SEED = 43
#: Query kinds, in table order.
KINDS = (
    "word",
    "two_words",
    "three_words",
    "phrase",
    "prefix",
    "fuzzy",
    "field",
    "date",
    "long",
)
_LETTERS = re.compile(r"[^\W\d_]+")
# Frequent function words of five letters or more: not what anyone searches for alone.
_COMMON = frozenset(
    "alors après aussi autre autres avait avant avoir celle celui cette comme contre depuis"
    " dont encore entre était leurs moins notre pendant quand selon toute toutes toujours"
    " votre".split()
)


@dataclass(frozen=True)
class MixQuery:
    """One query of the speed mix, in neutral form; each system translates it to its syntax.

    ``kind`` is one of `KINDS`; ``terms`` are lower-case words (for ``long``: the
    original title as one string); ``month`` is ``YYYY-MM`` for the ``date`` kind.
    """

    kind: str
    terms: tuple[str, ...]
    month: str | None = None


def month_bounds(month: str) -> tuple[str, str]:
    """First and last day of a ``YYYY-MM`` month, as ``YYYY-MM-DD`` strings."""
    year, mon = (int(p) for p in month.split("-"))
    return f"{month}-01", f"{month}-{calendar.monthrange(year, mon)[1]:02d}"


def lucene_syntax(q: MixQuery, *, field: str, fuzzy: str) -> str:
    """Query syntax shared by Lucene-like parsers (Whoosh, tantivy, the project) for most kinds.

    Args:
        q: The mix query.
        field: The name the syntax uses for the title field.
        fuzzy: The suffix that makes a term fuzzy.

    Returns:
        The query text.
    """
    if q.kind == "phrase":
        return '"' + " ".join(q.terms) + '"'
    if q.kind == "prefix":
        return q.terms[0] + "*"
    if q.kind == "fuzzy":
        return q.terms[0] + fuzzy
    if q.kind == "field":
        return f"{field}:{q.terms[0]}"
    if q.kind == "long":
        return " ".join(query_words(q.terms[0]))
    return " ".join(q.terms)


def content_words(text: str) -> list[str]:
    """Lower-cased words of five letters or more (letters only), minus common function words."""
    words = (w.lower() for w in _LETTERS.findall(text))
    return [w for w in words if len(w) >= 5 and w not in _COMMON]


def typo(rng: random.Random, word: str) -> str:
    """Replace one inner letter by another: a one-edit misspelling."""
    pos = rng.randrange(1, len(word) - 1)
    letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[pos]])
    return word[:pos] + letter + word[pos + 1 :]


def _one(rng: random.Random, kind: str, record: Record) -> MixQuery | None:
    """One query of ``kind`` drawn from ``record``, or None if the record does not fit."""
    title = record.get("title") or ""
    words = content_words(title)
    if kind == "long":
        return MixQuery(kind, (title,)) if len(words) >= 4 else None
    if kind in ("two_words", "three_words"):
        n = 2 if kind == "two_words" else 3
        if len(words) < n:
            return None
        picks = sorted(rng.sample(range(len(words)), n))
        return MixQuery(kind, tuple(words[i] for i in picks))
    if kind == "phrase":
        tokens = [w.lower() for w in _LETTERS.findall(title)]
        pairs = [p for p in zip(tokens, tokens[1:], strict=False) if min(map(len, p)) >= 4]
        return MixQuery(kind, rng.choice(pairs)) if pairs else None
    long_words = [w for w in words if len(w) >= 6]
    if kind in ("prefix", "fuzzy"):
        if not long_words:
            return None
        word = rng.choice(long_words)
        term = word[: rng.randint(3, 5)] if kind == "prefix" else typo(rng, word)
        return MixQuery(kind, (term,))
    if not words:
        return None
    if kind == "date":
        date = record.get("date") or ""
        return MixQuery(kind, (rng.choice(words),), month=date[:7]) if date else None
    return MixQuery(kind, (rng.choice(words),))  # word, field


def build_mix(records: list[Record], per_kind: int, seed: int = MIX_SEED) -> list[MixQuery]:
    """Build a fixed query mix from the corpus itself: ``per_kind`` queries of every kind.

    Args:
        records: The corpus records (title and date are used).
        per_kind: Queries per kind.
        seed: Random seed; the same records and seed give the same mix.

    Returns:
        The mix, grouped by kind in `KINDS` order.
    """
    rng = random.Random(seed)
    mix: list[MixQuery] = []
    for kind in KINDS:
        made = 0
        while made < per_kind:
            query = _one(rng, kind, rng.choice(records))
            if query is not None:
                mix.append(query)
                made += 1
    return mix


@dataclass(frozen=True)
class ChangePlan:
    """Which records an incremental update changes (positions, sorted) and copies as new ones."""

    changed: list[int]
    new_from: list[int]


def plan_changes(count: int, *, changed: int, new: int, seed: int = CHANGES_SEED) -> ChangePlan:
    """Choose, among ``count`` records, ``changed`` to modify and ``new`` to copy as new records."""
    rng = random.Random(seed)
    return ChangePlan(sorted(rng.sample(range(count), changed)), rng.sample(range(count), new))


_NOTE = "\n\nMise à jour : la rédaction a complété cet article."


def changed_record(record: Record) -> Record:
    """A modified version of a record (same id; title and body changed)."""
    return {**record, "title": record["title"] + " (mis à jour)", "body": record["body"] + _NOTE}


def new_record(record: Record, n: int) -> Record:
    """The ``n``-th new record: a copy of ``record`` with a fresh id and url, body modified."""
    base = {k: v for k, v in record.items() if k != "duplicate_of"}
    url = (base.get("url") or "https://example.org/") + f"#bench-new-{n}"
    return {**base, "id": f"bench-new-{n}", "url": url, "body": base["body"] + _NOTE}


def make_changes(
    records: list[Record], *, changed: int = 100, new: int = 100, seed: int = CHANGES_SEED
) -> list[Record]:
    """Modified versions of ``changed`` records and ``new`` records with fresh ids.

    Args:
        records: The corpus records.
        changed: How many existing records to modify (title and body).
        new: How many new records to add (text copied from others, then modified).
        seed: Random seed.

    Returns:
        The changed records, then the new ones.
    """
    plan = plan_changes(len(records), changed=changed, new=new, seed=seed)
    out = [changed_record(records[i]) for i in plan.changed]
    return out + [new_record(records[i], n) for n, i in enumerate(plan.new_from)]


def apply_changes(records: list[Record], changes: list[Record]) -> list[Record]:
    """The corpus after ``changes``: modified records replaced in place, new ones appended."""
    by_id = {r["id"]: r for r in changes}
    known = {r["id"] for r in records}
    return [by_id.get(r["id"], r) for r in records] + [r for r in changes if r["id"] not in known]


def write_jsonl_gz(records: Iterable[Record], path: Path) -> None:
    """Write records as gzipped JSON lines."""
    with gzip.open(path, "wb", compresslevel=1) as fh:
        for record in records:
            fh.write(orjson.dumps(record) + b"\n")
