"""The query language's lexer: the text of a query as tokens (words, phrases, operators,
fields, ranges); it never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .results import Notice

__all__ = ["AND", "FIELD_ALIASES", "NOT", "OR", "Lexer", "Tok"]

#: Field names a user may type, to the field they search.
FIELD_ALIASES = {
    "titre": "title", "title": "title",
    "corps": "body", "body": "body", "texte": "body",
    "chapo": "lead", "chapeau": "lead", "chapô": "lead", "lead": "lead",
    "source": "source",
    "auteur": "author", "author": "author",
    "rubrique": "tags", "tag": "tags", "tags": "tags",
    "date": "date",
}

OR = {"OR", "OU", "||"}
AND = {"AND", "ET", "&&"}
NOT = {"NOT", "SAUF"}
_SPECIAL = '()"'


@dataclass
class Tok:
    kind: str  # word, phrase, lparen, rparen, or, and, not, field, range
    text: str
    start: int
    end: int
    neg: bool = False
    plus: bool = False


class Lexer:
    def __init__(self, text: str, notices: list[Notice]) -> None:
        self.text = text
        self.notices = notices

    def tokens(self) -> list[Tok]:
        text = self.text
        out: list[Tok] = []
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c.isspace():
                i += 1
                continue
            if c in "([{" and out and out[-1].kind == "field" and out[-1].end == i and c != "(":
                close = "]" if c == "[" else "}"
                j = text.find(close, i + 1)
                if j < 0:
                    self.notices.append(Notice(
                        "unclosed_range", "the date range is not closed with ']'; read to the end"))
                    j = n
                out.append(Tok("range", text[i + 1:j], i, min(j + 1, n)))
                i = j + 1
                continue
            if c == "(":
                out.append(Tok("lparen", c, i, i + 1))
                i += 1
                continue
            if c == ")":
                out.append(Tok("rparen", c, i, i + 1))
                i += 1
                continue
            neg = plus = False
            if c in "-+" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] not in "-+)":
                neg, plus = c == "-", c == "+"
                i += 1
                c = text[i]
            if c == '"':
                j = text.find('"', i + 1)
                if j < 0:
                    self.notices.append(Notice(
                        "unclosed_quote", "a quote is not closed: its words are searched one by one"))
                    out.append(Tok("word", text[i + 1:], i + 1, n, neg))
                    break
                end = j + 1
                m = re.match(r"(?:~\d+)?(?:\^\d+(?:[.,]\d+)?)?", text[end:])
                suffix = m.group() if m else ""
                out.append(Tok("phrase", text[i + 1:j] + "\x00" + suffix, i, end + len(suffix),
                                neg, plus))
                i = end + len(suffix)
                continue
            j = i
            while j < n and not text[j].isspace() and text[j] not in _SPECIAL:
                j += 1
            word = text[i:j]
            if not word:  # a lone "-" or "+" before a special character
                i += 1
                continue
            name, colon, rest = word.partition(":")
            if colon and name.lower() in FIELD_ALIASES:
                out.append(Tok("field", name.lower(), i, i + len(name) + 1, neg))
                i = i + len(name) + 1
                continue
            if colon and name.isalpha() and rest:
                self.notices.append(Notice(
                    "unknown_field", f"unknown field {name!r}: searched as words", field=name))
            if not neg and word in OR:
                out.append(Tok("or", word, i, j))
            elif not neg and word in AND:
                out.append(Tok("and", word, i, j))
            elif not neg and word in NOT:
                out.append(Tok("not", word, i, j))
            else:
                out.append(Tok("word", word, i, j, neg, plus))
            i = j
        return out
