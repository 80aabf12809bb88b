"""The documents GUI keeps the rules of the rest of ui/: no SQL, no PDF building, short
modules; and a document is shown from memory, never from a temporary file."""

from __future__ import annotations

import re
from pathlib import Path

DOCUMENTS_UI = Path(__file__).resolve().parents[2] / "ui" / "documents"


def test_documents_ui_runs_no_sql_builds_no_pdf_and_stays_short() -> None:
    files = list(DOCUMENTS_UI.glob("*.py"))
    assert len(files) >= 3
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert ".execute(" not in text, path.name
        assert not re.search(r"^\s*(from|import)\s+(sqlcipher3|sqlite3|reportlab|pypdf)", text,
                             re.M), path.name
        assert len(text.splitlines()) <= 400, path.name


def test_documents_are_never_written_to_temporary_files() -> None:
    for path in DOCUMENTS_UI.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"tempfile|QTemporaryFile|NamedTemporary|mkstemp", text), path.name
    preview = (DOCUMENTS_UI / "preview.py").read_text(encoding="utf-8")
    assert "QBuffer(" in preview and ".load(buffer)" in preview
