"""Anchors: the audit chain's newest event, kept where the audit table cannot take it along.

The chain in ``audit_events`` shows an edited, inserted or reordered event, but a person
with the database key can delete its newest events together with ``meta.audit_head``, or
put back an older ``cases.db``, and what remains is a shorter chain that is still whole.
An anchor is a (seq, hmac) pair of an event recorded somewhere else; whenever an anchor
remains, the chain must still hold that event with that HMAC:

- **the key file** (``keyslots.json`` and its mirror in ``backups/``), MAC'd under a key
  derived from the data key, rewritten at every sign-in, at the end of every session,
  after every backup and at most once a minute after a change;
- **each backup** copy, whose own newest event must be in the live chain;
- **fingerprints** a coordinator writes down or files: a short code for one event.

Byte layout: docs/VAULT_FORMAT.md section 8.6.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from shelter_app.vault import crypto

PURPOSE = "audit anchor v1"
_MAC_LABEL = b"shelter-app audit anchor v1"
_FINGERPRINT_LABEL = b"shelter-app audit fingerprint v1"
_ERASED_LABEL = b"shelter-app erased cases v1"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def anchor_key(data_key: bytes) -> bytes:
    return crypto.subkey(data_key, PURPOSE)


def _mac(key: bytes, vault_id: str, seq: int, event_hmac: bytes, at: str) -> str:
    message = b"\0".join((_MAC_LABEL, vault_id.encode(), str(seq).encode(),
                          event_hmac.hex().encode(), at.encode()))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def erased_mac(key: bytes, vault_id: str, ids: list[str]) -> str:
    """The MAC of the key file's list of cases erased on request (its order aside)."""
    message = b"\0".join((_ERASED_LABEL, vault_id.encode(), ",".join(sorted(ids)).encode()))
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def erased_list_holds(key: bytes, vault_id: str, ids: list[str], mac: str | None) -> bool:
    """Whether the list is as the application wrote it: empty with no MAC, or with its MAC.
    A list with ids and no MAC is a list whose MAC was taken away."""
    if mac is None:
        return not ids
    return hmac.compare_digest(mac, erased_mac(key, vault_id, ids))


@dataclass(frozen=True)
class Anchor:
    """Event *seq* of the chain had HMAC *event_hmac* when the anchor was written at *at*."""

    seq: int
    event_hmac: bytes
    at: str

    def to_json(self, key: bytes, vault_id: str) -> dict[str, Any]:
        return {"seq": self.seq, "hmac": self.event_hmac.hex(), "at": self.at,
                "mac": _mac(key, vault_id, self.seq, self.event_hmac, self.at)}

    @classmethod
    def from_json(cls, body: Any, key: bytes, vault_id: str) -> Anchor | None:
        """The anchor, or None when *body* is malformed or its MAC does not check out."""
        try:
            seq, text, at, mac = body["seq"], body["hmac"], body["at"], body["mac"]
            if type(seq) is not int or seq < 1 or not isinstance(at, str):
                return None
            event_hmac = bytes.fromhex(text)
            if len(event_hmac) != 32 or not isinstance(mac, str):
                return None
        except (KeyError, TypeError, ValueError):
            return None
        if not hmac.compare_digest(mac, _mac(key, vault_id, seq, event_hmac, at)):
            return None
        return cls(seq, event_hmac, at)


# -- fingerprints ------------------------------------------------------------------------
FINGERPRINT_GROUPS = 4  # four groups of four Crockford base-32 characters: 80 bits


def fingerprint_code(key: bytes, vault_id: str, seq: int, event_hmac: bytes) -> str:
    """The code written down for event *seq*, e.g. ``7K3D-QW9X-M2ZT-8HJR``."""
    message = b"\0".join((_FINGERPRINT_LABEL, vault_id.encode(), str(seq).encode(),
                          event_hmac))
    digest = hmac.new(key, message, hashlib.sha256).digest()
    bits = int.from_bytes(digest[:10], "big")
    chars = "".join(_CROCKFORD[(bits >> (5 * i)) & 31] for i in reversed(range(16)))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


EXAMPLE = "#812 7K3D-QW9X-M2ZT-8HJR"  # shown in messages as what a fingerprint looks like


def format_fingerprint(seq: int, code: str) -> str:
    return f"#{seq} {code}"


_FINGERPRINT = re.compile(r"^#?(\d{1,12})[\s:/-]+([0-9A-Z][0-9A-Z\s-]*)$")


def parse_fingerprint(text: str) -> tuple[int, str] | None:
    """(seq, code) from what a person typed back (``#812 7K3D-QW9X-M2ZT-8HJR``, any case,
    spaces or dashes, O/I/L for 0/1/1); None when it cannot be a fingerprint."""
    text = unicodedata.normalize("NFKC", text).strip().upper()
    match = _FINGERPRINT.match(text)
    if not match:
        return None
    code = "".join(ch for ch in match.group(2) if ch not in " -\t")
    code = code.translate(str.maketrans("OIL", "011"))
    if len(code) != 4 * FINGERPRINT_GROUPS or any(ch not in _CROCKFORD for ch in code):
        return None
    return int(match.group(1)), "-".join(code[i:i + 4] for i in range(0, 16, 4))
