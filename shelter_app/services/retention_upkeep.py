"""What retention leaves for a sign-in to finish: the ids of cases erased on request that
the key file does not name yet, and the space of removed records not yet cleared.

Both are written in ``meta`` in the transaction that removes the records
(services/retention.py) and taken away once done, so a crash or a full disk between the
two leaves them for the next sign-in of any account (services/registry.py) or the next
purge.  docs/VAULT_FORMAT.md 12.4.
"""

from __future__ import annotations

import logging

import sqlcipher3.dbapi2 as sqlcipher

from shelter_app.errors import ShelterError
from shelter_app.services.context import ServiceContext
from shelter_app.store.erasure import compact

log = logging.getLogger(__name__)

LEDGER_KEY = "erased_to_note"  # erased cases not yet named in the key file
COMPACT_KEY = "compact_due"


def compact_if_due(ctx: ServiceContext) -> None:
    """At sign-in: clear the space of records a purge or erasure removed, when a crash or a
    full disk stopped it after the rows were gone (``meta.compact_due``).  Whoever signs in:
    it reads nothing, and the freed pages are overwritten already (secure_delete); what is
    left is the name index's older segments and the log."""
    if ctx.vault.read_only or ctx.db.scalar(
            "SELECT 1 FROM meta WHERE key = :k", {"k": COMPACT_KEY}) is None:
        return
    try:
        compact(ctx.db, COMPACT_KEY)
    except (sqlcipher.Error, ShelterError):  # tried again at the next sign-in or purge
        log.warning("the space of removed records could not be cleared yet", exc_info=True)


def note_erased(ctx: ServiceContext) -> None:
    """Name the cases erased in the key file (``meta.erased_to_note`` until then), so that a
    restore of a copy made before erases them again (vault/restore.py).  Run after each
    erasure, and at sign-in for one a crash or a full disk left out."""
    pending = ctx.db.scalar("SELECT value FROM meta WHERE key = :k", {"k": LEDGER_KEY})
    if not pending:
        return
    try:
        ctx.vault.note_erased([i for i in str(pending).split(",") if i])
        with ctx.db.transaction() as db:
            db.execute("DELETE FROM meta WHERE key = :k", {"k": LEDGER_KEY})
    except ShelterError:  # tried again at the next sign-in; verify names a changed list
        log.warning("erased cases could not be named in the key file yet", exc_info=True)
