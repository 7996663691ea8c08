"""The French analyzer: a golden table of equivalent forms, exact tokens and offsets."""

from __future__ import annotations

import pickle

import pytest

from search._whoosh.fields import FrenchTokenizer
from search.analysis import FrenchAnalyzer, analyze, index_analyzer
from search.french import STOP_WORDS, fold, is_stop_word


def terms(text: str, mode: str = "query") -> list[str]:
    return [t.text for t in analyze(text, mode=mode)]


# Every group must give the same terms, whatever the form typed or written.
GOLDEN = [
    ["Élysée", "ELYSEE", "elysee", "élysée"],
    ["électricité", "electricite", "ÉLECTRICITÉ"],
    ["reçu", "recu", "REÇU"],
    ["œuvre", "oeuvre", "ŒUVRE", "Oeuvre"],
    ["cœur", "coeur", "CŒUR"],
    ["ex æquo", "ex aequo"],
    ["l’avion", "l'avion", "lʼavion", "avion", "L’AVION"],
    ["d’État", "d'état", "état", "Etat"],
    ["aujourd’hui", "aujourd'hui", "aujourdʼhui", "Aujourd’hui"],
    ["élection", "élections", "election", "elections"],
    ["retraite", "retraites", "Retraites"],
    ["cheval", "chevaux"],
    ["journal", "journaux"],
    ["français", "française", "francais", "françaises"],
    ["exprimer", "exprimé", "exprime"],
    ["jeu", "jeux"],
    ["enjeu", "enjeux"],
    ["travail", "travaux"],
    ["SNCF", "sncf", "Sncf"],
    ["I.A.", "IA", "ia"],
    ["xAI", "XAI", "xai"],
]


@pytest.mark.parametrize("group", GOLDEN, ids=lambda g: g[0])
def test_golden_forms_give_the_same_terms(group: list[str]) -> None:
    expected = terms(group[0])
    assert expected, f"{group[0]!r} gave no term"
    for form in group[1:]:
        assert terms(form) == expected, form


def test_exact_terms_of_a_sentence() -> None:
    text = "L’Élysée a reçu jusqu’à 7,5 % d’électricité aujourd’hui, lorsqu’on l’a su."
    assert terms(text) == ["elyse", "recu", "7.5", "electricit", "aujourdhui", "su"]


def test_offsets_point_into_the_original_text() -> None:
    text = "Le porte‑parole d’État reçoit « l’œuvre » aujourd’hui"
    got = [(t.text, text[t.start:t.end]) for t in analyze(text)]
    assert got == [
        ("port", "porte"),
        ("parol", "parole"),
        ("etat", "État"),
        ("recoit", "reçoit"),
        ("oeuvr", "œuvre"),
        ("aujourdhui", "aujourd’hui"),
    ]


def test_elisions_are_stripped_from_the_span() -> None:
    for text, word in [("qu’il chante", "chante"), ("jusqu’à Lyon", "Lyon"),
                       ("lorsqu’on part", "part"), ("puisqu’elle vient", "vient"),
                       ("s’est fait", "fait"), ("c’était l’été", "été")]:
        spans = [text[t.start:t.end] for t in analyze(text)]
        assert word in spans, (text, spans)
        assert all("’" not in s for s in spans)


@pytest.mark.parametrize("hyphen", ["-", "\u2011", "\u2010"])
def test_hyphenated_words_split_into_parts_with_a_joined_term(hyphen: str) -> None:
    text = f"Saint{hyphen}Étienne"
    assert terms(text) == ["saint", "etien"]
    index_terms = [(t.text, t.pos, text[t.start:t.end]) for t in analyze(text, mode="index")]
    assert index_terms == [("saint", 0, "Saint"), ("etien", 1, "Étienne"),
                           ("saintetien", 0, text)]


def test_hyphenated_spaced_and_joined_forms_meet() -> None:
    assert terms("porte-parole") == terms("porte parole")
    joined = terms("porteparole")
    assert joined[0] in terms("porte-parole", mode="index")
    assert terms("Sud-Ouest") == terms("sud ouest")
    assert "weekend" in terms("week-end", mode="index")


