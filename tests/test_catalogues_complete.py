"""Every shipped interface language is complete: no empty, fuzzy or placeholder-mismatched
entry, the right number of plural forms, and no more Alt-letter marks than the source."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from shelter_app.i18n import build as i18n_build

SHIPPED = ("ar", "es", "fr", "it", "ro", "ru", "uk", "vi")
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def mnemonics(text: str) -> int:
    return len(re.findall(r"&(?!&)", text.replace("&&", "")))


def catalogue(language: str):
    path = i18n_build.TRANSLATIONS / language / "LC_MESSAGES" / "shelter_app.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    cat = catalogue(language)
    problems = []
    for m in cat:
        if not m.id:
            continue
        if m.fuzzy:
            problems.append(("fuzzy", m.id))
        if isinstance(m.id, str):
            if not m.string:
                problems.append(("empty", m.id))
            elif placeholders(m.string) != placeholders(m.id):
                problems.append(("placeholders", m.id))
            elif mnemonics(m.string) > mnemonics(m.id):
                problems.append(("mnemonic", m.id))
            continue
        forms = list(m.string)
        source = placeholders(m.id[0]) | placeholders(m.id[1])
        if len(forms) != cat.num_plurals or not all(forms):
            problems.append(("plural forms", m.id[0]))
        elif any(not placeholders(f) <= source for f in forms) or \
                not placeholders(m.id[1]) <= placeholders(forms[-1]):
            problems.append(("placeholders", m.id[0]))
    assert not problems, f"{language}: {len(problems)} problems, e.g. {problems[:5]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_each_catalogue_says_it_awaits_native_review(language: str) -> None:
    header = catalogue(language).header_comment
    assert "NATIVE SPEAKERS SHOULD REVIEW" in header and "machine-drafted" in header
