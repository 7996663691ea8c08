"""The query language, told to a user: the full table (`search help syntax`, the TUI's help)
and a few examples (`search --help`), in the language in use."""

from __future__ import annotations

from .i18n import N_, _

__all__ = ["EXAMPLES", "SYNTAX", "syntax_markdown", "syntax_rows"]

#: (what to type, what it finds): messages translated where shown.
SYNTAX: tuple[tuple[str, str], ...] = (
    ("réforme des retraites", N_("articles with réforme and retraite(s); stop words like des are ignored")),
    ("electricite, ÉLECTRICITÉ", N_("électricité: case, accents and ligatures never matter")),
    ("chevaux", N_("cheval, chevaux; travaux finds travail, jeux jeu")),
    ("l'avion, aujourd’hui", N_("avion; aujourd’hui as one word, with ' or ’")),
    ("Saint-Étienne, saint etienne", N_("both find Saint-Étienne; weekend finds week-end")),
    ("grève OR manifestation, grève OU …", N_("either word")),
    ("grève -SNCF, grève NOT SNCF, grève SAUF SNCF", N_("grève without SNCF")),
    ("grève AND (SNCF OR RATP), grève ET …", N_("explicit AND (never relaxed), parentheses")),
    ('"bouclier tarifaire"', N_('the exact phrase; "prix électricité"~3: at most 3 words apart')),
    ("électri*", N_("words starting with électri (the 64 most frequent)")),
    ("gouvernemant~, gouvernemant~2", N_("one or two typos away")),
    ("titre:retraites, title:…, corps:…", N_("in the title (or the body) only")),
    ("source:AFP, auteur:Dubois, author:…", N_("the source or author holds these words")),
    ("rubrique:économie, tag:eco*", N_("articles with this tag / rubrique")),
    ("date:2024, date:2024-03, date:2024-03-15", N_("a year, a month, a day")),
    ("date:[2024-01 TO 2024-06], date:[… À …]", N_("a range (either end may be *)")),
    ("date:>=2024-01, date:<2023", N_("open ranges")),
    ("macron^2 retraites", N_("weigh a word more")),
    ("+retraite réforme", N_("+: a word never relaxed")),
)

#: A few queries, for `--help` and empty screens.
EXAMPLES = ('réforme des retraites', '"bouclier tarifaire"', "électri*", "grève -SNCF", "date:2023",
            "titre:retraites")


def syntax_rows() -> list[tuple[str, str]]:
    """The table's rows, translated."""
    return [(typed, _(finds)) for typed, finds in SYNTAX]


def syntax_markdown() -> str:
    """The table as Markdown (the TUI's help)."""
    lines = [f"| {_('you type')} | {_('finds')} |", "|---|---|"]
    for typed, finds in syntax_rows():
        shown = ", ".join(f"`{part.strip()}`" for part in typed.split(", "))
        lines.append(f"| {shown} | {finds} |")
    return "\n".join(lines)
