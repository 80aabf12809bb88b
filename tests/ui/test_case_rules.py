"""The GUI's rules, checked on the case screens' source too (ui/cases/**)."""

from __future__ import annotations

import re
from pathlib import Path

CASES = Path(__file__).resolve().parents[2] / "ui" / "cases"


def test_case_screens_run_no_sql_build_no_pdf_and_stay_short():
    files = sorted(CASES.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text, path.name
        assert not re.search(r"^\s*(from|import)\s+(sqlcipher3|sqlite3|reportlab|pypdf)",
                             text, re.M), path.name
        assert len(text.splitlines()) <= 400, path.name


def test_every_string_shown_goes_through_the_translation_function():
    # Button, label and title texts are given as _("…"), never as bare literals.
    bare = re.compile(r"""(QPushButton|QLabel|QCheckBox|QGroupBox|setWindowTitle|addTab|"""
                      r"""setPlaceholderText|setToolTip)\(\s*["']""")
    for path in sorted(CASES.rglob("*.py")):
        assert not bare.search(path.read_text(encoding="utf-8")), path.name


def test_no_hard_coded_colours_so_high_contrast_palettes_apply():
    # Colours come from the palette; the shared red/yellow notice styles of ui/widgets.py
    # (quick exit, errors, notices) are the only exceptions, and are not defined here.
    colour = re.compile(r"(#[0-9a-fA-F]{3,8}\b|color\s*:\s*[#a-z]|QColor\("
                        r"|setStyleSheet\(\s*[\"'])")
    for path in sorted(CASES.rglob("*.py")):
        assert not colour.search(path.read_text(encoding="utf-8")), path.name
