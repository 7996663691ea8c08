"""The query language: a forgiving parser from text to a small syntax tree.

Syntax (French and English keywords):

- words, all required: `réforme retraites`
- `OR`/`OU`, `AND`/`ET`, `NOT`/`SAUF`, `-mot`, `+mot`, parentheses
- `"phrase exacte"`, `"phrase"~3` (words at most 3 positions apart)
- `prefix*`, `mot~` and `mot~2` (typos), `mot^2` (boost)
- fields: `titre:`/`title:`, `corps:`/`body:`, `source:`, `auteur:`/`author:`,
  `rubrique:`/`tag:`, `date:2024`, `date:2024-03`, `date:2024-03-15`,
  `date:[2024-01-01 TO 2024-06-30]` (`À`/`A` also), `date:>=2024-01`, `date:<2023`

The parser never raises: what it cannot read it keeps as plain words, with a notice.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ._query_lexer import FIELD_ALIASES, Lexer, Tok
from .results import Notice

__all__ = [
    "FIELD_ALIASES",
    "DateRange",
    "Group",
    "Negation",
    "Node",
    "Parsed",
    "Phrase",
    "Word",
    "parse",
    "parse_date_bound",
]

#: Longest query text read; the rest is ignored with a notice.
MAX_QUERY_CHARS = 2000
#: Most clauses (words, phrases) read from one query.
MAX_CLAUSES = 64
#: Largest edit distance for fuzzy terms.
MAX_FUZZY = 2

_BOOST = re.compile(r"\^(\d+(?:[.,]\d+)?)$")
_FUZZY = re.compile(r"~(\d*)$")
_SLOP = re.compile(r"~(\d+)")
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass
class Word:
    """A word (or a hyphenated/elided group of words) to match."""

    text: str
    field: str | None = None
    prefix: bool = False
    fuzzy: int | None = None
    boost: float = 1.0
    span: tuple[int, int] = (0, 0)
    required: bool = False  # written +word: never relaxed


@dataclass
class Phrase:
    """Words in this order; `slop` extra positions allowed between them."""

    text: str
    field: str | None = None
    slop: int = 0
    boost: float = 1.0
    span: tuple[int, int] = (0, 0)
    required: bool = False


@dataclass
class DateRange:
    """Articles dated from `start` to `end`, both included (either may be open)."""

    start: datetime | None
    end: datetime | None


@dataclass
class Negation:
    """Articles that do not match `child`."""

    child: Node


@dataclass
class Group:
    """All (`op="and"`) or any (`op="or"`) of the children."""

    op: str
    children: list[Node] = field(default_factory=list)
    explicit: bool = False  # the user wrote AND/ET: no relaxation


Node = Word | Phrase | DateRange | Negation | Group


@dataclass
class Parsed:
    """The syntax tree and the notices met while reading the query."""

    root: Node | None
    notices: list[Notice]


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def parse_date_bound(text: str, *, end: bool) -> datetime | None:
    """Read `2024`, `2024-03` or `2024-03-15` as the first (or, with `end`, the last)
    moment of that period; None if it is not such a date."""
    m = _DATE.match(text.strip())
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    try:
        if not end:
            return datetime(year, month or 1, day or 1)
        if month is None:
            return datetime(year, 12, 31, 23, 59, 59, 999999)
        last = day or _month_end(year, month)
        return datetime(year, month, last) + timedelta(days=1, microseconds=-1)
    except ValueError:
        return None


class _Parser:
    def __init__(self, tokens: list[Tok], notices: list[Notice]) -> None:
        self.toks = tokens
        self.i = 0
        self.notices = notices
        self.clauses = 0
        self.depth = 0

    def peek(self) -> Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def notice(self, code: str, message: str, **params: object) -> None:
        if all(n.code != code for n in self.notices):
            self.notices.append(Notice(code, message, **params))

    def parse(self) -> Node | None:
        node = self.or_expr()
        while self.peek() is not None:  # a stray ")" ends or_expr early: go on after it
            tok = self.take()
            if tok.kind == "rparen":
                self.notice("unbalanced", "unbalanced parentheses: they were ignored")
            more = self.or_expr()
            node = _join("and", node, more)
        return node

    def or_expr(self) -> Node | None:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            parts.append(self.and_expr())
        kept = [p for p in parts if p is not None]
        if len(parts) > 1 and len(kept) < len(parts):
            self.notice("dangling_operator", "an OR has nothing on one side: it was ignored")
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Group("or", kept)

    def and_expr(self) -> Node | None:
        parts: list[Node] = []
        explicit = False
        while (tok := self.peek()) is not None and tok.kind not in ("or", "rparen"):
            if tok.kind == "and":
                self.take()
                explicit = True
                if not parts or self.peek() is None or self.peek().kind in ("or", "rparen", "and"):  # type: ignore[union-attr]
                    self.notice("dangling_operator", "an AND has nothing on one side: it was ignored")
                continue
            node = self.unary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Group("and", parts, explicit)

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok is not None and tok.kind == "not":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("or", "and", "rparen"):
                self.notice("dangling_operator", "a NOT has nothing after it: it was ignored")
                return None
            child = self.unary()
            return Negation(child) if child is not None else None
        return self.primary()

    def primary(self) -> Node | None:
        tok = self.take()
        if tok.kind == "lparen":
            self.depth += 1
            node = self.or_expr() if self.depth < 32 else None
            self.depth -= 1
            if self.peek() is not None and self.peek().kind == "rparen":  # type: ignore[union-attr]
                self.take()
            else:
                self.notice("unbalanced", "unbalanced parentheses: they were ignored")
            return node
        if tok.kind == "field":
            return self.field_value(tok)
        if tok.kind == "range":  # a range with no field before it: read it as words
            return self.leaf(Tok("word", tok.text, tok.start, tok.end))
        return self.leaf(tok)

    def field_value(self, ftok: Tok) -> Node | None:
        name = FIELD_ALIASES[ftok.text]
        tok = self.peek()
        if tok is None or tok.kind not in ("word", "phrase", "range", "lparen") or tok.start > ftok.end + 1:
            self.notice("empty_field", f"the field {ftok.text}: has no value: it was ignored",
                        field=ftok.text)
            return None
        self.take()
        node: Node | None
        if tok.kind == "lparen":
            # a group under a field: each word of it searches that field
            self.i -= 1
            inner = self.primary()
            node = _with_field(inner, name)
        elif name == "date":
            node = self.date_value(tok)
        else:
            node = self.leaf(tok, field_name=name)
        if node is not None and (ftok.neg or tok.neg):
            node = Negation(node)
        return node

    def date_value(self, tok: Tok) -> Node | None:
        text = tok.text.split("\x00")[0].strip()
        if tok.kind == "range":
            parts = re.split(r"\s+(?:TO|À|A|à|a)\s+", text, maxsplit=1)
            lo, hi = (parts[0], parts[1]) if len(parts) == 2 else (text, text)
            start = None if lo.strip() in ("", "*") else parse_date_bound(lo, end=False)
            end = None if hi.strip() in ("", "*") else parse_date_bound(hi, end=True)
            bad = (start is None and lo.strip() not in ("", "*")) or (
                end is None and hi.strip() not in ("", "*"))
            if bad or (start is None and end is None):
                self.notice("bad_date", f"invalid date range [{text}]: ignored (use "
                            "date:[2024-01-01 TO 2024-06-30])", value=text)
                return None
            return DateRange(start, end)
        m = re.match(r"^(>=|<=|>|<)?(.*)$", text)
        op, value = (m.group(1) or "", m.group(2)) if m else ("", text)
        start = parse_date_bound(value, end=False)
        end = parse_date_bound(value, end=True)
        if start is None or end is None:
            self.notice("bad_date", f"invalid date {text!r}: ignored (use date:2024, "
                        "date:2024-03 or date:2024-03-15)", value=text)
            return None
        if op == ">=":
            return DateRange(start, None)
        if op == ">":
            return DateRange(end + timedelta(microseconds=1), None)
        if op == "<=":
            return DateRange(None, end)
        if op == "<":
            return DateRange(None, start - timedelta(microseconds=1))
        return DateRange(start, end)

    def leaf(self, tok: Tok, field_name: str | None = None) -> Node | None:
        if tok.kind not in ("word", "phrase"):
            return None
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            self.notice("too_many_terms", f"the query has more than {MAX_CLAUSES} words: "
                        "the rest were ignored", limit=MAX_CLAUSES)
            return None
        node: Node
        if tok.kind == "phrase":
            body, _, suffix = tok.text.partition("\x00")
            slop_m = _SLOP.search(suffix)
            boost_m = _BOOST.search(suffix)
            node = Phrase(
                body, field_name,
                slop=min(int(slop_m.group(1)), 50) if slop_m else 0,
                boost=_boost(boost_m.group(1)) if boost_m else 1.0,
                span=(tok.start, tok.end),
                required=tok.plus,
            )
        else:
            node = self.word(tok, field_name)
            node.required = tok.plus
        return Negation(node) if tok.neg else node

    def word(self, tok: Tok, field_name: str | None) -> Word:
        text = tok.text
        boost = 1.0
        m = _BOOST.search(text)
        if m:
            boost = _boost(m.group(1))
            text = text[: m.start()]
        fuzzy = None
        m = _FUZZY.search(text)
        if m:
            text = text[: m.start()]
            if m.group(1):
                fuzzy = int(m.group(1))
                if fuzzy > MAX_FUZZY:
                    self.notice("fuzzy_capped", f"typo tolerance ~{fuzzy} is capped at "
                                f"~{MAX_FUZZY}", asked=fuzzy, limit=MAX_FUZZY)
                    fuzzy = MAX_FUZZY
            else:
                fuzzy = -1  # the default distance for the word's length
        prefix = False
        if "*" in text or "?" in text:
            stripped = text.rstrip("*")
            if text.startswith(("*", "?")) or "*" in stripped or "?" in stripped:
                self.notice("wildcard", "only a trailing * is supported (prefix*): other "
                            "wildcards were ignored")
                stripped = stripped.replace("*", "").replace("?", "")
            prefix = text.endswith("*") and bool(stripped)
            text = stripped
        span_end = tok.start + len(text)
        return Word(text, field_name, prefix=prefix, fuzzy=fuzzy if not prefix else None,
                    boost=boost, span=(tok.start, span_end))


def _boost(text: str) -> float:
    return min(max(float(text.replace(",", ".")), 0.0), 100.0)


def _with_field(node: Node | None, name: str) -> Node | None:
    if isinstance(node, Word | Phrase):
        node.field = name
    elif isinstance(node, Negation):
        _with_field(node.child, name)
    elif isinstance(node, Group):
        for child in node.children:
            _with_field(child, name)
    return node


def _join(op: str, a: Node | None, b: Node | None) -> Node | None:
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, Group) and a.op == op:
        a.children.append(b)
        return a
    return Group(op, [a, b])


def parse(text: str) -> Parsed:
    """Parse a query; never raises. Unreadable parts become words, with a notice."""
    notices: list[Notice] = []
    if len(text) > MAX_QUERY_CHARS:
        notices.append(Notice("too_long", f"the query is longer than {MAX_QUERY_CHARS} "
                              "characters: the rest was ignored", limit=MAX_QUERY_CHARS))
        text = text[:MAX_QUERY_CHARS]
    tokens = Lexer(text, notices).tokens()
    root = _Parser(tokens, notices).parse()
    return Parsed(root, notices)
