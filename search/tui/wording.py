"""French wording of the engine's notices, errors and reports (no textual import)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import (
    CorpusError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
    IndexWriteError,
    NotAnIndexError,
    QueryError,
    SearchError,
    UnknownArticleError,
)

if TYPE_CHECKING:
    from ._write_process import WriteOutcome

__all__ = [
    "FIELD_NAMES",
    "SORT_LABELS",
    "error_message",
    "french_date",
    "missing_index_message",
    "notice_message",
    "number",
    "plural",
    "report_summary",
    "seconds",
    "write_failure_message",
]

NBSP = "\u202f"  # narrow no-break space: French thousands separator
SORT_LABELS = {"relevance": "pertinence", "-date": "plus récents", "date": "plus anciens"}
FIELD_NAMES = {"source": "source", "tags": "rubrique", "year": "année", "author": "auteur"}
MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
          "nov.", "déc.")


def number(n: int) -> str:
    """`36012` -> `36 012` (narrow no-break space, as in French)."""
    return f"{n:,}".replace(",", NBSP)


def seconds(s: float) -> str:
    """`1.25` -> `1,2 s`; under ten seconds one decimal, else none."""
    return (f"{s:.1f}" if s < 10 else f"{s:.0f}").replace(".", ",") + " s"


def plural(n: int, word: str, many: str | None = None) -> str:
    """`plural(2, "article")` -> `2 articles`; French: 0 and 1 are singular."""
    return f"{number(n)} {word if n < 2 else (many or word + 's')}"


def french_date(value: datetime | None, *, long: bool = False) -> str:
    """`16 mars 2023` (long: with the time when there is one); empty for None."""
    if value is None:
        return ""
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if long and (value.hour or value.minute):
        text += f" à {value.hour:02d} h {value.minute:02d}"
    return text


def _rebuild_hint(path: Path | str) -> str:
    return f"reconstruisez-le (Ctrl+R, ou `search rebuild --index {path}`)"


def error_message(error: BaseException) -> str:
    """A French sentence for an engine error, saying what to do."""
    if isinstance(error, NotAnIndexError):
        if not error.foreign:
            return f"{error.path} n’est pas un dossier : choisissez un autre chemin d’index (--index)."
        shown = ", ".join(error.foreign[:3])
        if len(error.foreign) > 3:
            shown += f" et {plural(len(error.foreign) - 3, 'autre fichier', 'autres fichiers')}"
        return (f"{error.path} n’est pas un index (il contient {shown}) : il est laissé intact ; "
                "choisissez un autre dossier d’index (--index).")
    if isinstance(error, IndexNotFoundError):
        return f"Aucun index dans {error.path} : construisez-le avec Ctrl+R."
    if isinstance(error, IndexVersionError):
        newer = (error.found or 0) > error.expected
        age = "une version plus récente" if newer else "une version plus ancienne"
        return (f"L’index {error.path} a été construit par {age} du moteur "
                f"(schéma {error.found if error.found is not None else '?'}, attendu {error.expected}) : "
                f"{_rebuild_hint(error.path)}.")
    if isinstance(error, IndexCorruptError):
        return f"L’index {error.path} est endommagé ({error.reason}) : {_rebuild_hint(error.path)}."
    if isinstance(error, IndexLockedError):
        return (f"L’index est déjà en cours d’écriture par {error.holder} "
                f"(attente de {seconds(error.waited)}) : réessayez quand ce sera terminé.")
    if isinstance(error, IndexWriteError):
        if error.kept:
            outcome = "l’index précédent est conservé"
            retry = "réessayez"
        else:
            outcome = "la mise à jour n’a pas abouti"
            retry = "relancez-la (F5), ou reconstruisez l’index (Ctrl+R)"
        return (f"Impossible d’écrire l’index dans {error.path} ({error.reason}) : {outcome}. "
                f"Libérez de la place ou vérifiez les droits du dossier, puis {retry}.")
    if isinstance(error, CorpusError):
        where = f"{error.path}:{error.line}" if error.line is not None else str(error.path)
        return f"Corpus illisible ({where} : {error.reason}) : vérifiez le fichier ou l’option --corpus."
    if isinstance(error, UnknownArticleError):
        return f"L’article « {error.article_id} » n’est plus dans l’index : relancez la recherche."
    if isinstance(error, QueryError):
        return f"Option de recherche invalide ({error}) : dates au format AAAA, AAAA-MM ou AAAA-MM-JJ."
    if isinstance(error, SearchError):
        return f"Erreur du moteur : {error}"
    if isinstance(error, OSError):
        return f"Erreur système : {error.strerror or error} ({getattr(error, 'filename', '') or ''})."
    return f"Erreur interne : {type(error).__name__} : {error} (merci de la signaler)."


def missing_index_message(index: Path, corpus: Path) -> str:
    """No index, and no corpus to build it from: what to run instead."""
    return (f"Aucun index dans {index}, et pas de corpus dans {corpus}. Relancez avec --corpus CHEMIN "
            "(un fichier .jsonl ou un dossier d’articles), ou --index CHEMIN vers un index existant.")


def write_failure_message(outcome: WriteOutcome) -> str:
    """French wording of a failed rebuild or update: the child's typed error, else what it said."""
    if outcome.cancelled:
        return "Indexation annulée : l’index est resté tel quel."
    if isinstance(outcome.error, OSError):
        return f"Impossible de lancer l’indexation : {outcome.error.strerror or outcome.error}."
    if outcome.error is not None:
        return error_message(outcome.error)
    if outcome.detail:
        return f"L’indexation a échoué : {outcome.detail}"
    return "L’indexation s’est arrêtée sans rapport ni erreur lisible."


