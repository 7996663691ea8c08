"""Synthetic French news archives of any size, recombined from OrangeSum with a fixed seed.

The archive is a stream: article ``i`` depends only on the seed and the articles before it, so
the 36k corpus is the first 36,000 articles of the 360k one. Each article:

- takes a *template* from OrangeSum (records with ``duplicate_of`` skipped; every template once
  per pass, in a new shuffled order each pass): its rubrique (the ``tags``, e.g.
  ``societe/people``), its number of paragraphs, its title, first paragraph, lead, author,
  source and time of day;
- gets a new id (``scale-<seed>-<n>``), a url built from it, and a date drawn over 20 years
  (2005-2024, twice as many articles a day at the end as at the start: archives grow);
- keeps the template's first paragraph (the lead, when it has one), then takes its other
  paragraphs from *other* articles of the same rubrique (a shuffled queue per rubrique, refilled
  when empty, so one pass over the templates uses every paragraph about once, and no two
  paragraphs of an article come from one source article); a quarter of them are spliced: their
  first half of sentences joined to the second half of another paragraph of the rubrique;
- keeps its title, or (one in five, when both have one) joins the part before " : " with the
  part after " : " of another title of the rubrique.

Then a share of the words change, as they do from one year of news to the next: rare proper
names (capitalised, not at a sentence start, in fewer than 0.2 % of the source articles; the
frequent ones, ``France``, ``Macron``, stay) are replaced, consistently within an article,
with probability 0.6, by names drawn from a Pitman-Yor process over coined names (the head of
one real name joined to the tail of another: ``Ma|cron`` + ``Phi|lippe`` -> ``Malippe``), so
the number of distinct names grows as a power (0.8) of the number drawn; years (1950-2030) in
the text move with the article's date; three numbers in ten are redrawn with as many digits;
and one long word in 4,000 gets a typo. The vocabulary therefore keeps growing with the archive,
sublinearly (Heaps' law), instead of stopping at OrangeSum's; `VocabularyGrowth` measures it.

Corpora are cached as ``.jsonl.gz`` in ``$SEARCH_BENCH_CACHE`` (default
``~/.cache/search-fr/scale/``), keyed by generator version, seed and size, with a
``.stats.json`` beside each (vocabulary curve, sizes, seconds). Change any rule or rate above
and bump `GENERATOR_VERSION`.
"""

from __future__ import annotations

import bisect
import gzip
import math
import os
import random
import re
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from bench.common import Record, read_jsonl
from bench.querymix import typo

GENERATOR_VERSION = 1
DEFAULT_SEED = 2024
CACHE_ENV = "SEARCH_BENCH_CACHE"
FIRST_DAY = date(2005, 1, 1)
YEARS = 20
DAYS = (date(FIRST_DAY.year + YEARS, 1, 1) - FIRST_DAY).days
#: A capitalised word found mid-sentence in at least this share of the source articles is kept.
COMMON_NAME_SHARE = 0.002

Rubrique = tuple[str, ...]
_TOKEN = re.compile(r"(?P<num>\b\d+\b)|(?P<name>\b[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{2,}\b)")
_NAME = re.compile(r"\b[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{2,}\b")
_LONG_WORD = re.compile(r"\b[a-zß-öø-ÿ]{7,}\b")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZÀ-ÖØ-Þ])")
_SENTENCE_START = set('.!?…«":\n')
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿ")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Perturbation:
    """How much of the recombined text changes (`EXACT`: none, pure recombination)."""

    rename: float = 0.6
    name_discount: float = 0.8
    name_strength: float = 50.0
    numbers: float = 0.3
    splice: float = 0.25
    title_mix: float = 0.2
    typo_per_word: float = 1 / 4000
    years: bool = True


EXACT = Perturbation(rename=0.0, numbers=0.0, splice=0.0, title_mix=0.0, typo_per_word=0.0, years=False)


