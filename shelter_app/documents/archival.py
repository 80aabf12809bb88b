"""An archival copy of a document: PDF/A-2b (ISO 19005-2, level B).

What this adds to a document the layout made: an sRGB output intent (the ICC profile
LittleCMS builds for sRGB, through Pillow), XMP metadata naming the part and level, with a
document information dictionary that says the same (the producer and the dates, never a
title, no producer: a title could name someone, a producer would say where the file came
from), and a file identifier.  What the layout already gives:
every font embedded (``fonts``), no encryption (refused with it), no JavaScript, no external
content.  An exhibit whose own fonts are not embedded cannot be archived this way and is
refused, named by its page.

No PDF/A validator runs here (veraPDF, the reference one, is not available to this
project's machines): the tests check each of the points above by reading the file back,
which is not a certification.  docs/ARCHITECTURE.md says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from shelter_app.errors import ValidationError
from shelter_app.i18n import _

SRGB = "sRGB IEC61966-2.1"
_EMBEDDED = ("/FontFile", "/FontFile2", "/FontFile3")


def srgb_profile() -> bytes:
    from PIL import ImageCms

    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def unembedded_fonts(reader: PdfReader) -> list[tuple[int, str]]:
    """(page number, font name) of every font a page uses without embedding it."""
    found: list[tuple[int, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        resources = page.get("/Resources")
        fonts = resources.get_object().get("/Font") if resources is not None else None
        for font in (fonts.get_object().values() if fonts is not None else ()):
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":
                continue  # drawn by the page itself
            descendants = font.get("/DescendantFonts")
            target = descendants.get_object()[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor.get_object() for k in _EMBEDDED):
                found.append((number, str(font.get("/BaseFont", "?")).lstrip("/")))
    return found


def _xmp(created: str) -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about=""\n'
        '  xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"\n'
        '  xmlns:xmp="http://ns.adobe.com/xap/1.0/">\n'
        "  <pdfaid:part>2</pdfaid:part>\n"
        "  <pdfaid:conformance>B</pdfaid:conformance>\n"
        f"  <xmp:CreateDate>{created}</xmp:CreateDate>\n"
        f"  <xmp:ModifyDate>{created}</xmp:ModifyDate>\n"
        "</rdf:Description>\n"
        "</rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode()


def to_pdfa(pdf: bytes, *, now: dt.datetime | None = None) -> bytes:
    """*pdf* as PDF/A-2b; a ValidationError when a page uses a font it does not embed."""
    reader = PdfReader(io.BytesIO(pdf))
    missing = unembedded_fonts(reader)
    if missing:
        pages = sorted({n for n, _f in missing})
        raise ValidationError(_(
            "An archival copy (PDF/A) needs every font embedded, and the pages {pages} use "
            "fonts an attached file does not embed ({fonts}). Make the document without the "
            "archival option, or attach a copy of that file saved with its fonts embedded."
        ).format(pages=", ".join(str(n) for n in pages),
                 fonts=", ".join(sorted({f for _n, f in missing}))), "archival")
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = "%PDF-1.7"  # (transparency, as a watermark's, is 1.4 on)
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    pdf_date = when.strftime("D:%Y%m%d%H%M%S+00'00'")
    xmp_date = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    info = DictionaryObject({
        NameObject("/CreationDate"): TextStringObject(pdf_date),
        NameObject("/ModDate"): TextStringObject(pdf_date)})
    writer._info = writer._add_object(info)
    metadata = DecodedStreamObject()
    metadata.set_data(_xmp(xmp_date))
    metadata.update({NameObject("/Type"): NameObject("/Metadata"),
                     NameObject("/Subtype"): NameObject("/XML")})
    profile = DecodedStreamObject()
    profile.set_data(srgb_profile())
    profile.update({NameObject("/N"): NumberObject(3)})
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFA1"),
        NameObject("/OutputConditionIdentifier"): TextStringObject(SRGB),
        NameObject("/Info"): TextStringObject(SRGB),
        NameObject("/DestOutputProfile"): writer._add_object(profile)})
    root = writer._root_object
    root[NameObject("/Metadata")] = writer._add_object(metadata)
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    digest = ByteStringObject(hashlib.md5(pdf, usedforsecurity=False).digest())
    writer._ID = ArrayObject([digest, digest])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