def report_summary(report: Mapping[str, Any]) -> str:
    """One French sentence for the JSON report of `search rebuild|update --json`."""
    secs = seconds(float(report.get("seconds") or 0.0))
    if report.get("action") == "rebuild":
        text = f"Index reconstruit : {plural(int(report.get('added', 0)), 'article')} en {secs}"
    else:
        parts = [plural(int(report.get("added", 0)), "ajouté"),
                 plural(int(report.get("updated", 0)), "mis à jour", "mis à jour"),
                 plural(int(report.get("deleted", 0)), "supprimé")]
        text = f"Index mis à jour en {secs} : " + ", ".join(parts)
        text += f" ({number(int(report.get('unchanged', 0)))} inchangés)"
    skipped = int(report.get("skipped", 0))
    if skipped:
        text += f" ; {plural(skipped, 'enregistrement invalide ignoré', 'enregistrements invalides ignorés')}"
    text += f" ; {plural(int(report.get('articles', 0)), 'article')} au total."
    return text


_NOTICES: dict[str, str] = {
    "relaxed": "Seuls {exact} articles contiennent tous les mots : suivent ceux qui en ont le plus.",
    "only_stopwords": "La requête ne contient que des mots vides (le, de, des…) : tapez un mot plus précis.",
    "unclosed_quote": "Guillemet non fermé : les mots sont cherchés un par un.",
    "unclosed_range": "Intervalle de dates non fermé par « ] » : lu jusqu’au bout.",
    "unknown_field": "Champ inconnu « {field}: » : cherché comme des mots.",
    "unbalanced": "Parenthèses déséquilibrées : elles ont été ignorées.",
    "dangling_operator": "Opérateur sans rien d’un côté (OU, ET, SAUF) : ignoré.",
    "empty_field": "Le champ « {field}: » n’a pas de valeur : ignoré.",
    "bad_date": "Date invalide « {value} » : ignorée (ex. date:2024, date:2024-03, "
                "date:[2024-01 À 2024-06]).",
    "too_many_terms": "Plus de {limit} mots : les suivants ont été ignorés.",
    "too_long": "Requête de plus de {limit} caractères : la fin a été ignorée.",
    "fuzzy_capped": "Tolérance aux fautes ~{asked} ramenée à ~{limit}.",
    "wildcard": "Seul le * final est pris en charge (préfixe*) : les autres jokers ont été ignorés.",
    "prefix_capped": "{prefix}* correspond à {total} mots : les {kept} plus fréquents ont été cherchés.",
    "fuzzy_capped_terms": "{word}~ correspond à {total} mots : les {kept} plus fréquents ont été cherchés.",
    "no_such_value": "Aucun(e) {field} « {value} » dans l’index.",
    "corrected": "Résultats pour « {query} ». Pour chercher les mots tels que tapés : {as_typed}",
}


def notice_message(notice: str) -> str:
    """French wording of an engine `Notice` (its English text for an unknown code)."""
    code = getattr(notice, "code", None)
    exact = (getattr(notice, "params", None) or {}).get("exact")
    if code == "relaxed" and exact in (0, 1):
        return ("Aucun article ne contient tous les mots : voici ceux qui en ont le plus." if exact == 0 else
                "Un seul article contient tous les mots : suivent ceux qui en ont le plus.")
    template = _NOTICES.get(code or "")
    if template is None:
        return str(notice)
    params: dict[str, Any] = dict(getattr(notice, "params", {}) or {})
    if "field" in params:
        params["field"] = FIELD_NAMES.get(str(params["field"]), params["field"])
    for key in ("exact", "total", "kept"):
        if isinstance(params.get(key), int):
            params[key] = number(params[key])
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return str(notice)
