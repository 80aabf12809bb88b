"""PDF encryption with AES-256 (pypdf), generated passphrases, and neutral metadata for
every PDF that passes through pypdf.

reportlab's own 256-bit mode writes files readers cannot open, and its 40/128-bit RC4 is
weak; pypdf writes the standard security handler revision 6 (``/V 5 /R 6``, AES-256).
"""

from __future__ import annotations

import io
import secrets

from pypdf import PdfReader, PdfWriter

# Letters and digits that cannot be confused when read aloud or copied by hand.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS, GROUP_SIZE = 5, 5  # 25 symbols of 31: about 124 bits


def new_passphrase() -> str:
    """A random passphrase to open one document, e.g. ``7KQ2M-XW9RT-…``: shown once, to be
    given to the recipient another way (by phone, never with the file)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _i in range(GROUP_SIZE))
                    for _g in range(GROUPS))


def finish(writer: PdfWriter) -> bytes:
    """Write *writer* with no document information at all: no producer (pypdf names itself
    there by default), no author, no title, no dates."""
    writer.metadata = None
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypt(pdf: bytes, passphrase: str) -> bytes:
    """*pdf* encrypted with AES-256 under *passphrase* (needed to open it)."""
    if not passphrase:
        raise ValueError("an empty passphrase would leave the document open")
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=passphrase, owner_password=None, algorithm="AES-256")
    return finish(writer)


def is_encrypted(pdf: bytes) -> bool:
    return bool(PdfReader(io.BytesIO(pdf)).is_encrypted)
