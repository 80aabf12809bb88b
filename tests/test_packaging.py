"""Every install has the catalogues: building a wheel or an sdist from a fresh copy of the
repository (no ``make translations`` first) compiles them (setup.py)."""

from __future__ import annotations

import gettext
import io
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from shelter_app.i18n import PSEUDO_LOCALE, SHIPPED_LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
KNOWN = "Sign in"  # on the first screen: every catalogue translates it
MO = "shelter_app/i18n/locale/{lang}/LC_MESSAGES/shelter_app.mo"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def _in_a_checkout() -> bool:
    try:
        return _git("rev-parse", "--is-inside-work-tree").strip() == "true"
    except (OSError, subprocess.CalledProcessError):
        return False


needs_checkout = pytest.mark.skipif(not _in_a_checkout(), reason="not a git checkout")


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a fresh clone would hold, with the work not yet committed: the files git tracks
    or would track, none that it ignores (so no compiled catalogue, no venv)."""
    copy = tmp_path_factory.mktemp("clone") / "shelter-app"
    names = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, names):
        source = ROOT / name
        if source.is_file():  # a tracked file deleted in the work tree is not copied
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    assert not (copy / "shelter_app" / "i18n" / "locale").exists()
    return copy


def _wheel(source: Path, out: Path) -> Path:
    """``pip wheel`` with the build tools of this environment (the dev extra has them), so
    no network is needed."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    [wheel] = out.glob("shelter_app-*.whl")
    return wheel


def _known_translation(lang: str) -> str:
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "shelter_app.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    text = catalog[KNOWN].string
    assert isinstance(text, str) and text and text != KNOWN
    return text


def _assert_has_every_catalogue(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for lang in SHIPPED_LANGUAGES:
            assert MO.format(lang=lang) in names, f"{lang} catalogue missing from {wheel.name}"
            catalogue = gettext.GNUTranslations(io.BytesIO(archive.read(MO.format(lang=lang))))
            assert catalogue.gettext(KNOWN) == _known_translation(lang), lang
        pseudo = gettext.GNUTranslations(io.BytesIO(archive.read(
            MO.format(lang=PSEUDO_LOCALE))))
        assert pseudo.gettext(KNOWN).startswith("⟦")


@needs_checkout
def test_a_wheel_built_from_a_fresh_clone_has_every_catalogue(fresh_copy: Path,
                                                              tmp_path: Path) -> None:
    _assert_has_every_catalogue(_wheel(fresh_copy, tmp_path))


@needs_checkout
def test_an_sdist_carries_the_sources_and_its_wheel_compiles_them(fresh_copy: Path,
                                                                  tmp_path: Path) -> None:
    # What `python -m build --sdist` calls, without needing the build frontend installed.
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta; "
         "print(build_meta.build_sdist(sys.argv[1]))", str(tmp_path / "sdist")],
        cwd=fresh_copy, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    sdist = tmp_path / "sdist" / done.stdout.split()[-1]
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(tmp_path / "unpacked", filter="data")
    top = names[0].split("/")[0]
    for lang in SHIPPED_LANGUAGES:
        assert f"{top}/translations/{lang}/LC_MESSAGES/shelter_app.po" in names, lang
    assert f"{top}/translations/shelter_app.pot" in names  # the pseudo-locale's source
    assert not [n for n in names if n.endswith(".mo")], "compiled by the build, not shipped"
    _assert_has_every_catalogue(_wheel(tmp_path / "unpacked" / top, tmp_path / "wheel"))


@needs_checkout
def test_compiled_catalogues_are_never_committed() -> None:
    assert _git("ls-files", "*.mo") == ""
    ignored = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", MO.format(lang="fr")],
        check=False, timeout=60)
    assert ignored.returncode == 0, ".gitignore must keep compiled catalogues out"


def test_the_shipped_languages_are_those_translated() -> None:
    translated = {p.parent.parent.name
                  for p in (ROOT / "translations").glob("*/LC_MESSAGES/shelter_app.po")}
    assert translated == set(SHIPPED_LANGUAGES)
