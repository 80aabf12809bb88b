"""Editable Word copies of the cover letter and the statement draft, beside the PDF that is
filed: the same words, neutral properties, never encrypted and so never made with
encryption, written with the bundle or not at all."""

from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pytest

from shelter_app.errors import ValidationError
from tests.documents.conftest import NAME
from tests.documents.test_cli import cli, close
from tests.documents.test_residence import Residence, residence  # noqa: F401


def _text(data: bytes) -> tuple[str, docx.document.Document]:
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs), document


def test_the_letter_and_statement_as_word_documents(residence: Residence,  # noqa: F811
                                                    tmp_path: Path) -> None:
    s = residence.scenario
    docs = s.org.legal.documents
    produced = docs.residence_packet(s.case_id, "us-t-visa", editable=True)
    assert [name for name, _data in produced.editable] == ["letter", "statement"]
    target = tmp_path / "out" / "filing.pdf"
    target.parent.mkdir()
    docs.save(produced, target)
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "filing-letter.docx", "filing-statement.docx", "filing-working.pdf", "filing.pdf"]
    letter, document = _text((target.parent / "filing-letter.docx").read_bytes())
    assert "Re: Form I-914, Application for T Nonimmigrant Status" in letter
    assert f"Applicant: {NAME}" in letter and "Dear Officer," in letter
    assert "8 U.S.C. § 1367" in letter
    props = document.core_properties
    assert (props.author, props.last_modified_by, props.title) == ("", "", "")
    assert props.language == "en"
    statement, _doc = _text((target.parent / "filing-statement.docx").read_bytes())
    assert statement.startswith("Personal statement: draft for review")
    assert "was offered work in a restaurant" in statement
    assert "How I was recruited" in statement
    [record] = docs.history(s.case_id)
    assert record.kind == "residence"
    assert s.org.audit("data.export")[-1]["details"]["format"] == "residence.pdf+docx"


def test_what_is_refused(residence: Residence, tmp_path: Path,  # noqa: F811
                         monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    s = residence.scenario
    docs = s.org.legal.documents
    with pytest.raises(ValidationError, match="cannot be encrypted") as info:
        docs.residence_packet(s.case_id, "us-t-visa", editable=True, encrypt=True)
    assert info.value.field == "editable"
    out = tmp_path / "out"
    out.mkdir()
    (out / "filing-statement.docx").write_bytes(b"kept")
    with pytest.raises(ValidationError, match=re.escape("filing-statement.docx\u2069 already")):
        docs.check_target(s.case_id, out / "filing.pdf", kind="residence",
                          editable=("letter", "statement"))
    docs.check_target(s.case_id, out / "filing.pdf", kind="residence")  # none asked for
    folder = close(s)
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                            s.code, "--template", "us-t-visa", "--out",
                            str(out / "filing.pdf"), "--docx", user="legal")
    assert code == 1 and "filing-statement.docx" in err and not (out / "filing.pdf").exists()
    code, stdout, err = cli(monkeypatch, capsys, folder, "packet", "residence", "--case",
                            s.code, "--template", "us-t-visa", "--out",
                            str(out / "second.pdf"), "--docx", user="legal")
    assert (code, err) == (0, ""), err
    assert f"Editable copy: {out / 'second-letter.docx'}" in stdout
    assert (out / "second-statement.docx").exists()
