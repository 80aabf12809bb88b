"""Survivor intake and the case record: create, open, change, status, assignment, sharing."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from shelter_app.domain import vocab
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.records import (
    CaseInput,
    CaseRecord,
    SurvivorInput,
    clean_case,
    clean_survivor,
)
from shelter_app.domain.roles import Action, Role, Scope
from shelter_app.errors import ValidationError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import fill
from shelter_app.services import case_fields, row_seals
from shelter_app.services.case_access import CaseAccess, no_such_case
from shelter_app.services.context import ServiceContext, keys_not_given, require_case_key
from shelter_app.services.sites import SiteService
from shelter_app.store import cases as store
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Database
from shelter_app.store.people import display_names

CODE_PATTERN = re.compile(r"^[A-Z]{1,6}-\d{4}-\d{4,6}$")
STATUS_ORDER = ["open", "assessment", "case_plan", "services", "closed"]
# Survivor fields in the health section: hidden from roles that may not read health.
HEALTH_FIELDS = ("access_needs",)


# Lists whose order means nothing (languages are in order of preference: not these).
ORDERLESS = frozenset({"exploitation_types", "means_of_control", "citizenship"})


def _same(name: str, old: Any, new: Any) -> bool:
    """Whether a field is unchanged: ticking the same boxes in another order is no change
    (it would show in the case's history as one)."""
    if name in ORDERLESS and isinstance(old, list) and isinstance(new, list):
        return sorted(map(str, old)) == sorted(map(str, new))
    return bool(old == new)


def concurrent_change() -> ValidationError:
    return ValidationError(_("Someone else changed this record while you were editing. "
                             "Reopen it to see their change; your edits were not saved."))


class CaseService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self.access = CaseAccess(ctx)

    # -- creating ------------------------------------------------------------------
    def next_code(self, db: Database, year: int | None = None, prefix: str = "SH") -> str:
        year = year or dt.date.today().year
        stem = f"{prefix}-{year}-"
        last = db.scalar("SELECT max(CAST(substr(code, :n) AS INTEGER)) FROM cases"
                         " WHERE code LIKE :like", {"n": len(stem) + 1, "like": stem + "%"})
        return f"{stem}{(last or 0) + 1:04d}"

    def create(self, survivor: SurvivorInput, case: CaseInput, *, code: str | None = None,
               site_id: str | None = None) -> CaseRecord:
        """Survivor and case in one transaction, with the audit event and the search index;
        *site_id*, the site the case is handled at (an organisation's site that is not
        retired), or none."""
        self._ctx.require(Action.CREATE_CASE)
        require_case_key(self._ctx)
        s_values = clean_survivor(survivor)
        c_values = clean_case(case)
        assigned = self._assignee(case.assigned_to)
        sites = SiteService(self._ctx)
        with self._ctx.db.transaction() as db:
            site = sites.checked(db, site_id)
            case_id = self.insert_clean(db, s_values, c_values, code=code, assigned_to=assigned,
                                        site_id=site)
        return self._load(case_id, self.access.scope(case_id) or Scope.OTHER)

    def insert_clean(self, db: Database, s_values: dict[str, Any], c_values: dict[str, Any], *,
                     code: str | None, assigned_to: str | None, status: str = "open",
                     closure_reason: str | None = None, closed_at: str | None = None,
                     code_checked: bool = False, search_id: int | None = None,
                     site_id: str | None = None) -> str:
        """Insert one checked survivor + case with its audit event, inside the caller's
        transaction (used by intake and by import, which passes *code_checked* and the next
        *search_id* itself when it has already done those look-ups), and *site_id* (checked
        by the caller) when the case has a site.  Returns the case id."""
        self._ctx.require(Action.CREATE_CASE)
        case_id, survivor_id = str(uuid.uuid4()), str(uuid.uuid4())
        meta = self._meta_new()
        if code and not code_checked:
            code = code.strip().upper()
            if not CODE_PATTERN.match(code):
                raise ValidationError(_("A case code looks like SH-2026-0042."), "code")
            if db.scalar("SELECT 1 FROM cases WHERE code = :c", {"c": code}):
                raise ValidationError(
                    fill(_("The case code {code} is already in use."), code=code), "code")
        elif not code:
            code = self.next_code(db)
        if search_id is None:
            search_id = (db.scalar("SELECT max(search_id) FROM cases") or 0) + 1
        # each row is written with its seal (row_seals.seal_new): one INSERT a row
        key = row_seals.session_key(self._ctx)
        survivor = {"id": survivor_id, **meta, **case_fields.seal_columns(
            self._ctx, "survivors", survivor_id,
            store.to_columns(s_values, store.SURVIVOR_JSON, store.SURVIVOR_BOOL))}
        store.insert(db, "survivors", {
            **survivor, "row_seal": row_seals.seal_new(db, key, "survivors", survivor)})
        case = {
            "id": case_id, **meta, "code": code, "search_id": search_id,
            "survivor_id": survivor_id, "status": status, "closure_reason": closure_reason,
            "closed_at": closed_at, "assigned_to": assigned_to,
            **case_fields.seal_columns(self._ctx, "cases", case_id, store.to_columns(
                c_values, store.CASE_JSON, store.CASE_BOOL))}
        store.insert(db, "cases", {**case, "row_seal": row_seals.seal_new(db, key, "cases",
                                                                           case)})
        case_fields.index_case(self._ctx, db, search_id, code, s_values, new=True)
        if site_id:
            SiteService(self._ctx).put(db, case_id, site_id)
        self._ctx.audit.append(
            Event.RECORD_CREATED, actor_id=self._ctx.session.user_id, target_type="case",
            target_id=case_id,
            details={"fields": sorted([*(k for k, val in {**s_values, **c_values}.items()
                                         if val not in (None, "", [], {}, False)),
                                       *(["site"] if site_id else [])])})
        return case_id

    def _assignee(self, user_id: str | None) -> str | None:
        session = self._ctx.session
        if user_id is None:
            return session.user_id if session.has(Role.CASEWORKER) else None
        if user_id != session.user_id and not self._ctx.allowed(Action.ASSIGN_CASE, Scope.OTHER):
            self._ctx.require(Action.ASSIGN_CASE, Scope.OTHER)
        row = self._ctx.db.one("SELECT roles, status FROM users WHERE id = :id", {"id": user_id})
        if row is None or row["status"] != "active" or not (
                {"caseworker", "coordinator"} & set(json.loads(row["roles"]))):
            raise ValidationError(_("Cases can be assigned only to active caseworkers or "
                                    "coordinators."), "assigned_to")
        return user_id

    def _meta_new(self) -> dict[str, Any]:
        now = now_utc()
        me = self._ctx.session.user_id
        return {"created_at": now, "updated_at": now, "created_by": me, "updated_by": me}

    # -- reading -------------------------------------------------------------------
    def id_for_code(self, code: str) -> str:
        case_id = self._ctx.db.scalar("SELECT id FROM cases WHERE code = :c",
                                      {"c": code.strip().upper()})
        if case_id is None:
            raise no_such_case()
        self.access.require(case_id, Action.READ_CASE)
        return str(case_id)

    def get(self, case_id: str) -> CaseRecord:
        scope = self.access.require(case_id, Action.READ_CASE)
        record = self._load(case_id, scope)
        self._ctx.record(Event.RECORD_OPENED, target_type="case", target_id=case_id)
        return record

    def _load(self, case_id: str, scope: Scope) -> CaseRecord:
        db = self._ctx.db
        c_row = db.one("SELECT * FROM cases WHERE id = :id", {"id": case_id})
        if c_row is None:
            raise no_such_case()
        s_row = db.one("SELECT * FROM survivors WHERE id = :id", {"id": c_row["survivor_id"]})
        assert s_row is not None
        if not self._ctx.vault.keyring.holds(KeyName.CASE):
            raise keys_not_given(reading=True)
        survivor = store.from_row(case_fields.open_columns(self._ctx, "survivors", s_row),
                                  store.SURVIVOR_JSON, store.SURVIVOR_BOOL)
        survivor.pop("birth_key", None)
        if not self._ctx.allowed(Action.READ_HEALTH, scope):
            for name in HEALTH_FIELDS:
                survivor.pop(name, None)
        case = store.from_row(case_fields.open_columns(self._ctx, "cases", c_row),
                              store.CASE_JSON, store.CASE_BOOL)
        case.pop("situation_tags", None)
        shared = tuple(r["user_id"] for r in db.all(
            "SELECT user_id FROM case_shares WHERE case_id = :id ORDER BY user_id",
            {"id": case_id}))
        return CaseRecord(case_id, case["code"], survivor["id"], survivor, case,
                          (survivor["row_version"], case["row_version"]), shared)

    def assignable_staff(self) -> list[tuple[str, str]]:
        """Active caseworkers and coordinators a case may be assigned to: (id, name shown),
        for those who may assign cases (``services.accounts`` is for administrators)."""
        self._ctx.require(Action.ASSIGN_CASE, Scope.OTHER)
        return self._staff_with({"caseworker", "coordinator"})

    def legal_volunteers(self) -> list[tuple[str, str]]:
        """Active legal volunteers a case may be shared with: (id, name shown)."""
        self._ctx.require(Action.SHARE_CASE, Scope.OTHER)
        return self._staff_with({"legal"})

    def _staff_with(self, roles: set[str]) -> list[tuple[str, str]]:
        rows = self._ctx.db.all("SELECT id, username, display_name, roles FROM users"
                                " WHERE status = 'active'")
        found = [(str(r["id"]), str(r["display_name"] or r["username"])) for r in rows
                 if roles & set(json.loads(r["roles"]))]
        return sorted(found, key=lambda pair: pair[1].casefold())

    def team(self, case_id: str) -> tuple[str | None, list[str]]:
        """Who works on the case, by the names their accounts show: the person it is
        assigned to (None when nobody) and the legal volunteers it is shared with."""
        self.access.require(case_id, Action.READ_CASE)
        row = self._ctx.db.one("SELECT assigned_to FROM cases WHERE id = :id", {"id": case_id})
        shared = self._ctx.db.column("SELECT user_id FROM case_shares WHERE case_id = :id",
                                     {"id": case_id})
        assigned = row["assigned_to"] if row is not None else None
        names = display_names(self._ctx.db, [assigned, *shared])
        return (names.get(assigned) if assigned else None,
                sorted((names.get(u, "") for u in shared), key=str.casefold))

    # -- changing ------------------------------------------------------------------
    def update(self, case_id: str, *, survivor: SurvivorInput | None = None,
               case: CaseInput | None = None, versions: tuple[int, int] | None = None
               ) -> CaseRecord:
        """Save edited survivor and/or case fields; refuses if someone saved in between."""
        scope = self.access.require(case_id, Action.EDIT_CASE)
        require_case_key(self._ctx)
        current = self._load(case_id, scope)
        changed: list[str] = []
        s_values = c_values = None
        if survivor is not None:
            s_values = clean_survivor(survivor)
            if not self._ctx.allowed(Action.EDIT_HEALTH, scope):
                for name in HEALTH_FIELDS:
                    s_values.pop(name, None)
            changed += [k for k, val in s_values.items() if not _same(k, current.survivor.get(k),
                                                                          val)]
        if case is not None:
            c_values = clean_case(case)
            if not case.opened_on:
                c_values.pop("opened_on", None)
            changed += [k for k, val in c_values.items() if not _same(k, current.case.get(k), val)]
        if not changed:
            return current
        meta = {"updated_at": now_utc(), "updated_by": self._ctx.session.user_id}
        s_version, c_version = versions if versions else (None, None)
        with self._ctx.write(Action.EDIT_CASE, Event.RECORD_UPDATED, scope=scope,
                             target_type="case", target_id=case_id,
                             details={"fields": sorted(changed)}) as db:
            if s_values is not None and not store.update(
                    db, "survivors", current.survivor_id, {**case_fields.seal_columns(
                        self._ctx, "survivors", current.survivor_id, store.to_columns(
                            s_values, store.SURVIVOR_JSON, store.SURVIVOR_BOOL)), **meta},
                    s_version):
                raise concurrent_change()
            if c_values is not None and not store.update(
                    db, "cases", case_id, {**case_fields.seal_columns(
                        self._ctx, "cases", case_id, store.to_columns(
                            c_values, store.CASE_JSON, store.CASE_BOOL)), **meta}, c_version):
                raise concurrent_change()
            case_fields.reindex(self._ctx, db, case_id)
            row_seals.stamp_case(self._ctx, db, case_id)
        return self._load(case_id, scope)

    def set_status(self, case_id: str, status: str, *, closure_reason: str | None = None
                   ) -> None:
        scope = self.access.require(case_id, Action.EDIT_CASE)
        vocab.CASE_STATUS.check(status, "status")
        current = self._ctx.db.scalar("SELECT status FROM cases WHERE id = :id", {"id": case_id})
        if status == current:
            return
        reopening = current == "closed"
        if not reopening and STATUS_ORDER.index(status) < STATUS_ORDER.index(current):
            raise ValidationError(_("A case moves forward: open, assessment, case plan, "
                                    "services, closed. Close and reopen it to start again."),
                                  "status")
        reason = None
        if status == "closed":
            if not closure_reason:
                raise ValidationError(_("Say why the case is closed."), "closure_reason")
            reason = vocab.CLOSURE_REASON.check(closure_reason, "closure_reason")
        with self._ctx.write(Action.EDIT_CASE, Event.RECORD_UPDATED, scope=scope,
                             target_type="case", target_id=case_id,
                             details={"fields": ["status"] + (["closure_reason"] if reason else [])}
                             ) as db:
            db.execute("UPDATE cases SET status = :s, closure_reason = :r, closed_at = :closed,"
                       " updated_at = :now, updated_by = :me, row_version = row_version + 1"
                       " WHERE id = :id",
                       {"s": status, "r": reason, "closed": now_utc() if reason else None,
                        "now": now_utc(), "me": self._ctx.session.user_id, "id": case_id})
            row_seals.stamp_case(self._ctx, db, case_id)

    def assign(self, case_id: str, user_id: str) -> None:
        scope = self.access.require(case_id, Action.ASSIGN_CASE)
        assignee = self._assignee(user_id)
        if self._ctx.db.scalar("SELECT assigned_to FROM cases WHERE id = :id",
                               {"id": case_id}) == assignee:
            return  # already theirs: nothing to record in the case's history
        with self._ctx.write(Action.ASSIGN_CASE, Event.RECORD_UPDATED, scope=scope,
                             target_type="case", target_id=case_id,
                             details={"fields": ["assigned_to"], "user": assignee}) as db:
            db.execute("UPDATE cases SET assigned_to = :u, updated_at = :now, updated_by = :me,"
                       " row_version = row_version + 1 WHERE id = :id",
                       {"u": assignee, "now": now_utc(), "me": self._ctx.session.user_id,
                        "id": case_id})
            row_seals.stamp_case(self._ctx, db, case_id)

    def share(self, case_id: str, user_id: str, *, shared: bool = True) -> None:
        """Share a case with a legal volunteer (or stop sharing it)."""
        scope = self.access.require(case_id, Action.SHARE_CASE)
        row = self._ctx.db.one("SELECT roles, status FROM users WHERE id = :id", {"id": user_id})
        if row is None or row["status"] != "active" or "legal" not in json.loads(row["roles"]):
            raise ValidationError(_("Cases are shared with active legal volunteers only."),
                                  "user")
        with self._ctx.write(Action.SHARE_CASE, Event.RECORD_UPDATED, scope=scope,
                             target_type="case", target_id=case_id,
                             details={"fields": ["shared_with"], "user": user_id,
                                      "change": "added" if shared else "removed"}) as db:
            if shared:
                db.execute("INSERT OR IGNORE INTO case_shares (case_id, user_id, created_at,"
                           " created_by) VALUES (:c, :u, :now, :me)",
                           {"c": case_id, "u": user_id, "now": now_utc(),
                            "me": self._ctx.session.user_id})
            else:
                db.execute("DELETE FROM case_shares WHERE case_id = :c AND user_id = :u",
                           {"c": case_id, "u": user_id})
