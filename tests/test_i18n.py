"""Languages: the catalogues are complete and compiled, shipped with the package, and the
command line speaks French or English as the locale, the flag, the environment or the
config file ask (JSON stays English)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from search.i18n import _, decimal, locale_language, ngettext, number, use_language
from tools.translations import catalogues, compile_mo, extract, merge, parse_po

from .conftest import NEWS, REPO, run_cli


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("i18n") / "index"
    assert run_cli("rebuild", "-q", "--corpus", str(NEWS), "--index", str(index))[0] == 0
    return index


def test_every_message_has_a_french_translation_and_the_mo_is_compiled() -> None:
    (language, po, mo), = catalogues()
    merged = merge(extract(), parse_po(po.read_text(encoding="utf-8")))
    assert language == "fr"
    assert [e.msgid for e in merged.values() if not e.translated] == []
    assert mo.read_bytes() == compile_mo(merged, "fr"), "stale .mo: run python -m tools.translations"


def test_an_install_ships_the_catalogues(tmp_path: Path) -> None:
    """What setuptools copies into a wheel (or an install) holds the .mo (an editable
    install reads the source tree, where it is)."""
    command = [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib",
               str(tmp_path)]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "search" / "locale" / "fr" / "LC_MESSAGES" / "search-fr.mo").is_file()


def test_the_locale_chooses_the_language() -> None:
    assert locale_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert locale_language({"LANG": "fr_CA.UTF-8", "LC_MESSAGES": "en_GB.UTF-8"}) == "en"
    assert locale_language({"LANGUAGE": "de:fr", "LANG": "en_US.UTF-8"}) == "fr"
    assert locale_language({"LC_ALL": "C", "LANG": "fr_FR.UTF-8"}) == "en"
    assert locale_language({}) == "en"


def test_french_numbers_plurals_and_sentences() -> None:
    use_language("fr")
    assert (number(36152), decimal(1.25, 1)) == ("36\u202f152", "1,2")
    assert ngettext("{n} result", "{n} results", 0).format(n=0) == "0 résultat"  # 0 is singular in French
    assert ngettext("{n} result", "{n} results", 2).format(n=2) == "2 résultats"
    use_language("en")
    assert (number(36152), decimal(1.25, 1), _("Help")) == ("36,152", "1.2", "Help")
    assert ngettext("{n} result", "{n} results", 0).format(n=0) == "0 results"


def test_the_command_line_in_french_and_in_english(built: Path, tmp_path: Path) -> None:
    fr = {"LANG": "fr_FR.UTF-8"}
    code, out, err = run_cli("query", "--index", str(built), "électricté", env=fr)
    assert err == ("note : Résultats pour « électricité ». "
                   "Pour chercher les mots tels que tapés : \"électricté\"\n")
    assert out.startswith("1 résultat (")
    code, out, err = run_cli("query", "--index", str(built), '"électricté"', env=fr)
    assert out.startswith("0 résultat (") and err == 'vouliez-vous dire : "électricité"\n'
    code, out, err = run_cli("show", "--index", str(built), "nope", env=fr)
    assert err == ("search : erreur : L’article « nope » n’est pas dans l’index : vérifiez l’identifiant "
                   "avec `search query`\n")
    code, out, _err = run_cli("query", "--help", env=fr)
    assert "langage des requêtes : tous les mots sont exigés" in out and "seulement cette source" in out
    # the flag, the environment and the config file over the locale; JSON stays English
    code, out, _err = run_cli("query", "--index", str(built), "--lang", "en", "retraite", env=fr)
    assert out.startswith("2 results (")
    code, out, _err = run_cli("query", "--index", str(built), "retraite", env=fr | {"SEARCH_LANG": "en"})
    assert out.startswith("2 results (")
    config = tmp_path / "config" / "search-fr" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('language = "fr"\n', encoding="utf-8")
    code, out, _err = run_cli("query", "--index", str(built), "retraite",
                              env={"XDG_CONFIG_HOME": str(tmp_path / "config")})
    assert out.startswith("2 résultats (")
    code, out, _err = run_cli("query", "--index", str(built), "--json", "réforme des retraites", env=fr)
    data = orjson.loads(out)
    assert data["notices"][0]["code"] == "relaxed" and "total" in data and "hits" in data
    code, out, _err = run_cli("rebuild", "--corpus", str(NEWS), "--index", str(tmp_path / "ix"), env=fr)
    assert out.startswith("12 articles indexés ; 0 enregistrement invalide ignoré en ")
