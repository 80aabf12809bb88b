"""Assembling a packet from several PDFs: generated parts, and exhibits taken from vault
attachments (PDF pages, and images placed on pages).  Every page of the result gets the
shared decoration (``layout.overlay``): footer, page X of Y, continuation header, Bates
number.  Exhibit pages are scaled into the space between header and footer, so a stamp never
covers evidence, and images are re-encoded, which drops their metadata (a photo's EXIF can hold
the place it was taken).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject, TextStringObject
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from shelter_app.documents import fonts
from shelter_app.documents.encryption import finish
from shelter_app.documents.layout import DocumentSpec, PageInfo, neutral_comments, overlay
from shelter_app.i18n import _

MAX_PIXELS = 2600  # long side of an image placed on a page: about 220 dpi on A4
BAND_TOP = 14 * mm  # room kept for the header above an exhibit page
BAND_BOTTOM = 22 * mm  # and for the Bates number and footer below it


class ExhibitError(ValueError):
    """An attachment that cannot be placed in a packet (the message says why)."""


@dataclass(frozen=True)
class Part:
    """A run of pages in a packet."""

    pdf: bytes
    language: str
    recipient: str
    fit: bool = False  # attachment pages: scaled into the content area of a new page
    title: str = ""  # the bookmark that opens the part in a reader's outline ("": none)
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", page_count(self.pdf))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def problem(media_type: str, data: bytes) -> str | None:
    """Why an attachment cannot go into a packet, in a few words, or None.  Cheap: a PDF is
    parsed and an image's header and structure checked, nothing is converted."""
    try:
        if media_type == "application/pdf":
            _pdf_reader(data)
        elif media_type.startswith("image/"):
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        else:
            raise ExhibitError(_("not a PDF or an image"))
    except ExhibitError as exc:
        return str(exc)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return _("image format that cannot be read (convert it to PDF or JPEG)")
    return None


def _pdf_reader(data: bytes) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExhibitError(_("password-protected PDF"))
        if not reader.pages:
            raise ExhibitError(_("PDF without pages"))
        for page in reader.pages:
            page.cropbox.width  # noqa: B018 -- reading it checks the page box
    except ExhibitError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ExhibitError(_("damaged PDF")) from exc
    return reader


def attachment_pdf(media_type: str, data: bytes, pagesize: tuple[float, float]) -> bytes:
    """The attachment as PDF pages: a PDF as it is (checked), an image on a page of its own
    (each frame of a multi-page TIFF on its own page)."""
    if media_type == "application/pdf":
        reader = _pdf_reader(data)
        if reader.is_encrypted:  # opened with the empty password: pass on a plain copy
            return finish(PdfWriter(clone_from=reader))
        return data
    if media_type.startswith("image/"):
        return _images_pdf(data, pagesize)
    raise ExhibitError(_("not a PDF or an image"))


def _frames(data: bytes) -> list[Image.Image]:
    try:
        image = Image.open(io.BytesIO(data))
        frames = [ImageOps.exif_transpose(f.copy()) for f in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ExhibitError(_("image format that cannot be read (convert it to PDF or JPEG)")) \
            from exc
    return frames


def _jpeg(frame: Image.Image) -> tuple[bytes, int, int]:
    """The frame as a fresh JPEG (no metadata), flattened on white, at most MAX_PIXELS."""
    if frame.mode in ("RGBA", "LA", "P"):
        frame = frame.convert("RGBA")
        white = Image.new("RGB", frame.size, "white")
        white.paste(frame, mask=frame.getchannel("A"))
        frame = white
    elif frame.mode not in ("RGB", "L"):
        frame = frame.convert("RGB")
    frame.thumbnail((MAX_PIXELS, MAX_PIXELS))
    out = io.BytesIO()
    frame.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), frame.width, frame.height


def _images_pdf(data: bytes, pagesize: tuple[float, float]) -> bytes:
    fonts.register()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1, pageCompression=1,
                    initialFontName=fonts.SANS)
    canvas.setProducer("")
    canvas.setCreator("")
    width, height = pagesize
    for frame in _frames(data):
        jpeg, w, h = _jpeg(frame)
        scale = min(width / w, height / h)
        canvas.drawImage(ImageReader(io.BytesIO(jpeg)), (width - w * scale) / 2,
                         (height - h * scale) / 2, w * scale, h * scale)
        canvas.showPage()
    canvas.save()
    return neutral_comments(buffer.getvalue())


def _place_fitted(writer: PdfWriter, page: PageObject, spec: DocumentSpec
                  ) -> tuple[PageObject, tuple[float, float, float, float]]:
    """Add a new page of the packet's size to *writer* with *page* on it, upright (its
    /Rotate applied), scaled (never enlarged) into the content area and centred.  A page
    wider than high on a page higher than wide is turned a quarter (to read from the
    bottom up, as a bound landscape page does) rather than shrunk."""
    box = page.cropbox
    x0, y0 = float(box.left), float(box.bottom)
    w, h = float(box.width), float(box.height)
    turn = page.rotation % 360
    upright = Transformation().translate(-x0, -y0).rotate(-turn)
    shift = {0: (0.0, 0.0), 90: (0.0, w), 180: (w, h), 270: (h, 0.0)}[turn]
    upright = upright.translate(*shift)
    if turn in (90, 270):
        w, h = h, w
    width, height = spec.pagesize
    room_w = width - 2 * spec.margin
    room_h = height - BAND_TOP - BAND_BOTTOM
    if w > h and room_h > room_w and min(room_h / w, room_w / h) > min(room_w / w,
                                                                       room_h / h):
        upright = upright.rotate(90).translate(h, 0)
        w, h = h, w
    scale = min(room_w / w, room_h / h, 1.0)
    tx = spec.margin + (room_w - w * scale) / 2
    ty = BAND_BOTTOM + (room_h - h * scale) / 2
    blank = writer.add_blank_page(width=width, height=height)
    blank.merge_transformed_page(page, upright.scale(scale, scale).translate(tx, ty))
    return blank, (tx, ty, w * scale, h * scale)


def assemble(spec: DocumentSpec, parts: Sequence[Part]) -> bytes:
    """One PDF of *parts* in order, every page decorated, metadata neutral."""
    writer = PdfWriter()
    pages: list[PageInfo] = []
    marks: list[tuple[str, int]] = []
    for part in parts:
        if part.title:
            marks.append((part.title, len(pages)))
        for page in PdfReader(io.BytesIO(part.pdf)).pages:
            frame = None
            if part.fit:
                added, frame = _place_fitted(writer, page, spec)
            else:
                added = writer.add_page(page)
            box = added.mediabox
            pages.append(PageInfo(float(box.width), float(box.height), part.language,
                                  part.recipient, frame=frame))
    stamps = PdfReader(io.BytesIO(overlay(spec, pages)))
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        page.merge_page(stamp)
    for title, first in marks:  # the reader's outline: a bookmark a part
        writer.add_outline_item(title=title, page_number=first)
    # the language of the document as a whole, for screen readers and archiving
    writer._root_object[NameObject("/Lang")] = TextStringObject(spec.language.replace("_", "-"))
    writer.compress_identical_objects()
    return finish(writer)
