"""One translation function for every user-visible string, core and ui alike.

``_`` looks the message up in the active catalogue at call time, so a language switch
takes effect for every string translated after it.  ``N_`` marks a string for
extraction where it must be translated later (vocabulary labels, enum names).
"""

from __future__ import annotations

import functools
import gettext
import os
from collections.abc import Callable
from pathlib import Path

DOMAIN = "shelter_app"
LOCALE_DIR = Path(__file__).with_name("locale")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ku"})
PSEUDO_LOCALE = "en_XA"
# Every install has these catalogues (compiled when the package is built, see setup.py); one
# missing means a broken or unbuilt install, not a language we do not offer.
SHIPPED_LANGUAGES = ("ar", "es", "fr", "it", "ro", "ru", "uk", "vi")

_active: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def _(message: str) -> str:
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark *message* for extraction without translating it now."""
    return message


def available_languages() -> list[str]:
    """Languages with a compiled catalogue, plus English (the source language)."""
    found = {"en"}
    if LOCALE_DIR.is_dir():
        found.update(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())
    return sorted(found)


def set_language(language: str | None) -> str:
    """Activate *language* (``ar``, ``es_MX``, ``en_XA``…); returns the language in force.

    A language without its catalogue falls back to English rather than failing: the user
    can still work.  ``catalogue_notice`` says so to the user (the programs print it).
    """
    global _active, _language
    language = (language or "en").replace("-", "_")
    _active = gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[language, language.split("_")[0]], fallback=True
    )
    found = type(_active) is not gettext.NullTranslations
    _language = language if found or has_catalogue(language) else "en"
    return _language


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR,
                               languages=[language, language.split("_")[0]], fallback=True)


def translator(language: str | None = None) -> Callable[[str], str]:
    """A translation function for *language*, leaving the interface language alone: a
    document is written in its reader's language whatever language the user works in.
    Strings it translates are marked where they are written (``_ = translator(lang)``
    keeps them visible to extraction).

    Raises ``CatalogueMissing`` for a language other than English without a compiled
    catalogue: a document must not come out in English when another language was asked for.
    """
    language = (language or _language).replace("-", "_")
    if not has_catalogue(language):
        from shelter_app.errors import CatalogueMissing

        raise CatalogueMissing(_document_refusal(language))
    return _catalogue(language).gettext


def has_catalogue(language: str) -> bool:
    """True when *language* (or its base language) has a compiled catalogue, or is English
    (the source language; the pseudo-locale needs its catalogue)."""
    language = language.replace("-", "_")
    if language.split("_")[0] == "en" and language != PSEUDO_LOCALE:
        return True
    return type(_catalogue(language)) is not gettext.NullTranslations


def _shipped(language: str) -> bool:
    return language == PSEUDO_LOCALE or language.split("_")[0] in SHIPPED_LANGUAGES


def _named(language: str) -> str:
    """"French (fr)": the language's name in the interface language, and its code."""
    from shelter_app.i18n.formatting import language_name

    name = language_name(language) or language_name(language.split("_")[0])
    return f"{name} ({language})" if name else language


def _how_to_install() -> str:
    return _("To install the catalogues, reinstall Shelter App, or run 'make translations' in "
             "its source folder.")


def catalogue_notice(language: str, *, asked: bool = True) -> str:
    """Why the interface is in English although *language* was wanted, in words for the user;
    "" when its catalogue is installed.  A language Shelter App does not ship is mentioned
    only when it was *asked* for by name (``--lang``, ``SHELTER_LANG``), not when it merely
    is the system's language."""
    language = language.replace("-", "_")
    if has_catalogue(language):
        return ""
    if _shipped(language):
        return " ".join((_(
            "The catalogue for {language} is not installed, so the interface is shown in "
            "English.").format(language=_named(language)), _how_to_install()))
    if asked:
        return _("Shelter App has no translation into {language}, so the interface is shown "
                 "in English.").format(language=_named(language))
    return ""


def _document_refusal(language: str) -> str:
    if _shipped(language):
        return " ".join((_(
            "Documents cannot be written in {language}: its catalogue is not installed."
        ).format(language=_named(language)), _how_to_install()))
    return _("Documents cannot be written in {language}: Shelter App has no translation "
             "into it.").format(language=_named(language))


DRAFT_MARKER = "needs review"  # in a catalogue's Last-Translator header, until it is reviewed
_TEMPLATE_TRANSLATOR = "FULL NAME"  # the placeholder a catalogue made from the template carries


def is_machine_drafted(language: str | None = None) -> bool:
    """True when the catalogue for *language* (the interface language by default) has not
    been reviewed by a native speaker, as its header says: its ``Last-Translator`` field
    still contains "needs review" ("Shelter App developers (draft, needs review)"), is the
    template's placeholder, or is missing.  A reviewer marks it reviewed by putting their
    own name there.  English, the source language, has no catalogue and is never a draft."""
    catalogue = _catalogue((language or _language).replace("-", "_"))
    if type(catalogue) is gettext.NullTranslations:
        return False
    translator = catalogue.info().get("last-translator", "").strip()
    return (not translator or DRAFT_MARKER in translator.lower()
            or translator.startswith(_TEMPLATE_TRANSLATOR))


def current_language() -> str:
    return _language


def is_rtl(language: str | None = None) -> bool:
    lang = (language or _language).split("_")[0]
    return lang in RTL_LANGUAGES or (language or _language) == "en_XA"


def _plain_locale(value: str) -> bool:
    return value in ("C", "POSIX") or value.startswith("C.")


def _language_of(value: str) -> str:
    """``vi_VN.UTF-8@x`` → ``vi_VN``."""
    return value.split(".")[0].split("@")[0]


def language_from_environment() -> str:
    """The system's language; a plain "C" locale says nothing about it (a container's)."""
    for var in ("SHELTER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value and not _plain_locale(value):
            return _language_of(value)
    return "en"


def script_language() -> str | None:
    """The language a script set for one run of a command ($LC_ALL, $LC_MESSAGES), where
    "C" is English; None when it set none."""
    for var in ("LC_ALL", "LC_MESSAGES"):
        value = os.environ.get(var, "")
        if value:
            return "en" if _plain_locale(value) else _language_of(value)
    return None
