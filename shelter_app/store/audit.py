"""The audit chain: append-only events, each HMAC-linked to the one before.

hmac_n = HMAC-SHA256(K_audit, hmac_{n-1} || canonical(content_n)), hmac_0 = 32 zero bytes,
K_audit = HKDF-SHA256(data key, info "shelter-app audit chain v1").  The head (last seq
and hmac) is kept in ``meta`` in the same transaction (written once, as it commits), so
losing the newest events shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

from shelter_app.domain.audit import ALLOWED_DETAIL_KEYS, Event, Outcome
from shelter_app.i18n import _
from shelter_app.store.db import Database

GENESIS = bytes(32)
# made once: json.dumps with these options builds an encoder at every call
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_DETAILS = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
HEAD_KEY = "audit_head"


def _canonical(seq: int, event_id: str, occurred_at: str, actor_id: str | None, action: str,
               target_type: str | None, target_id: str | None, outcome: str, details: str) -> bytes:
    content = [seq, event_id, occurred_at, actor_id, action, target_type, target_id, outcome,
               details]
    return _COMPACT(content).encode("utf-8")


def _write_head(db: Database, seq: int, mac: bytes) -> None:
    db.execute("INSERT INTO meta (key, value) VALUES (:k, :v)"
               " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               {"k": HEAD_KEY, "v": f"{seq}:{mac.hex()}"})


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    id: str
    occurred_at: str
    actor_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    outcome: str
    details: dict[str, Any]


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str = ""


class AuditLog:
    def __init__(self, db: Database, key: bytes) -> None:
        self._db = db
        self._key = key
        # (transaction, seq, hmac) of the event appended last: the next one in the same
        # transaction follows it without reading it back (an import appends one a case)
        self._last: tuple[int | None, int, bytes] | None = None

    def _mac(self, prev: bytes, content: bytes) -> bytes:
        return hmac.new(self._key, prev + content, hashlib.sha256).digest()

    def append(
        self,
        action: Event,
        *,
        actor_id: str | None,
        target_type: str | None = None,
        target_id: str | None = None,
        outcome: Outcome = Outcome.OK,
        details: dict[str, Any] | None = None,
        occurred_at: str | None = None,
    ) -> int:
        """Append one event inside the caller's transaction (or a new one); returns its seq."""
        details = details or {}
        unknown = set(details) - ALLOWED_DETAIL_KEYS
        if unknown:
            raise ValueError(f"audit details may not carry {sorted(unknown)}")
        details_text = _DETAILS(details)
        with self._db.transaction() as db:
            last, self._last = self._last, None
            if last is not None and last[0] == db.transaction_id:
                seq, prev = last[1] + 1, last[2]
            else:
                seq, prev = self._next_link(db)
            event_id = str(uuid.uuid4())
            at = occurred_at or now_utc()
            content = _canonical(seq, event_id, at, actor_id, str(action), target_type, target_id,
                                 str(outcome), details_text)
            mac = self._mac(prev, content)
            db.execute(
                "INSERT INTO audit_events (seq, id, occurred_at, actor_id, action, target_type,"
                " target_id, outcome, details, prev_hmac, hmac) VALUES (:seq, :id, :at, :actor,"
                " :action, :ttype, :tid, :outcome, :details, :prev, :mac)",
                {"seq": seq, "id": event_id, "at": at, "actor": actor_id, "action": str(action),
                 "ttype": target_type, "tid": target_id, "outcome": str(outcome),
                 "details": details_text, "prev": prev, "mac": mac},
            )
            # the head is written once, as the transaction commits: the newest event's
            db.before_commit(HEAD_KEY, lambda: _write_head(db, seq, mac))
            self._last = (db.transaction_id, seq, mac)
        return seq

    def _next_link(self, db: Database) -> tuple[int, bytes]:
        """The next event's seq and the hmac it follows.

        Normally the newest row.  When the recorded head is ahead of the rows, the newest
        events were deleted: the next event follows the recorded head, so the gap stays
        visible to ``verify`` instead of being papered over by the next sign-in.
        """
        last = db.one("SELECT seq, hmac FROM audit_events ORDER BY seq DESC LIMIT 1")
        seq, prev = (int(last["seq"]), bytes(last["hmac"])) if last else (0, GENESIS)
        head = db.scalar("SELECT value FROM meta WHERE key = :k", {"k": HEAD_KEY})
        if isinstance(head, str):
            head_seq, _sep, head_mac = head.partition(":")
            try:
                if int(head_seq) > seq:
                    seq, prev = int(head_seq), bytes.fromhex(head_mac)
            except ValueError:
                pass  # an unreadable head is reported by verify(); keep following the rows
        return seq + 1, prev

    def newest(self) -> tuple[int, bytes] | None:
        """(seq, hmac) of the newest event in the table, or None while it is empty."""
        row = self._db.one("SELECT seq, hmac FROM audit_events ORDER BY seq DESC LIMIT 1")
        return (int(row["seq"]), bytes(row["hmac"])) if row else None

    def hmac_at(self, seq: int) -> bytes | None:
        """The stored HMAC of event *seq*, or None when there is no such event."""
        value = self._db.scalar("SELECT hmac FROM audit_events WHERE seq = :seq", {"seq": seq})
        return bytes(value) if value is not None else None

    def holds(self, seq: int, event_hmac: bytes) -> str | None:
        """None when event *seq* is in the table with *event_hmac*; else "missing" (no such
        event) or "different" (another event stands at that place)."""
        stored = self.hmac_at(seq)
        if stored is None:
            return "missing"
        return None if hmac.compare_digest(stored, event_hmac) else "different"

    def events(self, *, target_type: str | None = None, target_id: str | None = None,
               limit: int = 500) -> list[AuditEvent]:
        where = ""
        params: dict[str, Any] = {"limit": limit}
        if target_type is not None:
            where = "WHERE target_type = :tt AND target_id = :tid"
            params.update({"tt": target_type, "tid": target_id})
        rows = self._db.all(
            f"SELECT * FROM audit_events {where} ORDER BY seq DESC LIMIT :limit",  # noqa: S608
            params,
        )
        return [
            AuditEvent(r["seq"], r["id"], r["occurred_at"], r["actor_id"], r["action"],
                       r["target_type"], r["target_id"], r["outcome"], json.loads(r["details"]))
            for r in rows
        ]

    def verify(self) -> ChainReport:
        """Walk the chain; name the first event that was edited, removed or moved."""
        prev = GENESIS
        expected_seq = 1
        count = 0
        cursor = self._db.execute("SELECT * FROM audit_events ORDER BY seq")
        for row in cursor:
            seq = row["seq"]
            if seq != expected_seq:
                return ChainReport(False, count, expected_seq, _(
                    "Audit event #{seq} is missing: events were deleted or renumbered."
                ).format(seq=expected_seq))
            if bytes(row["prev_hmac"]) != prev:
                return ChainReport(False, count, seq, _(
                    "Audit event #{seq} does not follow the event before it: events were "
                    "deleted, inserted or reordered."
                ).format(seq=seq))
            content = _canonical(seq, row["id"], row["occurred_at"], row["actor_id"],
                                 row["action"], row["target_type"], row["target_id"],
                                 row["outcome"], row["details"])
            if not hmac.compare_digest(self._mac(prev, content), bytes(row["hmac"])):
                return ChainReport(False, count, seq, _(
                    "Audit event #{seq} ({action}, {when}) was changed after it was written."
                ).format(seq=seq, action=row["action"], when=row["occurred_at"]))
            prev = bytes(row["hmac"])
            expected_seq += 1
            count += 1
        head = self._db.scalar("SELECT value FROM meta WHERE key = :k", {"k": HEAD_KEY})
        expected_head = f"{count}:{prev.hex()}" if count else None
        if head != expected_head:
            return ChainReport(False, count, count + 1, _(
                "The newest audit events are missing: the chain ends at #{count} but the vault "
                "recorded more."
            ).format(count=count))
        return ChainReport(True, count)
