"""From matches to what a reader sees: hits with their snippets and highlights, and the
query's spelling corrected (engine-neutral: built from stored text and the vocabulary)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .analysis import vocab_analyzer
from .backend import Match, StoredArticle
from .clock import Clock
from .corpus import Article
from .french import fold
from .highlight import best_passage, match_spans
from .query_syntax import Group, Node, Phrase, Word
from .results import Highlight, Hit
from .spelling import correction, is_known
from .vocabulary import Vocabulary
from .words import QUESTION_WORDS

__all__ = ["Spelled", "build_hit", "corrected", "spelled_words"]

_VOCAB = vocab_analyzer()  # folded whole words, as in the vocabulary
#: Fields whose values are exact (source, author, tags): never spelled.
_VALUE_FIELDS = ("source", "author", "tags")


def build_hit(stored: StoredArticle, match: Match, terms: AbstractSet[str], snippets: bool,
              duplicates: Sequence[Article] = ()) -> Hit:
    """A hit for a stored article: its fields, and with `snippets` the best passage of its
    body and every match of `terms` in its title, lead and body; `duplicates` are the
    copies it stands for."""
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
        authors=article.authors,
        lead=article.lead,
        duplicates=tuple(d.id for d in duplicates),
        also_in=tuple(dict.fromkeys(t for d in duplicates for t in d.tags if t not in article.tags)),
    )


@dataclass(frozen=True)
class Spelled:
    """A query word to check against the vocabulary, and where it is in the query;
    `quoted`: written in quotes, to be searched as typed (never corrected, only suggested);
    `in_or`: one of the alternatives of an OR, which other words can match (only suggested)."""

    word: str
    start: int
    end: int
    quoted: bool = False
    in_or: bool = False


def spelled_words(tree: Node | None, *, question: bool = False, text: str = "") -> list[Spelled]:
    """The words of a query that spelling checks: plain and quoted words (not negated, not
    a prefix or a typo search, not in `field:value`, not a question word of a question),
    as folded vocabulary words with their place in the query `text`."""
    return list(_spelled(tree, question, text, False))


def _spelled(node: Node | None, question: bool, text: str, in_or: bool) -> Iterator[Spelled]:
    if isinstance(node, Group):
        for child in node.children:
            yield from _spelled(child, question, text, in_or or node.op == "or")
    elif isinstance(node, Word | Phrase):
        if node.field in _VALUE_FIELDS or ":" in node.text:
            return  # exact values, and an unknown field's value (`id:orangesum-35447`)
        if isinstance(node, Word) and (node.prefix or node.fuzzy is not None):
            return
        if question and node.field is None and fold(node.text) in QUESTION_WORDS:
            return  # "combien", "comment"… in a question: like a stop word
        at = node.span[0]
        quoted = isinstance(node, Phrase)
        if quoted:  # the words start after the quote
            found = text.find(node.text, at, node.span[1]) if text else -1
            if found < 0:
                return
            at = found
        for vocab, _pos, start, end in _VOCAB.terms(node.text):
            if vocab is not None and vocab.isalpha() and len(vocab) > 2:
                yield Spelled(vocab, at + start, at + end, quoted, in_or)
    # date ranges and negated words are not spelled


def corrected(vocab: Vocabulary, text: str, spelled: Iterable[Spelled],
              clock: Clock | None = None) -> str | None:
    """The query `text` with each of the `spelled` words that the index does not hold
    replaced by its correction (`search.spelling.correction`), written as in the articles
    and cased as typed; None when no word needs one or none has one."""
    replacements: list[tuple[int, int, str]] = []
    for word in spelled:
        if is_known(vocab, word.word):
            continue
        best = correction(vocab, word.word, clock)
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
