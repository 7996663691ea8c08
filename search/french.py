"""French words the analysis needs, and the steps it applies to one word.

- the function words dropped from the index (the stop list: Snowball's French list less
  the verb forms that are news words; the README's "How the French analysis works" has the
  table of what changed and why), compared as written and as typed without accents;
- plurals Snowball leaves apart from their singular (`travaux` -> `travail`);
- `fold` (case, accents, ligatures, inner punctuation) and `stem_word` (Snowball French).

`search.analysis` runs the chain over text (tokens, elisions, compounds) with these.
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType
from typing import Any

import Stemmer
from unidecode import unidecode

__all__ = [
    "APOSTROPHES",
    "DECIMAL_NUMBER",
    "HYPHENS",
    "IRREGULAR_PLURALS",
    "STOP_WORDS",
    "fold",
    "is_stop_word",
    "stem_word",
]

#: The apostrophes of French text (', ’, ʼ), and the hyphens inside words (-, U+2010, U+2011),
#: as characters of a regular expression's set.
APOSTROPHES = "'\u2019\u02bc"
HYPHENS = "\\-\u2010\u2011"

#: A decimal number as written in French or English (`7,5`, `1.000.000`): folded with one dot.
DECIMAL_NUMBER = re.compile(r"\d+(?:[.,]\d+)+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

#: French function words: articles, determiners, pronouns, prepositions, conjunctions, and
#: the forms of être and avoir, as written (accents kept). Snowball's French list, less
#: the words that are also news words (the README's "How the French analysis works" has
#: the table): avions (planes), sommes (sums), pas (step: *pas de tir*), ton (tone),
#: son (sound), est (east), été (summer), fût (barrel), as (ace), ayants (*ayants droit*);
#: plus où, a, là, dès, nôtre, vôtre (the list held them only through accent folding) and ça.
_FUNCTION_WORDS = """
au aux avec ce ces dans de des du elle en et eux il ils je la le les leur leurs lui ma mais
me même mes moi mon ne nos notre nous on ou où par pour qu que qui sa se ses sur ta te tes
toi tu un une vos votre vous c d j l à m n s t y ça là dès nôtre nôtres vôtre vôtres
étée étées étant étante étants étantes suis es êtes sont serai seras sera serons serez
seront serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes
fûtes furent sois soit soyons soyez soient fusse fusses fussions fussiez fussent
ayant ayante ayantes eu eue eues eus a ai avons avez ont aurai auras aura aurons aurez
auront aurais aurait aurions auriez auraient avais avait aviez avaient eut eûmes eûtes
eurent aie aies ait ayons ayez aient eusse eusses eût eussions eussiez eussent
ceci cela celà cet cette ici quel quels quelle quelles sans soi
"""

#: The stop words as a lower-case token is compared with them: as written, and as typed
#: without accents (`etaient`). A word that differs from a stop word only by its accents
#: is not one: *maïs* (corn) is indexed, *mais* (but) is not; *fût* (barrel) is, *fut* is not.
_STOP_FORMS: frozenset[str] = frozenset(
    {w for w in _FUNCTION_WORDS.split()} | {unidecode(w) for w in _FUNCTION_WORDS.split()})

#: The stop words, folded like index terms (a word whose folded form is here may still be
#: indexed when written with other accents: see `is_stop_word`).
STOP_WORDS: frozenset[str] = frozenset(unidecode(w) for w in _FUNCTION_WORDS.split())


def is_stop_word(word: str) -> bool:
    """Whether a token (one word, elision stripped) is a function word dropped from the index:
    its lower-case form, accents kept, is a stop word as written or typed without accents."""
    lower = word.lower()
    if not lower.isascii():
        lower = unicodedata.normalize("NFC", lower)
    return lower in _STOP_FORMS


#: Plurals Snowball leaves apart from their singular (folded forms).
_IRREGULAR = {
    "jeux": "jeu", "enjeux": "enjeu", "feux": "feu", "lieux": "lieu", "milieux": "milieu",
    "voeux": "voeu", "neveux": "neveu", "cheveux": "cheveu", "dieux": "dieu", "adieux": "adieu",
    "aveux": "aveu", "pieux": "pieu", "essieux": "essieu", "cieux": "ciel", "yeux": "oeil",
    "aieux": "aieul", "travaux": "travail", "vitraux": "vitrail", "coraux": "corail",
    "baux": "bail", "emaux": "email", "soupiraux": "soupirail", "vantaux": "vantail",
}
#: The same, read-only, for the engines that take a list of word forms (Sphinx `wordforms`).
IRREGULAR_PLURALS = MappingProxyType(_IRREGULAR)


def fold(word: str) -> str:
    """Fold one token: lower case, accents and ligatures to ASCII, inner punctuation out.

    Decimal numbers keep one dot (`7,5` -> `7.5`); other punctuation is removed
    (`aujourd’hui` -> `aujourdhui`, `I.A.` -> `ia`).
    """
    if DECIMAL_NUMBER.fullmatch(word):
        return word.replace(",", ".")
    text = word if word.isascii() else unidecode(word)
    return _NOT_ALNUM.sub("", text.lower())


_stemmers: dict[str, Any] = {}


def stem_word(folded: str) -> str:
    """Stem a folded word (irregular plurals first, then Snowball French)."""
    if not folded.isalpha():
        return folded
    folded = _IRREGULAR.get(folded, folded)
    stemmer = _stemmers.get("fr")
    if stemmer is None:
        stemmer = _stemmers["fr"] = Stemmer.Stemmer("french")
    stemmed: str = stemmer.stemWord(folded)
    return stemmed
