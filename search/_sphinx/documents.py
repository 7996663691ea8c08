"""Articles as cluster rows: ids, the folded text sent to the engine, facts, duplicate keys,
stored copies."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import orjson

from ..analysis import FrenchAnalyzer
from ..corpus import Article, duplicate_keys
from ..schema import TEXT_FIELDS
from .nodes import quote

__all__ = [
    "COLUMNS",
    "FACT_ALL",
    "FACT_NONE",
    "FIELDS",
    "KEY_FACTS",
    "STORED",
    "Group",
    "article_from",
    "date_micros",
    "date_tokens",
    "doc_id",
    "dup_keys",
    "fold_text",
    "folded_words",
    "micros_date",
    "row_sql",
    "stored_pieces",
    "value_id",
]

#: Attributes holding the stored copy of an article (JSON, cut in pieces): searchd keeps
#: a string attribute's length in 22 bits (a longer one wraps around, silently).
STORED = ("doc0", "doc1", "doc2", "doc3")
CHUNK_BYTES = 4_000_000
#: The full-text fields of the tables, in order: the text fields searched (`search.schema.TEXT_FIELDS`)
#: and the facts (exact values and dates as words).
FIELDS = (*TEXT_FIELDS, "facts")
#: The columns written for an article, in order.
COLUMNS = ("id", *FIELDS, "aid", "digest", "date", "has_date", "year", "month",
           "source_id", "author_ids", "tag_ids", "dupurl", "dupbody", "grp", "dups", *STORED)
#: The facts naming an article's duplicate keys (`u<dupurl>`, `b<dupbody>`): what a writer
#: looks the copies of an article up by.
KEY_FACTS = ("u", "b")
#: The group of duplicates of a row: the smallest id of its articles, and how many they are.
Group = tuple[int, int]
#: Facts every article holds (a NOT needs something to subtract from) and none holds.
FACT_ALL = "xall"
FACT_NONE = "xnone"

_EPOCH = datetime(1970, 1, 1)
_MASK = (1 << 62) - 1
# the project's chain without stems: tokens, elisions, folding (accents, ligatures, inner
# punctuation), hyphenated compounds joined; stop words kept (the engine drops them)
_FOLD = FrenchAnalyzer(stem=False, stops=False, compounds=True)
_FOLD_QUERY = FrenchAnalyzer(stem=False, stops=True, compounds=True)


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8)
                          .digest(), "big") & _MASK or 1


def doc_id(article_id: str) -> int:
    """The engine's document id of an article: a 62-bit hash of its id."""
    return _hash(article_id)


def value_id(fieldname: str, value: str) -> int:
    """The number standing for an exact value of a field (attributes and facts)."""
    return _hash(f"{fieldname}\x00{value}")


def dup_keys(article: Article) -> tuple[int, int]:
    """An article's duplicate keys (`search.corpus.duplicate_keys`) as numbers: its canonical
    URL's (0: it has none) and its body's."""
    url, body = duplicate_keys(article)
    return (value_id("dupurl", url) if url else 0), value_id("dupbody", body)


def _words(tokenizer: FrenchAnalyzer, text: str) -> tuple[list[str], list[str]]:
    words: list[str] = []
    joined: list[str] = []
    last = -1
    for word, pos, _start, _end in tokenizer.terms(text, mode="index"):
        if word is None:
            continue
        if pos <= last:  # a compound joined, at the position of its first part
            joined.append(word)
        else:
            words.append(word)
            last = pos
    return words, joined


def fold_text(text: str) -> str:
    """The text the engine indexes: the project's folded words in order, then the joined
    hyphenated compounds (`porte-parole` -> `porte parole … porteparole`)."""
    words, joined = _words(_FOLD, text)
    return " ".join(words + joined)


def folded_words(text: str) -> tuple[list[str], list[str]]:
    """The folded words of a query text (stop words out) and its joined compounds."""
    return _words(_FOLD_QUERY, text)


def date_micros(when: datetime) -> int:
    """A date as the engine stores it: microseconds since 1970 (as written, time zone dropped)."""
    return (when.replace(tzinfo=None) - _EPOCH) // timedelta(microseconds=1)


