"""Typo benchmark: does `typo~` (and the typo alone, corrected) find what the word finds?

For N random words of the corpus (5+ letters, in 10+ articles, not function words), one
typo is injected (two neighbour letters swapped, or one letter deleted; never a word of
the index). For each: the overlap of the top 10 of `typo~` with the top 10 of the word, and
whether the first hit of `typo~` is among the word's top 10; the same for the typo typed
without `~` (the engine corrects a word it does not hold).

Example: ``python -m bench.typos --index /tmp/os-index`` (an index of OrangeSum), or
``python -m bench.typos`` to build one from the shared corpus first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import orjson

from bench.common import ORANGESUM_CORPUS, console, shared_dir

DEFAULT_JSON = Path(__file__).resolve().parent / "results" / "typos.json"
SEED = 15


def pick_words(vocab: Any, n: int, seed: int = SEED) -> list[str]:
    """`n` random words of the vocabulary that a typo test can use (fixed seed)."""
    from search.spelling import FUNCTION_WORDS

    usable = [w for w, df in zip(vocab.words, vocab.df, strict=True)
              if len(w) >= 5 and df >= 10 and w.isalpha() and w not in FUNCTION_WORDS]
    return sorted(random.Random(seed).sample(usable, min(n, len(usable))))


#: The kinds of typo injected: two neighbour letters swapped, a letter deleted (the issue's
#: benchmark); `--kinds` adds a letter replaced or inserted (a letter of a-z).
KINDS = ("swap", "delete", "replace", "insert")


def inject(word: str, vocab: Any, rng: random.Random, kinds: tuple[str, ...] = KINDS[:2]) -> str | None:
    """`word` with one typo of one of `kinds` that is not itself a word of the index; None
    when none can be made."""
    for _ in range(20):
        i = rng.randrange(len(word) - 1)
        kind = rng.choice(kinds)
        letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
        typo = {"swap": word[:i] + word[i + 1] + word[i] + word[i + 2:],
                "delete": word[:i] + word[i + 1:],
                "replace": word[:i] + letter + word[i + 1:],
                "insert": word[:i] + letter + word[i:]}[kind]
        if typo != word and not vocab.doc_frequency(typo):
            return typo
    return None


def measure(ix: Any, words: list[str], seed: int = SEED,
            kinds: tuple[str, ...] = KINDS[:2]) -> dict[str, Any]:
    """The overlap and first-hit figures of `typo~` and of the typo alone, per word and overall."""
    vocab = ix.backend.snapshot
    with vocab() as snap:
        vocabulary = snap.vocabulary()
    rng = random.Random(seed)
    rows = []
    for word in words:
        typo = inject(word, vocabulary, rng, kinds)
        if typo is None:
            continue
        exact = [h.id for h in ix.search(word, limit=10, snippets=False, facets=False).hits]
        if not exact:
            continue
        row: dict[str, Any] = {"word": word, "typo": typo}
        for name, query in (("fuzzy", typo + "~"), ("corrected", typo)):
            got = [h.id for h in ix.search(query, limit=10, snippets=False, facets=False).hits]
            row[name] = {"overlap": len(set(got) & set(exact)) / len(exact),
                         "first_hit": bool(got) and got[0] in exact}
        rows.append(row)
    summary = {name: {"overlap": round(statistics.fmean(r[name]["overlap"] for r in rows), 4),
                      "first_hit": round(statistics.fmean(r[name]["first_hit"] for r in rows), 4)}
               for name in ("fuzzy", "corrected")} if rows else {}
    return {"words": len(rows), "seed": seed, "kinds": list(kinds), "summary": summary, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the exit status."""
    p = argparse.ArgumentParser(prog="python -m bench.typos", description=__doc__)
    p.add_argument("--index", type=Path, help="an existing index (else OrangeSum is indexed first)")
    p.add_argument("-n", "--words", type=int, default=150, help="words tested (default 150)")
    p.add_argument("--kinds", default="swap,delete", help="typos injected: " + ",".join(KINDS))
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results")
    args = p.parse_args(argv)
    kinds = tuple(args.kinds.split(","))
    if not set(kinds) <= set(KINDS):
        p.error(f"--kinds: choose among {', '.join(KINDS)}")
    from search import Index

    with tempfile.TemporaryDirectory(prefix="bench-typos-") as tmp:
        if args.index is not None:
            ix = Index.open(args.index)
        else:
            corpus = shared_dir() / ORANGESUM_CORPUS
            if not corpus.exists():
                print(f"bench.typos: skipped, no corpus at {corpus} (set SEARCH_SHARED)")
                return 0
            ix = Index.rebuild(corpus, Path(tmp) / "index")
        with ix:
            with ix.backend.snapshot() as snap:
                words = pick_words(snap.vocabulary(), args.words)
            result = measure(ix, words, kinds=kinds)
    out = console()
    for name, figures in result["summary"].items():
        query = "typo~" if name == "fuzzy" else "typo (corrected)"
        out.print(f"{query}: top-10 overlap with the word's {figures['overlap']:.3f}, first hit among "
                  f"the word's top 10 {figures['first_hit']:.1%} ({result['words']} words, "
                  f"typos: {', '.join(kinds)})")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