@dataclass(frozen=True)
class Template:
    """What a generated article keeps of its source article."""

    id: str
    title: str
    first: str
    paragraphs: int
    has_lead: bool
    tags: Rubrique
    year: int
    clock: str
    source: str | None
    author: Any


@dataclass(frozen=True)
class SourceArchive:
    """OrangeSum prepared for recombination."""

    templates: list[Template]
    #: Rubrique -> (template index, paragraph) of every paragraph but the first.
    pool: dict[Rubrique, list[tuple[int, str]]]
    #: Rubrique -> its titles that hold " : ".
    titles: dict[Rubrique, list[str]]
    #: Capitalised words kept as they are (frequent names, sentence-initial words).
    common: frozenset[str]
    #: Rare names, material for coined ones.
    names: list[str]


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a body (separated by blank lines), stripped, empty ones dropped."""
    return [p.strip() for p in body.split("\n\n") if p.strip()]


def load_source(path: Path) -> SourceArchive:
    """Read OrangeSum (skipping ``duplicate_of`` records) and prepare it for recombination."""
    templates: list[Template] = []
    pool: dict[Rubrique, list[tuple[int, str]]] = {}
    titles: dict[Rubrique, list[str]] = {}
    df: Counter[str] = Counter()
    for record in read_jsonl(path):
        parts = paragraphs(record.get("body") or "")
        if record.get("duplicate_of") or not parts:
            continue
        tags = tuple(record.get("tags") or ("divers",))
        stamp = record.get("date") or ""
        templates.append(
            Template(
                id=record["id"],
                title=record.get("title") or "",
                first=parts[0],
                paragraphs=len(parts),
                has_lead=bool(record.get("lead")),
                tags=tags,
                year=int(stamp[:4]) if stamp[:4].isdigit() else 2018,
                clock=stamp[10:] if len(stamp) > 10 else "T12:00:00+01:00",
                source=record.get("source"),
                author=record.get("author"),
            )
        )
        pool.setdefault(tags, []).extend((len(templates) - 1, p) for p in parts[1:])
        if " : " in templates[-1].title:
            titles.setdefault(tags, []).append(templates[-1].title)
        df.update(_mid_sentence_names(parts))
    floor = COMMON_NAME_SHARE * len(templates)
    common = frozenset(w for w, n in df.items() if n >= floor)
    names = sorted(w for w, n in df.items() if n < floor and len(w) >= 4)
    return SourceArchive(templates, pool, titles, common, names)


def _mid_sentence_names(parts: list[str]) -> set[str]:
    """The capitalised words of some paragraphs that do not begin a sentence."""
    return {m.group() for p in parts for m in _NAME.finditer(p) if not _at_sentence_start(p, m.start())}


def _at_sentence_start(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence (or the text)."""
    i = start - 1
    while i >= 0 and text[i] in " \u00a0\u202f":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_START


class Generated(NamedTuple):
    """A generated article and the ids of the source articles its body paragraphs come from."""

    record: Record
    sources: tuple[str, ...]


class _CoinedNames:
    """A Pitman-Yor process over coined names: distinct names grow as draws ** discount."""

    def __init__(self, rng: random.Random, material: list[str], discount: float, strength: float) -> None:
        self._rng, self._material = rng, material or ["Martin", "Bernard"]
        self._discount, self._strength = discount, strength
        self._names: list[str] = []
        self._draws: list[int] = []

    def draw(self) -> str:
        """A new name with probability (strength + discount * names) / (strength + draws), else a
        name already drawn (in proportion to its draws)."""
        n, k = len(self._draws), len(self._names)
        if self._rng.random() * (self._strength + n) < self._strength + self._discount * k:
            self._names.append(self._coin())
            index = k
        else:
            index = self._draws[self._rng.randrange(n)]
        self._draws.append(index)
        return self._names[index]

    def _coin(self) -> str:
        head = self._rng.choice(self._material)
        tail = self._rng.choice(self._material)
        return head[: _after_first_vowels(head)] + tail[_after_first_vowels(tail) :]


