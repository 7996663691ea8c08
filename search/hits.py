"""From matches to what a reader sees: hits with their snippets and highlights, and
"did you mean" (engine-neutral: built from stored text and the vocabulary)."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .analysis import fold, vocab_analyzer
from .backend import Match, StoredArticle
from .clock import Clock
from .highlight import best_passage, match_spans
from .query_syntax import Group, Node, Word
from .results import Highlight, Hit
from .vocabulary import Vocabulary
from .words import QUESTION_WORDS

__all__ = ["Spelled", "build_hit", "spelled_words", "suggest"]

_VOCAB = vocab_analyzer()  # folded whole words, as in the vocabulary
#: Fields whose values are exact (source, author, tags): never spelled.
_VALUE_FIELDS = ("source", "author", "tags")


def build_hit(stored: StoredArticle, match: Match, terms: AbstractSet[str], snippets: bool) -> Hit:
    """A hit for a stored article: its fields, and with `snippets` the best passage of its
    body and every match of `terms` in its title, lead and body."""
    article = stored.article
    highlights: list[Highlight] = []
    snippet, spans = "", list[tuple[int, int]]()
    if snippets:
        body_spans = match_spans(article.body, terms)
        for name in ("title", "lead"):
            highlights += [Highlight(name, s, e) for s, e, _ in match_spans(getattr(article, name), terms)]
        highlights += [Highlight("body", s, e) for s, e, _ in body_spans]
        snippet, spans = best_passage(article.body, body_spans)
    return Hit(
        id=article.id,
        title=article.title,
        date=article.date,
        source=article.source,
        author=article.author,
        url=article.url,
        tags=article.tags,
        score=round(match.score, 4),
        snippet=snippet,
        snippet_spans=tuple(spans),
        highlights=tuple(highlights),
        all_words=match.all_words,
        lead=article.lead,
    )


@dataclass(frozen=True)
class Spelled:
    """A query word to check against the vocabulary, and where it is in the query."""

    word: str
    start: int
    end: int


def spelled_words(tree: Node | None, *, question: bool = False) -> list[Spelled]:
    """The words of a query that "did you mean" checks: plain words (not negated, not a
    prefix or a typo search, not an exact field value, not a question word of a question),
    as folded vocabulary words with their place in the query."""
    return list(_spelled(tree, question))


def _spelled(node: Node | None, question: bool) -> Iterator[Spelled]:
    if isinstance(node, Group):
        for child in node.children:
            yield from _spelled(child, question)
    elif isinstance(node, Word):
        if node.field in _VALUE_FIELDS or node.prefix or node.fuzzy is not None:
            return
        if question and node.field is None and fold(node.text) in QUESTION_WORDS:
            return  # "combien", "comment"… in a question: like a stop word
        at = node.span[0]
        for vocab, _pos, start, end in _VOCAB.terms(node.text):
            if vocab is not None and vocab.isalpha() and len(vocab) > 2:
                yield Spelled(vocab, at + start, at + end)
    # phrases, date ranges and negated words are not spelled


def suggest(vocab: Vocabulary, text: str, spelled: list[Spelled], total: int,
            clock: Clock | None = None) -> str | None:
    """The query with its rare or unknown words replaced by the closest frequent words of
    the vocabulary, written as in the articles; None when nothing is worth proposing."""
    replacements: list[tuple[int, int, str]] = []
    for word in spelled:
        df = vocab.doc_frequency(word.word)
        if df >= 3 or (df and total):
            continue
        best = _closest(vocab, word.word, df, clock)
        if best is None:
            continue
        display = vocab.form(best)
        written = text[word.start:word.end]
        if written.isupper() and len(written) > 1:
            display = display.upper()
        elif written[:1].isupper():
            display = display[:1].upper() + display[1:]
        replacements.append((word.start, word.end, display))
    if not replacements:
        return None
    out = text
    for start, end, new in sorted(replacements, reverse=True):
        out = out[:start] + new + out[end:]
    return out if out != text else None


def _closest(vocab: Vocabulary, word: str, df: int, clock: Clock | None = None) -> str | None:
    """The most frequent word one (else two) edits away, far more frequent than `word`."""
    for dist in (1, 2):
        if dist == 2 and len(word) < 5:
            break
        cands = [(n, w) for w, n in vocab.within(word, dist, prefix=1, clock=clock)
                 if w != word and n > df * 50]
        if cands:
            return max(cands)[1]
    return None
