"""Languages: the catalogue template matches the source, CLDR formatting, the pseudo-locale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from babel.messages.pofile import read_po

from shelter_app.errors import WrongPassphrase
from shelter_app.i18n import (
    LOCALE_DIR,
    _,
    available_languages,
    current_language,
    is_rtl,
    language_from_environment,
    ngettext,
    set_language,
)
from shelter_app.i18n import build as i18n_build
from shelter_app.i18n.formatting import (
    countries,
    country_name,
    format_date,
    format_datetime,
    format_number,
    language_name,
)

DAY = dt.date(2026, 3, 5)


def _ids(catalog: object) -> set[object]:
    return {m.id if isinstance(m.id, str) else tuple(m.id)
            for m in catalog if m.id}  # type: ignore[attr-defined]


def test_template_is_up_to_date_with_the_source() -> None:
    with i18n_build.TEMPLATE.open("rb") as fh:
        committed = _ids(read_po(fh))
    extracted = _ids(i18n_build.extract())
    missing = extracted - committed
    stale = committed - extracted
    assert not missing and not stale, (
        f"run `make extract`: {len(missing)} new strings, e.g. {sorted(map(str, missing))[:3]}; "
        f"{len(stale)} no longer used, e.g. {sorted(map(str, stale))[:3]}")


def test_core_strings_are_marked_for_translation() -> None:
    ids = _ids(i18n_build.extract())
    for message in ("The passphrase is not correct.",
                    "Your account's roles do not allow this. Ask a coordinator or administrator "
                    "if you need it.",
                    "Page {x} of {y}"):
        assert message in ids


# -- CLDR formatting -------------------------------------------------------------------
def test_country_names() -> None:
    assert country_name("VN", language="fr") == "Viêt Nam"
    assert country_name("vn", language="en") == "Vietnam"
    assert country_name("NG", language="ar") == "نيجيريا"
    for bad in ("XX", "ZZ", "EU", "VNM", "1A", ""):
        assert country_name(bad) is None, bad
    names = countries(language="fr")
    assert names["VN"] == "Viêt Nam" and "ZZ" not in names and "EU" not in names
    assert len(names) > 240


def test_language_names() -> None:
    assert language_name("uk") == "Ukrainian"
    assert language_name("uk", language="uk") == "українська"
    assert language_name("vi", language="vi") == "Tiếng Việt"
    assert language_name("ar", language="fr") == "arabe"
    assert language_name("qqq") is None


def test_dates_and_numbers_follow_the_language() -> None:
    assert format_date(DAY, length="long", language="en") == "March 5, 2026"
    assert format_date(DAY, length="long", language="ar") == "5 مارس 2026"
    assert format_date(DAY, length="long", language="vi") == "5 tháng 3, 2026"
    assert format_date(DAY, length="long", language="fr") == "5 mars 2026"
    assert "\u200f" in format_date(DAY, language="ar")  # right-to-left marks in numeric dates
    assert format_number(1234567.5, language="de") == "1.234.567,5"
    assert format_number(1234567.5, language="en") == "1,234,567.5"
    assert format_date(DAY, length="long", language="xx_YY") == "March 5, 2026"  # falls back
    moment = dt.datetime(2026, 3, 5, 14, 30, tzinfo=dt.UTC)
    assert "2026" in format_datetime(moment, language="uk")


def test_formatting_uses_the_interface_language_by_default() -> None:
    set_language("en")
    assert format_date(DAY, length="long") == "March 5, 2026"


# -- the pseudo-locale and right-to-left -----------------------------------------------
@pytest.fixture
def pseudo() -> Iterator[None]:
    if not (LOCALE_DIR / "en_XA" / "LC_MESSAGES" / "shelter_app.mo").exists():
        i18n_build.compile_all()  # the build step `make translations` runs
    assert set_language("en_XA") == "en_XA"
    yield
    set_language("en")


def test_pseudo_locale_gives_long_accented_strings(pseudo: None) -> None:
    text = _("Page {x} of {y}")
    assert text.startswith("⟦") and text.endswith("⟧")
    assert "{x}" in text and "{y}" in text, "placeholders survive"
    assert len(text) > len("Page {x} of {y}") * 1.3
    assert text.format(x=1, y=2) != "Page 1 of 2"
    plural = ngettext("Too many failed attempts. Try again in {n} second.",
                      "Too many failed attempts. Try again in {n} seconds.", 3)
    assert plural.startswith("⟦") and "{n}" in plural
    assert is_rtl()
    assert current_language() == "en_XA"
    assert "en_XA" in available_languages()


def test_errors_are_translated_when_raised(pseudo: None, closed_vault: object) -> None:
    from pathlib import Path

    from shelter_app.vault.vault import Vault
    from tests.conftest import FAST_KDF

    assert isinstance(closed_vault, Path)
    with Vault.open(closed_vault, kdf=FAST_KDF) as vault, \
            pytest.raises(WrongPassphrase) as info:
        vault.unlock("admin", "not the right passphrase")
    assert str(info.value).startswith("⟦")
    set_language("en")
    assert _("The passphrase is not correct.") == "The passphrase is not correct."


def test_right_to_left_languages() -> None:
    assert is_rtl("ar") and is_rtl("fa_IR") and is_rtl("he")
    assert not is_rtl("en") and not is_rtl("vi") and not is_rtl("uk")
    assert set_language("en") == "en" and not is_rtl()


def test_unknown_language_falls_back_to_english() -> None:
    assert set_language("xx_YY") == "en"
    assert _("The passphrase is not correct.") == "The passphrase is not correct."


def test_language_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SHELTER_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    assert language_from_environment() == "en"
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert language_from_environment() == "vi_VN"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    assert language_from_environment() == "vi_VN"
    monkeypatch.setenv("SHELTER_LANG", "ar")
    assert language_from_environment() == "ar"


@pytest.mark.parametrize(("last_translator", "drafted"), [
    ("Shelter App developers (draft, needs review)", True),
    ("FULL NAME <EMAIL@ADDRESS>", True),
    ("Ana García <ana@example.org>", False),
])
def test_a_catalogue_is_machine_drafted_until_its_header_names_a_reviewer(
        tmp_path, monkeypatch, last_translator, drafted) -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    import shelter_app.i18n as i18n

    catalog = Catalog(locale="es", domain=i18n.DOMAIN, last_translator=last_translator)
    catalog.add("Sign in", "Iniciar sesión")
    out = tmp_path / "es" / "LC_MESSAGES"
    out.mkdir(parents=True)
    with (out / "shelter_app.mo").open("wb") as fh:
        write_mo(fh, catalog)
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalogue.cache_clear()
    try:
        assert i18n.is_machine_drafted("es") is drafted
        assert i18n.is_machine_drafted("es_MX") is drafted
        assert not i18n.is_machine_drafted("en")
    finally:
        i18n._catalogue.cache_clear()


def test_the_shipped_catalogues_are_drafts_and_the_pseudo_locale_is_not() -> None:
    from shelter_app.i18n import is_machine_drafted

    assert is_machine_drafted("es") and is_machine_drafted("ar")
    assert not is_machine_drafted("en_XA") and not is_machine_drafted("en")