def _after_first_vowels(word: str) -> int:
    """The index just after the first run of vowels past the first letter (2 if none)."""
    i = 1
    while i < len(word) and word[i].lower() not in _VOWELS:
        i += 1
    while i < len(word) and word[i].lower() in _VOWELS:
        i += 1
    return i if 1 < i < len(word) else 2


class ArchiveGenerator:
    """The endless stream of generated articles for one seed (see the module docstring)."""

    def __init__(self, source: SourceArchive, seed: int, perturbation: Perturbation = Perturbation()) -> None:
        self._src, self._seed, self._p = source, seed, perturbation
        self._rng = random.Random(seed)
        self._order: list[int] = []
        self._queues: dict[Rubrique, deque[tuple[int, str]]] = {r: deque() for r in source.pool}
        p = perturbation
        self._names = _CoinedNames(self._rng, source.names, p.name_discount, p.name_strength)
        self._count = 0

    def __iter__(self) -> Iterator[Generated]:
        return self

    def __next__(self) -> Generated:
        rng, p = self._rng, self._p
        if not self._order:
            self._order = list(range(len(self._src.templates)))
            rng.shuffle(self._order)
        index = self._order.pop()
        t = self._src.templates[index]
        self._count += 1
        day = FIRST_DAY + timedelta(days=min(int((math.sqrt(1 + 3 * rng.random()) - 1) * DAYS), DAYS - 1))
        used, parts, sources = {index}, [t.first], [t.id]
        for _ in range(t.paragraphs - 1):
            src, text = self._draw(t.tags, used)
            sources.append(self._src.templates[src].id)
            if rng.random() < p.splice and len(_SENTENCE.split(text)) > 1:
                other, second = self._draw(t.tags, used)
                if joined := _splice(text, second):
                    text = joined
                    sources.append(self._src.templates[other].id)
            parts.append(text)
        title = t.title
        others = self._src.titles.get(t.tags)
        if others and " : " in title and rng.random() < p.title_mix:
            title = title.split(" : ", 1)[0] + " : " + rng.choice(others).split(" : ", 1)[1]
        change = partial(self._perturb, names={}, shift=day.year - t.year)
        title, parts = change(title), [change(part) for part in parts]
        doc_id = f"scale-{self._seed}-{self._count:07d}"
        record: Record = {"id": doc_id, "title": title}
        if t.has_lead:
            record["lead"] = parts[0]
        record["body"] = "\n\n".join(parts)
        record["date"] = day.isoformat() + t.clock
        if t.source:
            record["source"] = t.source
        record["url"] = f"https://actu.example.org/{'/'.join(t.tags)}/{doc_id}.html"
        if t.author is not None:
            record["author"] = t.author
        record["tags"] = list(t.tags)
        return Generated(record, tuple(sources))

    def _draw(self, rubrique: Rubrique, used: set[int]) -> tuple[int, str]:
        """The next paragraph of the rubrique's queue from an article not used yet, if any."""
        queue = self._queues[rubrique]
        item = (0, "")
        for attempt in range(32):
            if not queue or attempt == 16:
                fresh = list(self._src.pool[rubrique])
                self._rng.shuffle(fresh)
                queue.extend(fresh)
            item = queue.popleft()
            if item[0] not in used:
                break
            queue.append(item)
        used.add(item[0])
        return item

    def _perturb(self, text: str, names: dict[str, str], shift: int) -> str:
        """Names, numbers, years and typos changed in one paragraph (``names``: this article's)."""
        rng, p = self._rng, self._p

        def one(m: re.Match[str]) -> str:
            word = m.group()
            if m.lastgroup == "num":
                if p.years and len(word) == 4 and 1950 <= int(word) <= 2030:
                    return str(int(word) + shift)
                if rng.random() < p.numbers:
                    low = 10 ** (len(word) - 1) if word[0] != "0" else 0
                    return str(rng.randrange(low, 10 ** len(word))).zfill(len(word))
                return word
            if word in self._src.common or _at_sentence_start(text, m.start()):
                return word
            if word not in names:
                names[word] = self._names.draw() if rng.random() < p.rename else word
            return names[word]

        text = _TOKEN.sub(one, text)
        if p.typo_per_word and rng.random() < len(text) / 7 * p.typo_per_word:
            long_words = list(_LONG_WORD.finditer(text))
            if long_words:
                m = rng.choice(long_words)
                text = text[: m.start()] + typo(rng, m.group()) + text[m.end() :]
        return text


