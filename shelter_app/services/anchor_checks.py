"""The anchors of the audit chain that ``verify`` checks (vault/anchors.py): the key file
and its copy in backups/, each backup's newest event, and fingerprints written down."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shelter_app.errors import ShelterError, ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import format_datetime, isolated
from shelter_app.services.context import ServiceContext
from shelter_app.vault.anchors import (
    EXAMPLE,
    erased_list_holds,
    fingerprint_code,
    format_fingerprint,
    parse_fingerprint,
)
from shelter_app.vault.backup import BACKUP_DIR, KEYSLOTS_MIRROR, newest_audit_event
from shelter_app.vault.backup import copies as backup_copies
from shelter_app.vault.keyslots import KeyslotFile


@dataclass(frozen=True)
class AnchorCheck:
    """One anchor of the audit chain (vault/anchors.py) and what checking it found."""

    text: str
    ok: bool


def _when(stamp: str) -> str:
    """An anchor's time (``2026-12-05T10:01:00Z``) in the interface language."""
    try:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return stamp
    return format_datetime(moment)


def _missing(source: str, seq: int) -> AnchorCheck:
    return AnchorCheck(_(
        "{source}: event #{seq} is no longer in the audit chain. The newest audit events were "
        "deleted, or the database was replaced by an older copy."
    ).format(source=source, seq=seq), False)


def parse(text: str) -> tuple[int, str]:
    """A fingerprint as written down (``#812 7K3D-QW9X-M2ZT-8HJR``): (event, code)."""
    parsed = parse_fingerprint(text)
    if parsed is None:
        raise ValidationError(_(
            "“{text}” is not an audit fingerprint. A fingerprint is an event number and "
            "sixteen letters and digits, for example {example}."
        ).format(text=isolated(text.strip()[:60]), example=isolated(EXAMPLE)), "fingerprint")
    return parsed


def _held(ctx: ServiceContext, source: str, seq: int, event_hmac: bytes,
          ok_text: str) -> AnchorCheck:
    """Whether the chain holds event *seq* with *event_hmac*, said for *source*."""
    found = ctx.audit.holds(seq, event_hmac)
    if found is None:
        return AnchorCheck(ok_text, True)
    if found == "missing":
        return _missing(source, seq)
    return AnchorCheck(_(
        "{source}: event #{seq} is not the event this anchor recorded. The audit events "
        "were cut back and written anew, or the database was replaced."
    ).format(source=source, seq=seq), False)


def _key_file_anchor(ctx: ServiceContext, source: str, path: Path) -> AnchorCheck:
    opened = ctx.vault
    try:
        slots = KeyslotFile.load(path)
    except ShelterError:
        return AnchorCheck(_("{source}: it cannot be read, so its anchor was not checked.")
                           .format(source=source), False)
    present, anchor = opened.read_anchor(slots)
    if not present:
        return AnchorCheck(_("{source}: it holds no audit anchor; it was removed from the "
                             "file.").format(source=source), False)
    if anchor is None:
        return AnchorCheck(_("{source}: its audit anchor was changed, so it cannot be "
                             "trusted.").format(source=source), False)
    if not erased_list_holds(opened.anchor_key(), slots.vault_id, slots.erased,
                             slots.erased_mac):
        return AnchorCheck(_(
            "{source}: its list of cases erased on request was changed outside the "
            "application; a restore will refuse it.").format(source=source), False)
    return _held(ctx, source, anchor.seq, anchor.event_hmac, _(
        "{source}: event #{seq} of {when} is in the audit chain.").format(
            source=source, seq=anchor.seq, when=_when(anchor.at)))


def check_anchors(ctx: ServiceContext,
                  fingerprints: Sequence[tuple[int, str]]) -> list[AnchorCheck]:
    """Every anchor that remains, and each fingerprint given, checked against the chain."""
    opened = ctx.vault
    folder = opened.vault.folder
    checks = [
        _key_file_anchor(ctx, _("Key file"), opened.vault.keyslots_path),
        _key_file_anchor(ctx, _("Copy of the key file in backups"),
                              folder / BACKUP_DIR / KEYSLOTS_MIRROR),
    ]
    for made, _version, path in backup_copies(folder):
        source = _("Backup of {when}").format(when=format_datetime(made))
        try:
            newest = newest_audit_event(path, opened.data_key_copy())
        except Exception:
            checks.append(AnchorCheck(_(
                "{source}: it cannot be opened with this vault's key, so it was not "
                "checked.").format(source=source), False))
            continue
        if newest is None:
            continue  # a copy made before the first event anchors nothing
        checks.append(_held(ctx, source, newest[0], newest[1], _(
            "{source}: its newest event, #{seq}, is in the audit chain.").format(
                source=source, seq=newest[0])))
    key = opened.anchor_key()
    for seq, code in fingerprints:
        source = _("Fingerprint {fingerprint}").format(
            fingerprint=isolated(format_fingerprint(seq, code)))
        stored = ctx.audit.hmac_at(seq)
        if stored is not None and hmac.compare_digest(
                fingerprint_code(key, opened.vault_id, seq, stored), code):
            checks.append(AnchorCheck(_("{source}: matches the audit chain.").format(
                source=source), True))
        elif stored is None:
            checks.append(_missing(source, seq))
        else:
            checks.append(AnchorCheck(_(
                "{source}: does not match event #{seq}. The audit events were changed and "
                "written anew, the database was replaced, or the fingerprint was copied "
                "wrongly.").format(source=source, seq=seq), False))
    return checks
