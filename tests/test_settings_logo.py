"""The organisation logo setting: PNG or JPEG only, small, and stripped of metadata."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from shelter_app.domain.images import MAX_LOGO_BYTES, clean_logo
from shelter_app.errors import PermissionDenied, ValidationError
from shelter_app.services.registry import Services, build_services
from tests.conftest import add_user


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(width: int = 2, height: int = 2, *, extra: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + extra
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


def jpeg(width: int = 8, height: int = 8) -> bytes:
    """A JPEG's segment structure (the checker reads structure, not pixels)."""
    return (b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
            + segment(0xE1, b"Exif\x00\x00GPS 51.5072N 0.1276W owner Maria")
            + segment(0xFE, b"made at the shelter on Rose Street")
            + segment(0xDB, b"\x00" + bytes(range(64)))
            + segment(0xC0, b"\x08" + struct.pack(">HH", height, width) + b"\x01\x01\x11\x00")
            + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
            + b"\x12\x34\xff\x00\x56\xff\xd0\x78" + b"\xff\xd9" + b"trailing secret")


def test_png_keeps_pixels_and_drops_text_chunks() -> None:
    original = png(extra=chunk(b"tEXt", b"Author\x00Maria at 12 Rose Street")
                   + chunk(b"eXIf", b"GPS") + chunk(b"pHYs", b"\x00" * 9))
    cleaned = clean_logo(original)
    assert b"Rose Street" not in cleaned and b"eXIf" not in cleaned
    assert cleaned == png(extra=chunk(b"pHYs", b"\x00" * 9))


def test_jpeg_drops_exif_comments_and_trailing_bytes() -> None:
    cleaned = clean_logo(jpeg())
    for secret in (b"GPS", b"Maria", b"Rose Street", b"trailing secret", b"Exif"):
        assert secret not in cleaned
    assert cleaned.startswith(b"\xff\xd8\xff\xe0") and cleaned.endswith(b"\xff\xd9")
    assert b"\x12\x34\xff\x00\x56\xff\xd0\x78" in cleaned  # the scan data is untouched


@pytest.mark.parametrize(("data", "message"), [
    (b"", "PNG or JPEG"),
    (b"%PDF-1.7 not an image", "PNG or JPEG"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "PNG or JPEG"),
    (png()[:40], "damaged or cut short"),
    (png()[:-1], "damaged or cut short"),
    (png().replace(b"IDAT", b"IDAX"), "damaged or cut short"),
    (png(5000, 10), "at most 4096 pixels"),
    (jpeg(9000, 10), "at most 4096 pixels"),
    (jpeg()[:-20], "damaged or cut short"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * (MAX_LOGO_BYTES + 1), "too large"),
])
def test_anything_else_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as exc:
        clean_logo(data)
    assert exc.value.field == "organisation_logo"


def test_setting_stores_the_cleaned_image_and_can_be_cleared(admin: Services) -> None:
    assert admin.settings.get("organisation_logo") == "" and admin.settings.logo() == b""
    with_text = png(extra=chunk(b"tEXt", b"Comment\x00secret"))
    stored = admin.settings.set("organisation_logo", with_text)
    assert base64.b64decode(stored) == png()
    assert admin.settings.logo() == png()
    assert admin.settings.set("organisation_logo", base64.b64encode(jpeg()).decode()) != ""
    assert admin.settings.logo().startswith(b"\xff\xd8")
    with pytest.raises(ValidationError, match="PNG or JPEG"):
        admin.settings.set("organisation_logo", "not base64 at all!")
    assert admin.settings.logo().startswith(b"\xff\xd8")  # a refusal changes nothing
    admin.settings.set("organisation_logo", "")
    assert admin.settings.logo() == b""
    events = [e for e in admin.ctx.audit.events() if e.action == "settings.changed"]
    assert len(events) == 3 and events[0].details == {"setting": "organisation_logo"}


def test_only_administrators_change_the_logo(admin: Services, created) -> None:
    add_user(admin, "ines", "coordinator", passphrase="plain orchard lantern 42",
             temporary=False)
    opened, _report = created[0].unlock("ines", "plain orchard lantern 42")
    coordinator = build_services(opened)
    try:
        with pytest.raises(PermissionDenied):
            coordinator.settings.set("organisation_logo", png())
        assert coordinator.settings.logo() == b""
    finally:
        coordinator.lock()
