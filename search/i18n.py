"""The language of the command line and the terminal UI: gettext catalogues shipped in the
package (`search/locale/<lang>/LC_MESSAGES/search-fr.mo`), numbers and dates as each
language writes them.

Messages are written in English in the code (`_("…")`) and translated by the catalogue of
the language in use: French for a French locale, else English. The library's own errors
and notices stay English sentences with stable codes and fields, which the CLI and the TUI
word through here. JSON keys and codes are never translated.

The language is chosen once per process, at the edges (`search.cli`, `search.tui`): the
`--lang` flag, `$SEARCH_LANG`, the config file's `language`, else the locale
(`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`, as gettext reads them), else English.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "current_language",
    "date_text",
    "decimal",
    "locale_language",
    "ngettext",
    "normal_language",
    "number",
    "use_language",
]

DOMAIN = "search-fr"
LOCALE_DIR = Path(__file__).parent / "locale"
#: The languages with a catalogue (English is the code's own).
LANGUAGES = ("en", "fr")
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
           "déc."),
}


class _Catalogue:
    """The translations in use in this process (one language at a time, chosen at the edges)."""

    language: str | None = None
    translations: gettext.NullTranslations = gettext.NullTranslations()


def normal_language(text: str | None) -> str | None:
    """`fr_FR.UTF-8` -> `fr`; None for empty text or a language without a catalogue
    (`C` and `POSIX` are English)."""
    if not text:
        return None
    code = text.strip().split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
    if code in ("c", "posix"):
        return "en"
    return code if code in LANGUAGES else None


def locale_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the locale: the first of `LANGUAGE` (a colon-separated list) that has a
    catalogue, else `LC_ALL`, `LC_MESSAGES`, `LANG` (the first one set); English otherwise."""
    env = os.environ if environ is None else environ
    for wanted in (env.get("LANGUAGE") or "").split(":"):
        found = normal_language(wanted)
        if found:
            return found
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            return normal_language(value) or "en"
    return "en"


def use_language(language: str | None) -> str:
    """Speak `language` ("fr", "en", a locale name such as `fr_FR.UTF-8`; None: the locale's)
    from now on in this process; return the language in use."""
    lang = normal_language(language) or locale_language()
    if lang == "en":
        translations: gettext.NullTranslations = gettext.NullTranslations()
    else:
        translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _Catalogue.translations = translations
    _Catalogue.language = lang
    return lang


def current_language() -> str:
    """The language in use (the locale's until `use_language` is called)."""
    if _Catalogue.language is None:
        use_language(None)
    assert _Catalogue.language is not None
    return _Catalogue.language


def _(message: str) -> str:
    """`message` in the language in use."""
    if _Catalogue.language is None:
        use_language(None)
    return _Catalogue.translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for `n`, in the language in use (French
    treats 0 as singular)."""
    if _Catalogue.language is None:
        use_language(None)
    return _Catalogue.translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it now (translated where used)."""
    return message


def number(n: int) -> str:
    """`36012` as `36,012` (English) or `36 012` (French, a narrow no-break space)."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if current_language() == "fr" else text


def decimal(x: float, digits: int = 1) -> str:
    """`1.25` as `1.2` (English) or `1,2` (French), with `digits` decimals."""
    text = f"{x:,.{digits}f}"
    if current_language() == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def date_text(value: datetime | None, *, long: bool = False) -> str:
    """`16 Mar 2023` / `16 mars 2023` (long: with the time when there is one); empty for None."""
    if value is None:
        return ""
    lang = current_language()
    text = f"{value.day} {_MONTHS[lang][value.month - 1]} {value.year}"
    if long and (value.hour or value.minute):
        text += (f" à {value.hour:02d} h {value.minute:02d}" if lang == "fr"
                 else f" at {value.hour:02d}:{value.minute:02d}")
    return text
