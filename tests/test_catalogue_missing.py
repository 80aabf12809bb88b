"""A language whose catalogue is not installed is said, never silently shown in English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shelter_app.errors import CatalogueMissing
from shelter_app.i18n import (
    _,
    catalogue_notice,
    current_language,
    has_catalogue,
    set_language,
    translator,
)

FIX = "reinstall Shelter App, or run 'make translations'"


def test_with_the_catalogues_nothing_is_said() -> None:
    for language in ("fr", "uk_UA", "ar", "en", "en_GB", "en_XA"):
        assert catalogue_notice(language) == "", language
    assert translator("vi")("Sign in") != "Sign in"


def test_a_missing_catalogue_is_named_with_the_way_to_fix_it(no_catalogues: Path) -> None:
    assert set_language("fr") == "en" and current_language() == "en"
    notice = catalogue_notice("fr")
    assert "French (fr)" in notice and "not installed" in notice
    assert "shown in English" in notice and FIX in notice
    assert "not installed" in catalogue_notice("uk_UA", asked=False), \
        "a shipped language is always said, even when it only came from the system"
    assert "en_XA" in catalogue_notice("en_XA") and not has_catalogue("en_XA")
    assert set_language("en_XA") == "en", "the pseudo-locale needs its catalogue too"
    assert catalogue_notice("en_GB") == "" and has_catalogue("en_GB"), "English needs none"


def test_a_language_never_shipped_is_said_only_when_asked_for(no_catalogues: Path) -> None:
    assert catalogue_notice("de", asked=True) == (
        "Shelter App has no translation into German (de), so the interface is shown in "
        "English.")
    assert catalogue_notice("de", asked=False) == "", "the system's language: nothing asked"


def test_a_document_translator_refuses_a_missing_catalogue(no_catalogues: Path) -> None:
    with pytest.raises(CatalogueMissing) as info:
        translator("ru")
    assert "Documents cannot be written in Russian (ru)" in str(info.value)
    assert FIX in str(info.value)
    with pytest.raises(CatalogueMissing, match=r"German \(de\): Shelter App has no trans"):
        translator("de")
    assert translator("en")("Sign in") == "Sign in"
    assert translator()("Sign in") == _("Sign in"), "the interface language: English here"


# -- shelter-admin ----------------------------------------------------------------------
def test_shelter_admin_says_on_stderr_that_the_catalogue_is_missing(
        no_catalogues: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELTER_LANG", "es")
    code, out, err = run_cli("--help")
    assert code == 0 and "usage" in out.lower()
    assert err.startswith("shelter-admin: The catalogue for Spanish (es) is not installed")
    assert FIX in err


def test_shelter_admin_is_quiet_when_the_catalogue_is_there(
        run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHELTER_LANG", "es")
    code, _out, err = run_cli("--help")
    assert code == 0 and err == ""


def test_shelter_admin_is_quiet_about_a_system_language_it_does_not_offer(
        run_cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SHELTER_LANG", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    code, _out, err = run_cli("--help")
    assert code == 0 and err == ""
    monkeypatch.setenv("SHELTER_LANG", "de")
    code, _out, err = run_cli("--help")
    assert code == 0 and "no translation into German (de)" in err
