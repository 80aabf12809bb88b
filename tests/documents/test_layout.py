"""The shared page layout: footer with recipient, packet id and "Page X of Y" on every page,
neutral metadata, embedded fonts, right-to-left text.  Read back with pypdf and pdftotext."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pytest
from reportlab.platypus import PageBreak, Paragraph

from shelter_app.documents import fonts
from shelter_app.documents.layout import DocumentSpec, new_packet_id, paragraphs, render, styles
from shelter_app.errors import ValidationError
from shelter_app.i18n import translator
from shelter_app.vault.fileio import write_new_file
from tests.documents.conftest import has_phrase


def _pages_text(pdf: bytes, tmp_path: Path) -> tuple[list[str], list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    poppler = [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path),
                               "-"], check=True, capture_output=True, text=True).stdout
               for n in range(1, len(reader.pages) + 1)]
    # NFKC: shaping sets "fi" as one ligature glyph, which reads back as U+FB01
    return ([unicodedata.normalize("NFKC", p.extract_text()) for p in reader.pages],
            [unicodedata.normalize("NFKC", text) for text in poppler])


def test_every_page_has_the_footer(tmp_path: Path) -> None:
    st = styles("en")
    spec = DocumentSpec(recipient="Legal Aid Clinic", packet_id=new_packet_id())
    story = [*paragraphs([f"Line {i} of a long referral." for i in range(60)], st.body),
             PageBreak(), Paragraph("Last page", st.body)]
    pdf = render(spec, story)
    pypdf_pages, poppler_pages = _pages_text(pdf, tmp_path)
    total = len(pypdf_pages)
    assert total >= 3
    for number, (a, b) in enumerate(zip(pypdf_pages, poppler_pages, strict=True), start=1):
        for text in (a, b):
            assert f"Page {number} of {total}" in text
            assert spec.packet_id in text
            assert "Confidential: for Legal Aid Clinic only" in text


def test_metadata_is_neutral_and_dates_fixed() -> None:
    spec = DocumentSpec(recipient="Jane Doe", packet_id=new_packet_id())
    pdf = render(spec, paragraphs(["Body"], styles().body))
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata or {}
    assert not any(info.get(k) for k in ("/Title", "/Author", "/Subject", "/Producer",
                                         "/Creator", "/Keywords"))
    assert info.get("/CreationDate", "").startswith("D:2000")
    again = render(spec, paragraphs(["Body"], styles().body))
    assert again == pdf, "the same document renders to the same bytes (no hidden dates)"
    assert b"reportlab" not in pdf.lower(), "no generator named, not even in a PDF comment"
    assert len(pypdf.PdfReader(io.BytesIO(pdf), strict=True).pages) == 1  # offsets still right


def test_packet_ids_are_short_and_unique() -> None:
    ids = {new_packet_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"PK-[0-9A-F]{8}", i) for i in ids)


def test_arabic_text_is_set_in_the_arabic_font(tmp_path: Path) -> None:
    assert fonts.font_for("مرحبا") == fonts.ARABIC
    assert fonts.font_for("Hello") == fonts.SANS
    assert fonts.script_runs("Name: أحمد 12") == [(False, "Name: "), (True, "أحمد 12")]
    spec = DocumentSpec(recipient="ملجأ", packet_id=new_packet_id(), language="ar")
    pdf = render(spec, paragraphs(["الاسم: أحمد", "Passport No. 123"], styles("ar").body))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    base_fonts = {str(f.get_object().get("/BaseFont"))
                  for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("NotoNaskhArabic" in f for f in base_fonts), base_fonts
    pypdf_text, poppler = _pages_text(pdf, tmp_path)
    ar = translator("ar")
    assert ar("Page {x} of {y}") != "Page {x} of {y}", "the Arabic catalogue is compiled"
    for extracted in (pypdf_text[0], poppler[0]):
        # Latin letters in an Arabic document are set in a font that has them
        assert "Passport No. 123" in extracted
    # the footer is in the document's language; pdftotext gives it back in reading order
    footer = ar("Confidential: for {recipient} only. Do not copy or pass on.").format(
        recipient="ملجأ")
    assert has_phrase(poppler[0], footer), poppler[0]
    assert has_phrase(poppler[0], ar("Page {x} of {y}").format(x=1, y=1))
    assert has_phrase(poppler[0], "الاسم: أحمد") and not has_phrase(poppler[0], "أحمد الاسم")
    assert "\ue000" not in poppler[0] and not any(0xE000 <= ord(c) <= 0xF8FF for c in poppler[0])


def test_footer_keeps_every_script_of_the_recipient(tmp_path: Path) -> None:
    spec = DocumentSpec(recipient="Trung tâm Pháp lý ملجأ", packet_id=new_packet_id())
    pdf = render(spec, paragraphs(["Body"], styles("en").body))
    pypdf_text, poppler = _pages_text(pdf, tmp_path)
    for extracted in (pypdf_text[0], poppler[0]):
        assert "Confidential: for Trung tâm Pháp lý" in extracted
        assert "only. Do not copy or pass on." in extracted
        assert spec.packet_id in extracted
    assert "\ufffd" not in poppler[0], "no character fell back to a missing glyph"


def test_documents_are_never_written_over_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "packet.pdf"
    write_new_file(target, b"%PDF-first")
    with pytest.raises(ValidationError) as info:
        write_new_file(target, b"%PDF-second")
    assert info.value.field == "path"
    assert target.read_bytes() == b"%PDF-first"
    assert oct(target.stat().st_mode & 0o777) == "0o600"
