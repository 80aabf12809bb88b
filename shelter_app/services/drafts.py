"""Unsaved edits kept inside the vault when a session ends without asking.

Why this exists.  A manual lock with unsaved edits asks "Save / Discard / Cancel".  The
auto-lock and quick exit must never ask: quick exit is for the moment someone dangerous
walks in, and auto-lock fires when nobody is there to answer.  Throwing the edits away
would lose work (a half-typed safety plan); keeping them in memory would keep survivor
data in a process that is supposed to have forgotten the key; writing them to a file
beside the vault would put survivor data on disk unencrypted.  So they are kept as a
*draft row in the encrypted database*, through the same permission check and audit path
as every other write, and offered again the next time the same person opens the same case.

Rules:

- A draft belongs to one user: nobody else ever reads it, not even a coordinator.
- Saving or reading a case draft needs the same permission as the edit itself
  (``case.edit`` on that case; ``case.create`` for an intake not yet saved).  A user who
  has lost access to the case meanwhile gets nothing back.
- The audit chain records that a draft was kept or discarded, for which case, and by
  whom; never what it contains.
- The content is sealed under a content key (``sealing_key``: the legal key for a legal
  form, the health key for a form that may hold health fields when the author holds it,
  else the case key), so a draft is no plainer than the record it will become.
- The content is the changed fields only, each with the value it started from
  (``{"field": {"from": old, "to": new}}``).  ``merge_changes`` applies them to the
  record as it is now: a field someone else changed meanwhile is a conflict and keeps the
  other person's value, so restoring a draft never silently overwrites their work.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action, Scope
from shelter_app.domain.validate import parse_utc
from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext
from shelter_app.store.audit import now_utc

# kind → the action the draft's edit needs (and whether it belongs to an existing case)
KINDS: dict[str, tuple[Action, bool]] = {
    "case_profile": (Action.EDIT_CASE, True),
    "intake": (Action.CREATE_CASE, False),
    # the half-typed add forms of the case workspace's record tabs
    "consent_form": (Action.MANAGE_CONSENT, True),
    "service_form": (Action.RECORD_SERVICE, True),
    "referral_form": (Action.MANAGE_REFERRALS, True),
    "appointment_form": (Action.MANAGE_APPOINTMENTS, True),
    "legal_form": (Action.EDIT_LEGAL, True),
    "timeline_form": (Action.EDIT_TIMELINE, True),
    "task_form": (Action.MANAGE_TASKS, True),
}
MAX_CONTENT = 1_000_000  # characters of JSON; a full intake form is a few thousand
# The content key a draft is sealed under: that of its most restricted possible field.
# Service, profile and intake forms may hold health fields (a health service's notes,
# access needs): the health key when the author holds it.
LEGAL_KINDS = frozenset({"legal_form"})
HEALTH_KINDS = frozenset({"service_form", "case_profile", "intake"})


def sealing_key(kind: str, held: frozenset[str] | set[str]) -> str:
    if kind in LEGAL_KINDS:
        return KeyName.LEGAL.value
    if kind in HEALTH_KINDS and KeyName.HEALTH.value in held:
        return KeyName.HEALTH.value
    return KeyName.CASE.value


@dataclass(frozen=True)
class Draft:
    kind: str
    case_id: str | None
    changes: dict[str, dict[str, Any]]
    base_versions: tuple[int, ...]
    updated_at: dt.datetime


def merge_changes(current: dict[str, Any], changes: dict[str, dict[str, Any]]
                  ) -> tuple[dict[str, Any], list[str]]:
    """*current* with the draft's *changes* applied, and the fields in conflict.

    A change applies when the field still holds the value the edit started from (or
    already holds the new value).  Otherwise someone else changed it meanwhile: their value
    stays and the field is named as a conflict, for the user to look at.
    """
    merged = dict(current)
    conflicts = []
    for field, change in changes.items():
        now = current.get(field)
        if now == change.get("from") or now == change.get("to"):
            merged[field] = change.get("to")
        else:
            conflicts.append(field)
    return merged, sorted(conflicts)


class DraftService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    def _rule(self, kind: str, case_id: str | None) -> Action:
        if kind not in KINDS:
            raise ValidationError(_("Unknown kind of draft."), "kind")
        action, needs_case = KINDS[kind]
        if needs_case != bool(case_id):
            raise ValidationError(_("Unknown kind of draft."), "kind")
        return action

    def _scope(self, action: Action, case_id: str | None) -> Scope:
        if case_id is None:
            self._ctx.require(action)
            return Scope.NONE
        return self._access.require(case_id, action)

    def _may(self, action: Action, case_id: str | None) -> bool:
        """Whether the user may act now, without recording a refusal (for reading)."""
        if case_id is None:
            return self._ctx.allowed(action)
        scope = self._access.scope(case_id)
        return scope is not None and self._ctx.allowed(action, scope)

    @staticmethod
    def _where(case_id: str | None) -> str:
        return "user_id = :me AND kind = :kind AND " + (
            "case_id = :case" if case_id else "case_id IS NULL")

    def save(self, kind: str, changes: dict[str, dict[str, Any]], *,
             case_id: str | None = None, base_versions: tuple[int, ...] = ()) -> None:
        """Keep *changes* (replacing this user's earlier draft of the same kind and case)."""
        action = self._rule(kind, case_id)
        scope = self._scope(action, case_id)
        content = json.dumps({"changes": changes}, ensure_ascii=False, sort_keys=True)
        if len(content) > MAX_CONTENT:
            raise ValidationError(_("These unsaved changes are too large to keep."), "content")
        draft_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        key = sealing_key(kind, set(self._ctx.vault.keyring.keys))
        sealed = self._ctx.seal(key, "drafts", draft_id, "content", content)
        params = {"me": me, "kind": kind, "case": case_id}
        with self._ctx.write(action, Event.DRAFT_SAVED, scope=scope,
                             target_type="case" if case_id else "draft",
                             target_id=case_id or draft_id, details={"section": kind}) as db:
            db.execute(f"DELETE FROM drafts WHERE {self._where(case_id)}", params)  # noqa: S608
            db.execute(
                "INSERT INTO drafts (id, user_id, kind, case_id, content, sealed_under,"
                " base_versions, created_at, updated_at, created_by, updated_by) VALUES (:id,"
                " :me, :kind, :case, :content, :key, :versions, :now, :now, :me, :me)",
                {**params, "id": draft_id, "content": sealed, "key": key,
                 "versions": json.dumps(list(base_versions)), "now": now})

    def get(self, kind: str, *, case_id: str | None = None) -> Draft | None:
        """This user's draft, or None (also when the user may no longer make the edit)."""
        action = self._rule(kind, case_id)
        if not self._may(action, case_id):
            return None
        row = self._ctx.db.one(
            f"SELECT id, content, sealed_under, base_versions, updated_at FROM drafts"  # noqa: S608
            f" WHERE {self._where(case_id)}",
            {"me": self._ctx.session.user_id, "kind": kind, "case": case_id})
        if row is None:
            return None
        text = self._ctx.unseal(row["sealed_under"] or KeyName.CASE.value, "drafts", row["id"],
                                "content", row["content"])
        if text is None:
            return None  # sealed under a key this account no longer holds
        content = json.loads(text)
        return Draft(kind, case_id, dict(content.get("changes", {})),
                     tuple(json.loads(row["base_versions"])),
                     parse_utc(row["updated_at"]))

    def discard(self, kind: str, *, case_id: str | None = None) -> bool:
        """Delete this user's draft; True if there was one."""
        action = self._rule(kind, case_id)
        if not self._may(action, case_id):
            return False
        params = {"me": self._ctx.session.user_id, "kind": kind, "case": case_id}
        found = self._ctx.db.scalar(f"SELECT id FROM drafts WHERE {self._where(case_id)}",  # noqa: S608
                                    params)
        if found is None:
            return False
        scope = self._scope(action, case_id)
        with self._ctx.write(action, Event.DRAFT_DISCARDED, scope=scope,
                             target_type="case" if case_id else "draft",
                             target_id=case_id or str(found), details={"section": kind}) as db:
            db.execute(f"DELETE FROM drafts WHERE {self._where(case_id)}", params)  # noqa: S608
        return True

