"""Editable copies of a residence packet's cover letter and personal-statement draft, as Word
documents (python-docx): lawyers edit both before anything is filed.  The PDF stays the form
that is filed; these hold the same words (``residence_parts.fill``, ``paragraphs`` and
``statement_parts``), with neutral document properties and no survivor name anywhere but in
the text itself."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from shelter_app.documents.packet_model import Words
from shelter_app.documents.residence import ResidencePacket
from shelter_app.documents.residence_parts import STATEMENT_NOTE, fill, statement_parts
from shelter_app.i18n import is_rtl

_FIXED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # no date of making in the properties


def _new(packet: ResidencePacket) -> WordDocument:
    document = Document()
    props = document.core_properties
    for name in ("author", "last_modified_by", "title", "subject", "keywords", "comments",
                 "category"):
        setattr(props, name, "")
    props.created = props.modified = _FIXED
    props.revision = 1
    props.language = packet.language.replace("_", "-")
    style = document.styles["Normal"]
    style.font.name = "Noto Sans"
    style.font.size = Pt(10.5)
    if is_rtl(packet.language):  # paragraphs read from the right
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        style.element.get_or_add_pPr().append(style.element.makeelement(qn("w:bidi"), {}))
    return document


def _lines(document: WordDocument, block: str) -> None:
    """A template text: paragraphs at blank lines, each line a line."""
    for chunk in (c.strip("\n") for c in block.strip().split("\n\n")):
        if not chunk.strip():
            continue
        paragraph = document.add_paragraph()
        for n, line in enumerate(chunk.splitlines()):
            if n:
                paragraph.add_run().add_break()
            paragraph.add_run(line)


def _bytes(document: WordDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def letter_docx(packet: ResidencePacket) -> bytes:
    """The cover letter as the PDF prints it, conditional paragraphs included."""
    document = _new(packet)
    document.add_paragraph().add_run(packet.organisation).bold = True
    _lines(document, fill(packet, packet.template.cover_letter))
    return _bytes(document)


def statement_docx(packet: ResidencePacket) -> bytes:
    """The personal-statement draft, for the applicant and her representative to rewrite in
    her own words."""
    _ = Words(packet.language, packet.template.formats)._
    t = packet.template
    document = _new(packet)
    document.add_heading(_("Personal statement: draft for review"), level=1)
    document.add_paragraph().add_run(_(STATEMENT_NOTE)).italic = True
    _lines(document, fill(packet, t.statement_intro))
    for heading, lines in statement_parts(packet):
        document.add_heading(heading, level=2)
        for lead, said in lines:
            paragraph = document.add_paragraph()
            if lead:
                paragraph.add_run(lead + " ").bold = True
            paragraph.add_run(said)
    if t.statement_closing:
        _lines(document, fill(packet, t.statement_closing))
    return _bytes(document)
