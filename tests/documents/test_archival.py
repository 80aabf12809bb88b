"""Archival copies (PDF/A-2b): what the standard asks of the file, checked by reading it
back, since no validator runs here; refused with encryption, and for an exhibit whose
fonts are not embedded."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pypdf
import pytest
from PIL import ImageCms

from shelter_app.errors import ValidationError
from tests.documents.conftest import Scenario, read_pdf
from tests.documents.test_residence import (  # noqa: F401
    Residence,
    residence,
)


def _check_pdfa(pdf: bytes, tmp_path: Path) -> None:
    """Each point of PDF/A-2b this project can check without a validator."""
    assert pdf.startswith(b"%PDF-1.7\n%") and all(b > 127 for b in pdf[10:14])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert not reader.is_encrypted
    root = reader.trailer["/Root"]
    [intent] = [x.get_object() for x in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3
    opened = ImageCms.ImageCmsProfile(io.BytesIO(profile.get_data()))
    assert "srgb" in ImageCms.getProfileDescription(opened).casefold()
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B" in xmp
    info = reader.metadata
    assert info is not None and info.get("/Title") is None, "a title could name someone"
    assert info.get("/Producer") is None and "Producer" not in xmp and b"Shelter" not in pdf
    created = re.search(r"<xmp:CreateDate>(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)", xmp)
    assert created and info["/CreationDate"].startswith("D:" + "".join(created.groups()))
    ids = reader.trailer["/ID"]
    assert len(ids) == 2 and ids[0] == ids[1] and len(ids[0]) == 16
    path = tmp_path / "archival.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # embedded


def test_an_archival_referral_and_her_copy(scenario: Scenario, tmp_path: Path) -> None:
    c = scenario.org.coordinator
    produced = c.documents.referral_packet(scenario.case_id, scenario.partner_id,
                                           archival=True, own_copy=True)
    assert produced.archival and produced.working is not None
    _check_pdfa(produced.pdf, tmp_path)
    _check_pdfa(produced.working, tmp_path)
    read = read_pdf(produced.pdf, tmp_path)
    assert read.pages == produced.pages and "Centro Esperanza" in read.text
    target = tmp_path / "referral-archival.pdf"
    c.documents.save(produced, target)
    assert scenario.org.audit("data.export")[-1]["details"]["format"] == (
        "referral.pdf-pdfa+own-copy")
    with pytest.raises(ValidationError, match="cannot be encrypted"):
        c.documents.referral_packet(scenario.case_id, scenario.partner_id, archival=True,
                                    encrypt=True)


def test_an_exhibit_without_its_fonts_cannot_be_archived(residence: Residence,  # noqa: F811
                                                          tmp_path: Path) -> None:
    s = residence.scenario
    docs = s.org.coordinator.documents
    plain = docs.residence_packet(s.case_id, "us-t-visa")  # the exhibits use bare Helvetica
    assert plain.pages > 1
    with pytest.raises(ValidationError, match=r"the pages .* use fonts .*Helvetica"):
        docs.residence_packet(s.case_id, "us-t-visa", archival=True)