def _splice(first: str, second: str) -> str | None:
    """The first half of the sentences of ``first`` and the second half of ``second``'s."""
    a, b = _SENTENCE.split(first), _SENTENCE.split(second)
    if len(a) < 2 or len(b) < 2:
        return None
    return " ".join(a[: len(a) // 2] + b[len(b) // 2 :])


class VocabularyGrowth:
    """Distinct words of a growing archive (title and body, lower-case ``\\w+`` tokens).

    `curve` also folds them as the engine does (``search.analysis.fold``: accents, ligatures)
    and stems the folded words (``stem_word``: Snowball French), counting each at the article
    where it first appeared.
    """

    def __init__(self) -> None:
        self.articles = 0
        self.tokens = 0
        self._first: dict[str, int] = {}

    def add(self, record: Record) -> None:
        """Count one article."""
        self.articles += 1
        words = _WORD.findall(f"{record['title']}\n{record['body']}".lower())
        self.tokens += len(words)
        new = set(words).difference(self._first)
        if new:
            self._first.update(dict.fromkeys(new, self.articles))

    def curve(self, points: Sequence[int]) -> list[dict[str, int]]:
        """Distinct words, folded words and stems after each of ``points`` articles."""
        from search.french import fold, stem_word

        folded: dict[str, int] = {}
        for word, first in self._first.items():
            key = fold(word)
            folded[key] = min(first, folded.get(key, first))
        stems: dict[str, int] = {}
        for word, first in folded.items():
            key = stem_word(word)
            stems[key] = min(first, stems.get(key, first))
        firsts = [sorted(d.values()) for d in (self._first, folded, stems)]
        names = ("words", "folded", "stems")
        return [
            {"articles": n, **{k: bisect.bisect_right(f, n) for k, f in zip(names, firsts, strict=True)}}
            for n in points
        ]


@dataclass(frozen=True)
class CorpusInfo:
    """A generated corpus in the cache, and what `generate_corpora` measured of it."""

    path: Path
    stats: dict[str, Any]


def cache_dir() -> Path:
    """Where generated corpora live: ``$SEARCH_BENCH_CACHE`` or ``~/.cache/search-fr/scale``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "search-fr" / "scale"


def corpus_path(cache: Path, seed: int, size: int) -> Path:
    """The cached corpus of ``size`` articles for ``seed`` (this generator version)."""
    return cache / f"orangesum-v{GENERATOR_VERSION}-seed{seed}-{size}.jsonl.gz"


def stats_path(corpus: Path) -> Path:
    """The statistics written beside a generated corpus."""
    return corpus.with_name(corpus.name.replace(".jsonl.gz", ".stats.json"))


def checkpoints(sizes: Sequence[int]) -> list[int]:
    """The sizes plus 1-2-5 steps from 1,000 up to the largest: where the vocabulary is counted."""
    top = max(sizes)
    steps = [m * 10**e for e in range(3, 9) for m in (1, 2, 5) if m * 10**e < top]
    return sorted(set(steps) | set(sizes))


def generate_corpora(
    sizes: Sequence[int],
    *,
    source: Path,
    seed: int = DEFAULT_SEED,
    cache: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[int, CorpusInfo]:
    """Make sure a corpus of each size is in the cache; generate the missing ones in one pass.

    Args:
        sizes: Numbers of articles.
        source: OrangeSum's ``.jsonl.gz``.
        seed: The archive's seed.
        cache: The cache folder (default `cache_dir()`).
        progress: Called with a line of progress now and then.

    Returns:
        Size -> its corpus file and statistics.
    """
    cache = cache or cache_dir()
    wanted = sorted(set(sizes))
    paths = {n: corpus_path(cache, seed, n) for n in wanted}
    missing = [n for n, path in paths.items() if not (path.is_file() and stats_path(path).is_file())]
    if missing:
        _generate(missing, source, seed, cache, progress or (lambda line: None))
    return {n: CorpusInfo(path, orjson.loads(stats_path(path).read_bytes())) for n, path in paths.items()}


def _generate(
    sizes: list[int], source: Path, seed: int, cache: Path, progress: Callable[[str], None]
) -> None:
    """Write the corpora of ``sizes`` (and their statistics) in one pass over the stream."""
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    archive = load_source(source)
    top, growth = max(sizes), VocabularyGrowth()
    temps = {n: corpus_path(cache, seed, n).with_suffix(f".tmp{os.getpid()}") for n in sizes}
    files = {n: gzip.open(temps[n], "wb", compresslevel=1) for n in sizes}
    written, tokens = dict.fromkeys(sizes, 0), dict.fromkeys(sizes, 0)
    try:
        for i, item in enumerate(ArchiveGenerator(archive, seed), start=1):
            line = orjson.dumps(item.record) + b"\n"
            growth.add(item.record)
            for n, fh in list(files.items()):
                fh.write(line)
                written[n] += len(line)
                if i == n:
                    fh.close()
                    del files[n]
                    tokens[n] = growth.tokens
            if i % max(top // 20, 1000) == 0:
                rate = i / (time.perf_counter() - started)
                progress(f"generating {i:,}/{top:,} articles ({rate:,.0f}/s)")
            if i == top:
                break
    finally:
        for fh in files.values():
            fh.close()
    curve = growth.curve(checkpoints(sizes))
    seconds = round(time.perf_counter() - started, 1)
    for n in sizes:
        path = corpus_path(cache, seed, n)
        os.replace(temps[n], path)
        points = [c for c in curve if c["articles"] <= n]
        stats = {
            "articles": n,
            "seed": seed,
            "generator_version": GENERATOR_VERSION,
            "perturbation": asdict(Perturbation()),
            "bytes_json": written[n],
            "bytes_gz": path.stat().st_size,
            "tokens": tokens[n],
            **{k: points[-1][k] for k in ("words", "folded", "stems")},
            "vocabulary_curve": points,
            "generated_s": seconds,
            "generated_articles": top,
            "source_templates": len(archive.templates),
        }
        stats_path(path).write_bytes(orjson.dumps(stats, option=orjson.OPT_INDENT_2))


def parse_size(text: str) -> int:
    """``36k`` -> 36000, ``1.5m`` -> 1500000, ``36152`` -> 36152."""
    text = text.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = float(text[:-1] if scale > 1 else text)
    if number <= 0:
        raise ValueError(f"not a corpus size: {text!r}")
    return round(number * scale)


def main(argv: list[str] | None = None) -> int:
    """Generate (or find in the cache) corpora: ``python -m bench.scale_corpus 36k 360k``."""
    from bench.common import ORANGESUM_CORPUS, shared_dir

    args = argv if argv is not None else sys.argv[1:]
    source = shared_dir() / ORANGESUM_CORPUS
    if not source.is_file():
        print(f"bench.scale_corpus: skipped, no corpus at {source}")
        return 0
    infos = generate_corpora([parse_size(a) for a in args or ["36k"]], source=source, progress=print)
    for n, info in infos.items():
        s = info.stats
        size = s["bytes_gz"] / 2**20
        print(f"{n:>9,} articles  {size:7.1f} MB  words {s['words']:,}  stems {s['stems']:,}  {info.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