def test_numbers_and_acronyms() -> None:
    assert terms("2024 7,5 % COVID-19 xAI SNCF I.A.") == [
        "2024", "7.5", "covid", "19", "xai", "sncf", "ia"]
    assert "covid19" in terms("COVID-19", mode="index")
    assert terms("7.5") == terms("7,5")


def test_stop_words_are_dropped_and_positions_close_up() -> None:
    assert terms("les des du le la de et un une") == []
    got = [(t.text, t.pos) for t in analyze("la réforme des retraites")]
    assert got == [("reform", 0), ("retrait", 1)]


def test_meaningful_homonyms_of_stop_words_stay() -> None:
    assert terms("cet été") == ["ete"]
    assert terms("le son") == ["son"]
    assert terms("l’or") == ["or"]
    assert terms("fait") == ["fait"]
    assert terms("l’est") == ["est"]


@pytest.mark.parametrize("text, expected", [
    ("des avions de chasse", ["avion", "chass"]),  # planes, not "nous avions"
    ("l’avion", ["avion"]),
    ("des sommes importantes", ["somm", "import"]),  # sums
    ("pas de tir", ["pas", "tir"]),  # launch pad
    ("vent d’est", ["vent", "est"]),
    ("le ton monte", ["ton", "mont"]),
    ("un fût de chêne", ["fut", "chen"]),  # barrel: "il fut" stays a stop word
    ("il fut", []),
    ("les ayants droit", ["ayant", "droit"]),
    ("le maïs", ["mais"]),  # corn: "mais" (but) stays a stop word
    ("mais", []),
    ("un as du volant", ["as", "vol"]),
    ("dû", ["du"]),
    ("Où est-il ? À Paris, a-t-il dit, ça va", ["est", "paris", "dit", "va"]),
    ("ÉTAIENT etaient étaient", []),  # stop words typed with or without accents
])
def test_news_words_that_snowball_lists_as_stop_words(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_stop_list_is_function_words_folded() -> None:
    assert {"les", "des", "du", "a", "meme", "etaient", "ou", "mais", "fut", "ca"} <= STOP_WORDS
    assert not {"ete", "son", "or", "fait", "avions", "sommes", "pas", "ton", "ayants"} & STOP_WORDS
    assert all(w == fold(w) for w in STOP_WORDS)
    assert is_stop_word("Mais") and not is_stop_word("maïs") and is_stop_word("où")


def test_fold() -> None:
    assert fold("Œuvre") == "oeuvre"
    assert fold("Æsope") == "aesope"
    assert fold("aujourd’hui") == "aujourdhui"
    assert fold("7,5") == "7.5"
    assert fold("😀") == ""


def test_tokenizer_pickles_without_its_cache() -> None:
    tok = FrenchTokenizer()
    list(tok("du texte à mettre en cache"))
    assert tok._cache
    copy = pickle.loads(pickle.dumps(tok))
    assert isinstance(copy, FrenchTokenizer)
    assert copy._cache == {}
    assert copy == tok == index_analyzer()
    assert [t.text for t in copy("l’œuvre")] == ["oeuvr"]
    assert isinstance(index_analyzer(), FrenchAnalyzer) and not callable(index_analyzer())


def test_whoosh_token_protocol() -> None:
    tok = FrenchTokenizer()
    got = [(t.text, t.pos, t.startchar, t.endchar)
           for t in tok("Le porte-parole", positions=True, chars=True, mode="index")]
    assert got == [("port", 0, 3, 8), ("parol", 1, 9, 15), ("porteparol", 0, 3, 15)]
    kept = [(t.text, t.stopped) for t in tok("le chat", removestops=False)]
    assert kept == [("", True), ("chat", False)]


def test_odd_input_never_breaks() -> None:
    for text in ["", "   ", "\x00\x01", "e\u0301te\u0301", "مرحبا", "北京", "a" * 500,
                 "’’’", "---", "l’", "qu’", "1,2,3,4"]:
        for t in analyze(text, mode="index"):
            assert t.text
            assert 0 <= t.start < t.end <= len(text)
