"""Packaging hook: the gettext catalogues are compiled while the package is built.

Everything else about the package is in pyproject.toml.  Building a wheel (from the
repository or from an sdist, which carries translations/) compiles every
translations/<lang>/LC_MESSAGES/shelter_app.po into
shelter_app/i18n/locale/<lang>/LC_MESSAGES/shelter_app.mo inside the build, so an install
never lacks them; compiled catalogues are never committed (.gitignore).

The pseudo-locale en_XA (long, accented, mirrored strings) is compiled and shipped too: it
is small, never chosen unless asked for (``--lang en_XA``), and lets a tester check an
installed copy for clipped labels and left-to-right assumptions, not only a source folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithCatalogues(build_py):
    """``build_py`` that also compiles the catalogues into the built package."""

    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(HERE))
        try:
            from shelter_app.i18n.build import compile_all
        finally:
            sys.path.remove(str(HERE))
        # An editable install runs the source folder itself: the catalogues go there.
        base = HERE if getattr(self, "editable_mode", False) else Path(self.build_lib)
        built = compile_all(HERE / "translations", base / "shelter_app" / "i18n" / "locale")
        print("compiled catalogues:", ", ".join(built))


setup(cmdclass={"build_py": BuildPyWithCatalogues})
