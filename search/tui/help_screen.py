"""The help screen (F1): every key and the query syntax, with examples."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer

__all__ = ["HELP", "HelpScreen"]

HELP = """\
# Aide

Les résultats se mettent à jour pendant la frappe. Les lettres tapées vont dans la
boîte de recherche ; les raccourcis d’une lettre marchent dans la liste et l’aperçu.

## Touches

| Touche | Action |
|---|---|
| *taper* | chercher, résultats au fil de la frappe |
| `↑` dans la boîte vide | requêtes précédentes (historique, gardé d’une session à l’autre) |
| `↑` `↓` dans la boîte | résultat précédent / suivant |
| `↑` `↓` ou `j` `k` | se déplacer dans la liste ; `g` / `G` premier / dernier |
| `PgPréc` `PgSuiv` | page précédente / suivante (la suite se charge en descendant) |
| `Entrée` | ouvrir l’article dans l’aperçu |
| `Échap` | revenir à la boîte de recherche ; une deuxième fois : l’effacer |
| `Tab` `Maj+Tab` | panneau suivant / précédent |
| `/` | aller à la boîte de recherche |
| `n` `N` | occurrence suivante / précédente dans l’article |
| `o` | ouvrir l’URL de l’article dans le navigateur |
| `y` | copier l’URL |
| `s` | trier par pertinence / par date |
| `f` | afficher / masquer les filtres (sources, rubriques, années, période) |
| `x` | retirer le dernier filtre (ou cliquer sur son étiquette) |
| `Ctrl+D` | accepter « Vouliez-vous dire … » |
| `Ctrl+R` | reconstruire l’index depuis le corpus |
| `F5` | mettre à jour l’index (articles ajoutés, modifiés, supprimés) |
| `Ctrl+P` | palette de commandes (reconstruire, tri, thème, quitter…) |
| `?` `F1` | cette aide |
| `q` `Ctrl+Q` | quitter |

La souris marche aussi : cliquer un résultat, une facette, une étiquette de filtre,
faire défiler la liste ou l’article.

## Syntaxe des requêtes

| Requête | Trouve |
|---|---|
| `réforme des retraites` | *réforme* et *retraite(s)* (les mots vides comme *des* sont ignorés) |
| `electricite`, `ÉLECTRICITÉ` | *électricité* : casse, accents et ligatures ne comptent pas |
| `chevaux` | *cheval*, *chevaux* ; `travaux` trouve *travail* |
| `grève OR manifestation`, `grève OU manifestation` | l’un ou l’autre mot |
| `grève -SNCF`, `grève SAUF SNCF` | *grève* sans *SNCF* |
| `grève ET (SNCF OU RATP)` | ET explicite, parenthèses |
| `"bouclier tarifaire"` | la phrase exacte ; `"prix électricité"~3` : à 3 mots au plus |
| `électri*` | les mots qui commencent par *électri* |
| `gouvernemant~`, `gouvernemant~2` | une ou deux fautes de frappe |
| `titre:retraites`, `corps:…` | dans le titre (ou le corps) seulement |
| `source:AFP`, `auteur:Dubois` | source ou auteur contenant ces mots |
| `rubrique:économie`, `tag:eco*` | les articles de cette rubrique |
| `date:2024`, `date:2024-03`, `date:2024-03-15` | une année, un mois, un jour |
| `date:[2024-01 À 2024-06]`, `date:>=2024-01` | un intervalle, ouvert ou fermé |
| `macron^2 retraites` | donner plus de poids à un mot |
| `+retraite réforme` | `+` : mot toujours exigé |

Quand moins de 10 articles contiennent tous les mots, ceux qui en contiennent le plus
suivent. Une requête n’échoue jamais : les erreurs de syntaxe sont signalées dans la
ligne d’état.
"""


class HelpScreen(ModalScreen[None]):
    """Every key and the query syntax with examples; Échap, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss", "Fermer l’aide"),
        Binding("j,down", "scroll(1)", show=False),
        Binding("k,up", "scroll(-1)", show=False),
    ]

    def compose(self) -> ComposeResult:
        """The help text in a scrolling frame."""
        from textual.widgets import Markdown  # only when the help is opened: faster start

        with VerticalScroll(id="help-frame") as frame:
            frame.border_title = "Aide — Échap pour fermer"
            yield Markdown(HELP, id="help-text")
        yield Footer()

    def action_scroll(self, lines: int) -> None:
        """Scroll the help."""
        self.query_one("#help-frame", VerticalScroll).scroll_relative(y=lines, animate=False)
