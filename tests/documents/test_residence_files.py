"""A residence packet is two files: the filing bundle, and beside it the working papers
(FILE-working.pdf), written together or not at all, encrypted alike."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from shelter_app.errors import StorageFailure, ValidationError
from shelter_app.services import document_files
from shelter_app.services.document_files import working_path
from tests.documents.test_residence import Residence, residence  # noqa: F401

TAKEN = re.escape("filing-working.pdf\u2069 already exists")


def test_the_bundle_and_its_working_papers_are_saved_side_by_side(
        residence: Residence, tmp_path: Path) -> None:  # noqa: F811
    s = residence.scenario
    docs = s.org.legal.documents
    produced = docs.residence_packet(s.case_id, "us-t-visa", encrypt=True)
    assert produced.working is not None and produced.working_preview is not None
    target = tmp_path / "filing.pdf"
    assert docs.save(produced, target) == target
    working = tmp_path / "filing-working.pdf"
    assert working_path(target) == working
    for path, pages in ((target, produced.pages), (working, produced.working_pages)):
        reader = pypdf.PdfReader(path)
        assert reader.is_encrypted and reader.decrypt(produced.passphrase)
        assert len(reader.pages) == pages
    assert working.read_bytes() == produced.working
    assert oct(working.stat().st_mode & 0o777) == "0o600"
    [record] = docs.history(s.case_id)
    assert record.pages == produced.pages  # the record is of the bundle


def test_an_existing_working_file_is_refused_before_anything_is_written(
        residence: Residence, tmp_path: Path) -> None:  # noqa: F811
    s = residence.scenario
    docs = s.org.legal.documents
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    (tmp_path / "filing-working.pdf").write_bytes(b"kept")
    with pytest.raises(ValidationError, match=TAKEN):
        docs.check_target(s.case_id, tmp_path / "filing.pdf", kind="residence")
    produced = docs.residence_packet(s.case_id, "us-t-visa")
    with pytest.raises(ValidationError, match=TAKEN):
        docs.save(produced, tmp_path / "filing.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["filing-working.pdf"]
    assert (tmp_path / "filing-working.pdf").read_bytes() == b"kept"
    # another kind of document has no working papers to collide with
    docs.check_target(s.case_id, tmp_path / "filing.pdf", kind="referral")


def test_when_the_working_papers_cannot_be_written_neither_file_is_left(
        residence: Residence, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    s = residence.scenario
    docs = s.org.legal.documents
    produced = docs.residence_packet(s.case_id, "us-t-visa")
    real = document_files.write_new_file
    out = tmp_path / "out"
    out.mkdir()

    def full_disk(path: Path, data: bytes) -> None:
        if path.name.endswith("-working.pdf"):
            raise StorageFailure("The disk is full.")
        real(path, data)

    monkeypatch.setattr(document_files, "write_new_file", full_disk)
    with pytest.raises(StorageFailure):
        docs.save(produced, out / "filing.pdf")
    assert list(out.iterdir()) == []
    assert docs.history(s.case_id) == [], "nothing is recorded as having left"
