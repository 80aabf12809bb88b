"""The audit chain's anchor in the key file, for one open vault (see vault/anchors.py).

The key file is read afresh for every write and only its ``audit_anchor`` changes, so no
keyslot written meanwhile is lost; the mirror in ``backups/`` follows.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from shelter_app.store.audit import AuditLog
from shelter_app.store.db import Database
from shelter_app.vault.anchors import Anchor
from shelter_app.vault.backup import mirror_keyslots
from shelter_app.vault.keyslots import KeyslotFile

log = logging.getLogger(__name__)


def anchor_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class KeyFileAnchor:
    def __init__(self, key: bytes, vault_id: str, keyslots_path: Path, folder: Path,
                 db: Database, audit: AuditLog) -> None:
        self.key = key
        self._vault_id = vault_id
        self._path = keyslots_path
        self._folder = folder
        self._db = db
        self._audit = audit

    def read(self, slots: KeyslotFile) -> tuple[bool, Anchor | None]:
        """(present, anchor) of *slots*: present but None means its MAC does not check out."""
        if slots.audit_anchor is None:
            return False, None
        return True, Anchor.from_json(slots.audit_anchor, self.key, self._vault_id)

    def holds(self, slots: KeyslotFile) -> bool:
        """Whether the anchor of *slots* is absent or in the chain.  A changed or failing
        anchor is evidence: it is never written over (unless an administrator accepts a
        restored backup)."""
        present, anchor = self.read(slots)
        if not present:
            return True
        return anchor is not None and self._audit.holds(anchor.seq, anchor.event_hmac) is None

    def write(self, *, force: bool = False) -> dict[str, Any] | None:
        """Record the chain's newest event in the key file and its mirror; returns the
        anchor as now stored, or None when nothing could be written.

        Nothing is written inside an open transaction (its events may yet be rolled back),
        or over an anchor that the chain no longer holds unless *force*
        (``VaultAdminService.accept_restored``).  A failure to write is logged, not raised:
        the change the person made is already safe in the database."""
        if self._db.in_transaction:
            return None
        try:
            slots = KeyslotFile.load(self._path)
            if slots.vault_id != self._vault_id or (not force and not self.holds(slots)):
                return None
            newest = self._audit.newest()
            if newest is None:
                return None
            _present, anchor = self.read(slots)
            if anchor is None or (anchor.seq, anchor.event_hmac) != newest:
                slots.audit_anchor = Anchor(newest[0], newest[1], anchor_now()).to_json(
                    self.key, self._vault_id)
                slots.save(self._path)
                mirror_keyslots(self._path, self._folder)
        except Exception:
            log.warning("the audit anchor could not be written to the key file", exc_info=True)
            return None
        return slots.audit_anchor