def micros_date(micros: int) -> datetime:
    """The date `date_micros` stored (naive)."""
    return _EPOCH + timedelta(microseconds=micros)


def date_tokens(start: date, end: date, years: Iterable[int]) -> list[str]:
    """Facts covering the days from `start` to `end` (whole years, months, then days), in
    the years the index holds."""
    held = set(years)
    out: list[str] = []
    day = start
    while day <= end:
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= end:
            if day.year in held:
                out.append(f"y{day.year}")
            day = date(day.year + 1, 1, 1)
            continue
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if day.day == 1 and following - timedelta(days=1) <= end:
            if day.year in held:
                out.append(f"m{day.year}{day.month:02d}")
            day = following
            continue
        if day.year in held:
            out.append(f"d{day:%Y%m%d}")
        day += timedelta(days=1)
    return out


def _facts(article: Article, keys: tuple[int, int]) -> str:
    facts = [FACT_ALL, *(f"{prefix}{key}" for prefix, key in zip(KEY_FACTS, keys, strict=True) if key)]
    if article.date is not None:
        d = article.date
        facts += [f"y{d.year}", f"m{d.year}{d.month:02d}", f"d{d:%Y%m%d}"]
    facts += [f"s{value_id('source', article.source)}"] if article.source else []
    facts += [f"a{value_id('author', a)}" for a in article.authors]
    facts += [f"t{value_id('tags', t)}" for t in article.tags]
    return " ".join(facts)


def stored_pieces(article: Article) -> list[str]:
    """The stored copy of an article (JSON), in the pieces of `STORED`.

    Raises:
        ValueError: it is larger than the pieces hold.
    """
    data = orjson.dumps({
        "t": article.title, "b": article.body, "l": article.lead, "s": article.source,
        "a": article.author, "u": article.url, "g": list(article.tags),
        "d": article.date.isoformat() if article.date is not None else None,
    })
    pieces: list[str] = []
    while data:
        cut = min(CHUNK_BYTES, len(data))
        while cut < len(data) and data[cut] & 0xC0 == 0x80:  # not inside a character
            cut -= 1
        pieces.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    if len(pieces) > len(STORED):
        raise ValueError(f"article {article.id!r} is larger than the "
                         f"{len(STORED) * CHUNK_BYTES // 1_000_000} MB a cluster stores")
    return pieces + [""] * (len(STORED) - len(pieces))


def _mva(ids: Iterable[int]) -> str:
    return "(" + ",".join(str(i) for i in sorted(set(ids))) + ")"


def row_sql(article: Article, digest: str, group: Group | None = None) -> str:
    """An article's row, as a SphinxQL tuple of `COLUMNS`, in its `group` of duplicates
    (None: alone).

    Raises:
        ValueError: the article is too large to store.
    """
    when = article.date
    key = doc_id(article.id)
    keys = dup_keys(article)
    grp, dups = group if group is not None else (key, 1)
    values: list[Any] = [
        str(key),
        *(quote(fold_text(getattr(article, name))) for name in TEXT_FIELDS), quote(_facts(article, keys)),
        quote(article.id), quote(digest),
        str(date_micros(when)) if when is not None else "0", "1" if when is not None else "0",
        str(when.year) if when is not None else "0",
        str(when.year * 100 + when.month) if when is not None else "0",
        str(value_id("source", article.source)) if article.source else "0",
        _mva(value_id("author", a) for a in article.authors),
        _mva(value_id("tags", t) for t in article.tags),
        str(keys[0]), str(keys[1]), str(grp), str(dups),
        *(quote(piece) for piece in stored_pieces(article)),
    ]
    return "(" + ", ".join(values) + ")"


def article_from(aid: str, pieces: Sequence[str]) -> Article:
    """Rebuild an article from its id and its stored pieces."""
    data = orjson.loads("".join(pieces))
    when = data.get("d")
    return Article(
        id=aid, title=data["t"], body=data["b"], lead=data.get("l", ""),
        date=datetime.fromisoformat(when) if when else None, source=data.get("s", ""),
        author=data.get("a", ""), url=data.get("u", ""), tags=tuple(data.get("g", ())))
