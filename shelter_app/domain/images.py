"""The organisation's logo: a small PNG or JPEG, checked and stripped of metadata.

A logo goes onto every printed document, so two things matter besides the size:
the file must really be a PNG or a JPEG of sensible dimensions (not a renamed document
or script), and it must carry nothing but pixels.  Photo metadata (EXIF, XMP, text
chunks, comments) can hold GPS coordinates, a camera owner's name or the software that
made it; for a shelter whose address is secret that is a leak, so it is removed.
"""

from __future__ import annotations

import struct
import zlib

from shelter_app.errors import ValidationError
from shelter_app.i18n import _

MAX_LOGO_BYTES = 256 * 1024
MAX_SIDE = 4096
FIELD = "organisation_logo"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that only describe pixels; everything else (tEXt, zTXt, iTXt, eXIf, tIME, iCCP
# with its free-text profile name, private chunks) is dropped.
_PNG_KEEP = frozenset({b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM",
                       b"sRGB", b"sBIT", b"bKGD", b"pHYs"})
# JPEG segments kept before the scan: JFIF (APP0), Adobe colour transform (APP14), tables,
# frame and restart headers.  APP1 (EXIF, XMP) … APP13 and comments are dropped.
_JPEG_APP14, _JPEG_COM, _JPEG_SOS, _JPEG_EOI = 0xEE, 0xFE, 0xDA, 0xD9
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                       0xCE, 0xCF})


def _bad(message: str | None = None) -> ValidationError:
    return ValidationError(message or _("The logo must be a PNG or JPEG image."), FIELD)


def _check_side(width: int, height: int) -> None:
    if not (1 <= width <= MAX_SIDE and 1 <= height <= MAX_SIDE):
        raise _bad(_("The logo can be at most {n} pixels wide and high.").format(n=MAX_SIDE))


def clean_logo(data: bytes) -> bytes:
    """The logo without metadata, or ValidationError saying what is wrong with it."""
    if not data:
        raise _bad()
    if len(data) > MAX_LOGO_BYTES:
        raise _bad(_("The logo is too large: at most {n} KB.").format(n=MAX_LOGO_BYTES // 1024))
    if data.startswith(PNG_SIGNATURE):
        return _clean_png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _clean_jpeg(data)
    raise _bad()


def _clean_png(data: bytes) -> bytes:
    out = [PNG_SIGNATURE]
    pos, first, ended = len(PNG_SIGNATURE), True, False
    while pos < len(data) and not ended:
        if pos + 12 > len(data):
            raise _bad(_("The PNG file is damaged or cut short."))
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4 or (
                zlib.crc32(kind + body) & 0xFFFFFFFF) != struct.unpack(">I", crc)[0]:
            raise _bad(_("The PNG file is damaged or cut short."))
        if first:
            if kind != b"IHDR" or length != 13:
                raise _bad()
            _check_side(*struct.unpack(">II", body[:8]))
            first = False
        if kind in _PNG_KEEP:
            out.append(data[pos:pos + 12 + length])
        elif not kind[:1].islower():  # an unknown critical chunk: not a plain image
            raise _bad()
        ended = kind == b"IEND"
        pos += 12 + length
    if not ended or b"IDAT" not in b"".join(out):
        raise _bad(_("The PNG file is damaged or cut short."))
    return b"".join(out)


def _clean_jpeg(data: bytes) -> bytes:
    out, pos, size = [b"\xff\xd8"], 2, None
    while True:
        if pos + 2 > len(data) or data[pos] != 0xFF:
            raise _bad(_("The JPEG file is damaged or cut short."))
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == _JPEG_EOI:
            if size is None:
                raise _bad(_("The JPEG file is damaged or cut short."))
            out.append(b"\xff\xd9")  # anything after the end of the image is dropped
            return b"".join(out)
        if pos + 4 > len(data):
            raise _bad(_("The JPEG file is damaged or cut short."))
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        segment = data[pos:pos + 2 + length]
        if length < 2 or len(segment) != 2 + length:
            raise _bad(_("The JPEG file is damaged or cut short."))
        if marker in _JPEG_SOF:
            if length < 7:
                raise _bad(_("The JPEG file is damaged or cut short."))
            height, width = struct.unpack(">HH", segment[5:9])
            _check_side(width, height)
            size = (width, height)
        if not ((0xE1 <= marker <= 0xEF and marker != _JPEG_APP14) or marker == _JPEG_COM):
            out.append(segment)
        pos += 2 + length
        if marker == _JPEG_SOS:
            end = _scan_end(data, pos)
            out.append(data[pos:end])
            pos = end


def _scan_end(data: bytes, pos: int) -> int:
    """Where the entropy-coded data starting at *pos* ends: at the next real marker
    (0xFF followed by neither 0x00, a restart marker, nor another 0xFF)."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise _bad(_("The JPEG file is damaged or cut short."))
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos
