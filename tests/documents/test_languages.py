"""Document languages: chosen apart from the interface, a catalogue for each, every document
string translated with its placeholders intact."""

from __future__ import annotations

import datetime as dt
import functools
import re

import pytest
from babel.messages.pofile import read_po

from shelter_app.errors import CatalogueMissing
from shelter_app.i18n import _, current_language, set_language, translator
from shelter_app.i18n import build as i18n_build
from shelter_app.i18n.formatting import format_date

DOCUMENT_LANGUAGES = ("es", "fr", "it", "ar", "ru", "uk", "ro", "vi")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@functools.cache
def _document_ids() -> frozenset[str]:
    """Strings printed in documents (templates.py speaks to the user, in the interface's
    language, about a template file)."""
    ids = set()
    for message in i18n_build.extract():
        files = {f for f, _line in message.locations}
        if message.id and any(f.startswith("shelter_app/documents/") and
                              not f.endswith("templates.py") for f in files):
            ids.add(message.id)
    return frozenset(ids)


def test_a_documents_language_leaves_the_interface_alone() -> None:
    set_language("en")
    es = translator("es")
    assert es("Page {x} of {y}") == "Página {x} de {y}"
    assert current_language() == "en" and _("Page {x} of {y}") == "Page {x} of {y}"
    set_language("fr")
    assert translator("ar")("Page {x} of {y}") == "صفحة {x} من {y}"
    assert _("Page {x} of {y}") == "Page {x} sur {y}"
    with pytest.raises(CatalogueMissing):  # no catalogue: refused, not written in English
        translator("de")
    day = dt.date(2026, 3, 5)
    assert format_date(day, length="long", language="uk") == "5 березня 2026\u202fр."


@pytest.mark.parametrize("language", DOCUMENT_LANGUAGES)
def test_every_document_string_is_translated(language: str) -> None:
    path = i18n_build.TRANSLATIONS / language / "LC_MESSAGES" / "shelter_app.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    assert "NATIVE SPEAKERS SHOULD REVIEW" in catalog.header_comment
    strings = {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id}
    missing = sorted(i for i in _document_ids() if not strings.get(i))
    assert not missing, f"{language}: {len(missing)} untranslated, e.g. {missing[:3]}"
    for msgid, text in strings.items():
        if text:
            assert sorted(_PLACEHOLDER.findall(str(msgid))) == sorted(
                _PLACEHOLDER.findall(str(text))), (language, msgid)
