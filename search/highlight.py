"""Match spans in the original text, and the best passage of a body as a snippet."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from .analysis import FrenchAnalyzer, shared_analyzer

__all__ = ["SNIPPET_CHARS", "best_passage", "match_spans"]

#: About how long a snippet is, in characters.
SNIPPET_CHARS = 300
#: Highlights are computed over at most this many characters of a body.
MAX_HIGHLIGHT_CHARS = 200_000

_analyzer: FrenchAnalyzer = shared_analyzer()
_SPACE_RUN = re.compile(r"\s{2,}|[\n\t\r]")


def match_spans(text: str, terms: AbstractSet[str]) -> list[tuple[int, int, str]]:
    """Spans of `text` whose analysed term is in `terms`: (start, end, term), sorted,
    overlaps merged (a hyphenated compound and its parts give one span)."""
    if not terms or not text:
        return []
    spans = _analyzer.spans(text[:MAX_HIGHLIGHT_CHARS], terms)
    if not spans:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end, term in spans[1:]:
        last = merged[-1]
        if start < last[1]:
            if end > last[1]:
                merged[-1] = (last[0], end, last[2])
            continue
        merged.append((start, end, term))
    return merged


def _cut_start(text: str, pos: int, floor: int) -> int:
    """Move a passage start back to a sentence start (else a word start) not before `floor`."""
    for i in range(pos, floor - 1, -1):
        if i == 0 or text[i - 1] == "\n" or (text[i - 1] == " " and i >= 2 and text[i - 2] in ".!?…"):
            return i
    for i in range(pos, floor - 1, -1):
        if text[i - 1].isspace():
            return i
    return pos


def _cut_end(text: str, pos: int, minimum: int) -> int:
    """Move a passage end back to a word end, not before `minimum`."""
    if pos >= len(text):
        return len(text)
    for i in range(pos, max(pos - 40, minimum) - 1, -1):
        if text[i].isspace():
            return i
    return max(pos, minimum)


def best_passage(
    text: str, spans: list[tuple[int, int, str]], size: int = SNIPPET_CHARS
) -> tuple[str, list[tuple[int, int]]]:
    """Pick the passage of about `size` characters with the most distinct matched terms
    (then the most matches), cut at word boundaries.

    Returns the passage (with "…" where the text was cut, newlines as spaces) and the
    spans of the matches inside it.
    """
    if not text:
        return "", []
    best_start, best_score = 0, (-1, -1, 0)
    for i, (start, _end, _term) in enumerate(spans):
        limit = start + size - 60
        distinct: set[str] = set()
        count = 0
        for _s, e, term in spans[i:]:
            if e > limit:
                break
            distinct.add(term)
            count += 1
        score = (len(distinct), count, -start)
        if score > best_score:
            best_score, best_start = score, start
    first_end = 0
    if spans:
        first_end = next(e for s, e, _ in spans if s == best_start)
        floor = max(0, best_start - 80, first_end - size + 10)
        begin = _cut_start(text, best_start, min(floor, best_start))
    else:
        begin = 0
    end = _cut_end(text, begin + size, first_end)
    lead = "…" if begin > 0 else ""
    tail = "…" if end < len(text) else ""
    body, shift = _squash(text[begin:end])
    inner = [
        (len(lead) + shift(s - begin), len(lead) + shift(e - begin))
        for s, e, _ in spans if s >= begin and e <= end
    ]
    return lead + body + tail, inner


def _squash(text: str) -> tuple[str, Callable[[int], int]]:
    """Collapse white space runs to one space; return the text and an offset mapper."""
    pieces: list[str] = []
    marks: list[tuple[int, int]] = [(0, 0)]  # (original offset, squashed offset)
    pos = out = 0
    for m in _SPACE_RUN.finditer(text):
        pieces.append(text[pos:m.start()])
        out += m.start() - pos
        pieces.append(" ")
        out += 1
        pos = m.end()
        marks.append((pos, out))
    pieces.append(text[pos:])
    starts = [a for a, _ in marks]

    def shift(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        a, b = marks[i]
        return b + offset - a

    return "".join(pieces).rstrip(), shift
