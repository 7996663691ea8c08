"""The command palette (Ctrl+P): rebuild, update, sort, filters, theme, help, quit — in French."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import SearchApp

__all__ = ["SearchCommands"]


class SearchCommands(Provider):
    """The app's commands, with their help text."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("SearchApp", self.app)
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
            ("Changer de thème", "Choisir les couleurs de l’application", self._pick_theme),
            ("Ouvrir l’article dans le navigateur", "L’URL de l’article sélectionné (o)",
             app.action_open_url),
            ("Copier l’URL", "L’URL de l’article sélectionné (y)", app.action_copy_url),
            ("Capture d’écran", "Enregistrer l’écran en SVG dans le dossier courant",
             self._screenshot),
            ("Aide", "Les touches et la syntaxe des requêtes (? ou F1)", app.action_help),
            ("Quitter", "Fermer l’application (q ou Ctrl+Q)", app.exit),
        ]

    def _pick_theme(self) -> None:
        from textual.theme import ThemeProvider

        self.app.push_screen(CommandPalette(providers=[ThemeProvider], placeholder="Chercher un thème…"))

    def _screenshot(self) -> None:
        path = self.app.save_screenshot()
        self.app.notify(f"Capture enregistrée : {path}", timeout=5)

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
