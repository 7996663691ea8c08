"""The command palette (Ctrl+P): rebuild, update, sort, filters, theme, help, quit — in French."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import SearchApp

__all__ = ["SearchCommands"]


class SearchCommands(Provider):
    """The app's commands, with their help text."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: SearchApp = self.app  # type: ignore[assignment]
        return [
            ("Reconstruire l’index", "Relire tout le corpus et remplacer l’index (Ctrl+R)",
             app.action_rebuild),
            ("Mettre à jour l’index", "Ajouter, réindexer et supprimer ce qui a changé (F5)",
             app.action_update),
            ("Trier par pertinence", "Les meilleurs résultats d’abord", partial(app.set_sort, "relevance")),
            ("Trier par date, plus récents d’abord", "Les articles les plus récents d’abord",
             partial(app.set_sort, "-date")),
            ("Trier par date, plus anciens d’abord", "Les articles les plus anciens d’abord",
             partial(app.set_sort, "date")),
            ("Afficher ou masquer les filtres", "Sources, rubriques, années, période (f)",
             app.action_toggle_filters),
            ("Effacer les filtres", "Retirer tous les filtres actifs", app.clear_filters),
            ("Changer de thème", "Choisir les couleurs de l’application", app.action_pick_theme),
            ("Ouvrir l’article dans le navigateur", "L’URL de l’article sélectionné (o)",
             app.action_open_url),
            ("Copier l’URL", "L’URL de l’article sélectionné (y)", app.action_copy_url),
            ("Capture d’écran", "Enregistrer l’écran en SVG dans le dossier courant",
             app.action_screenshot_svg),
            ("Aide", "Les touches et la syntaxe des requêtes (? ou F1)", app.action_help),
            ("Quitter", "Fermer l’application (q ou Ctrl+Q)", app.exit),
        ]

    async def discover(self) -> Hits:
        """Every command, before anything is typed."""
        for name, text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=text)

    async def search(self, query: str) -> Hits:
        """Commands matching what was typed."""
        matcher = self.matcher(query)
        for name, text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=text)
