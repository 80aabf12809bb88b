"""Build step for translations: extract the catalogue template, compile every catalogue.

    python -m shelter_app.i18n.build extract   # source → translations/shelter_app.pot
    python -m shelter_app.i18n.build update    # merge the template into every .po
    python -m shelter_app.i18n.build compile   # translations/*.po (+ pseudo-locale) → .mo

``compile`` also makes the pseudo-locale ``en_XA`` from the template: every string longer
(about 40 %) and accented, placeholders kept, so tests catch clipped labels, and the
layout is mirrored for it like a right-to-left language.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
TEMPLATE = TRANSLATIONS / "shelter_app.pot"
LOCALE_OUT = Path(__file__).with_name("locale")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SOURCES = ("shelter_app", "ui")
PSEUDO = "en_XA"

_ACCENTS = str.maketrans(
    "abcdeghiklmnoprstuwyzABCDEGHIKLMNOPRSTUWYZ",
    "àƀçđéĝĥîķĺɱñöþŕšţûŵýžÀßÇÐÉĜĤÎĶĹɱÑÖÞŘŠŢÛŴÝŽ",
)
_PLACEHOLDER = re.compile(r"(\{[^}]*\}|%\([^)]*\)[sd]|%[sd]|<[^>]+>|&\w+;)")


def extract() -> Catalog:
    catalog = Catalog(project="Shelter App", version="0.1", msgid_bugs_address="",
                      copyright_holder="Shelter App developers", fuzzy=False)
    for source in SOURCES:
        method_map = [("**.py", "python")]
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / source, method_map=method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            catalog.add(message, None, [(f"{source}/{filename}", lineno)],
                        auto_comments=comments, context=context)
    return catalog


def write_template(catalog: Catalog) -> None:
    TRANSLATIONS.mkdir(exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=True,
             include_lineno=False)
    TEMPLATE.write_bytes(buffer.getvalue())


def pseudo(text: str) -> str:
    parts = _PLACEHOLDER.split(text)
    out = "".join(p if _PLACEHOLDER.fullmatch(p) else p.translate(_ACCENTS) for p in parts)
    # About 40 % longer, in short runs a layout can wrap between (one long run cannot wrap
    # and would test only how wide a window can grow).
    extra = max(2, len(text) * 2 // 5)
    padding = " ".join("~" * min(5, extra - i) for i in range(0, extra, 5))
    return f"⟦{out} {padding}⟧"


def pseudo_catalog(template: Catalog) -> Catalog:
    # Generated, not translated: never shown as a machine-drafted translation.
    catalog = Catalog(locale="en", domain="shelter_app",
                      last_translator="shelter_app.i18n.build (pseudo-locale)")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, str):
            catalog.add(message.id, pseudo(message.id))
        else:
            catalog.add(message.id, tuple(pseudo(m) for m in message.id))
    return catalog


def compile_all(translations: Path = TRANSLATIONS, locale_out: Path = LOCALE_OUT) -> list[str]:
    """Compile every catalogue under *translations* (and the pseudo-locale, from the template
    there) into *locale_out*/<lang>/LC_MESSAGES/shelter_app.mo.  Packaging passes the build
    folder (setup.py); ``make translations`` compiles into the source folder."""
    with (translations / TEMPLATE.name).open("rb") as fh:
        template = read_po(fh)
    built = []
    catalogs: dict[str, Catalog] = {PSEUDO: pseudo_catalog(template)}
    for po in sorted(translations.glob("*/LC_MESSAGES/shelter_app.po")):
        lang = po.parent.parent.name
        with po.open("rb") as fh:
            catalogs[lang] = read_po(fh, locale=lang.split("_")[0])
    for lang, catalog in catalogs.items():
        out = locale_out / lang / "LC_MESSAGES"
        out.mkdir(parents=True, exist_ok=True)
        with (out / "shelter_app.mo").open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
        built.append(lang)
    from shelter_app.i18n import _catalogue

    _catalogue.cache_clear()  # a translator made before this sees the new catalogues
    return built


def update_all() -> list[str]:
    """Merge the template into every translations/<lang>/LC_MESSAGES/shelter_app.po: new and
    changed strings appear untranslated (no guessed "fuzzy" translations, which would only
    mislead a translator), strings no longer used are dropped."""
    with TEMPLATE.open("rb") as fh:
        template = read_po(fh)
    updated = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/shelter_app.po")):
        lang = po.parent.parent.name
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang.split("_")[0])
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
        po.write_bytes(buffer.getvalue())
        updated.append(lang)
    return updated


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "extract":
        write_template(extract())
        print(f"wrote {TEMPLATE.relative_to(ROOT)}")
        return 0
    if command == "update":
        print("updated:", ", ".join(update_all()))
        return 0
    if command == "compile":
        print("compiled:", ", ".join(compile_all()))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
