"""Tasks: a short to-do list per case — what, who, by when, and done (by whom, when).

Who may do what (``case.tasks`` in the permission table):

- a coordinator, on every case; a caseworker, on the cases assigned to her; a legal
  volunteer, on the cases shared with her; an administrator alone, on none.  Everyone who
  may work on a case shares its list: each of them may add, change, tick and untick any
  task on it.
- A task is given to someone who may work on the case (``assignees``), or to nobody yet.
  Should the case later move to someone else, the task keeps its person and says that
  she no longer works on the case (``Task.assignee_on_case``), for a coordinator to pass on.

The task text is survivor content, like a note: it goes only into the ``tasks`` table,
never into audit details, messages or titles.  Edits and ticks carry the row version the
person saw; a change made meanwhile by someone else is refused instead of overwritten.
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid
from dataclasses import dataclass

from shelter_app.domain import validate as v
from shelter_app.domain.audit import Event
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import Action, Role, Scope
from shelter_app.errors import NotFound, ValidationError
from shelter_app.i18n import _
from shelter_app.services.case_access import CaseAccess
from shelter_app.services.context import ServiceContext, require_case_key
from shelter_app.services.permissions import decide
from shelter_app.store.audit import now_utc
from shelter_app.store.cases import update as versioned_update
from shelter_app.store.db import Database, Row

MAX_WHAT = 200


@dataclass(frozen=True)
class Task:
    id: str
    case_id: str
    case_code: str
    what: str
    assigned_to: str | None
    assignee_name: str
    due_on: dt.date | None
    done_at: dt.datetime | None
    done_by: str | None
    done_by_name: str
    created_at: dt.datetime
    row_version: int
    assignee_on_case: bool = True

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def overdue(self, today: dt.date) -> bool:
        return not self.done and self.due_on is not None and self.due_on < today


SELECT = ("SELECT t.*, c.code AS case_code, c.assigned_to AS case_owner,"
          " coalesce(nullif(a.display_name, ''), a.username, '') AS assignee_name,"
          " coalesce(nullif(d.display_name, ''), d.username, '') AS done_by_name"
          " FROM tasks t JOIN cases c ON c.id = t.case_id"
          " LEFT JOIN users a ON a.id = t.assigned_to LEFT JOIN users d ON d.id = t.done_by")


def _task(r: Row, what: str, on_case: bool = True) -> Task:
    return Task(r["id"], r["case_id"], r["case_code"], what, r["assigned_to"],
                r["assignee_name"], dt.date.fromisoformat(r["due_on"]) if r["due_on"] else None,
                v.parse_utc(r["done_at"]) if r["done_at"] else None, r["done_by"],
                r["done_by_name"], v.parse_utc(r["created_at"]), r["row_version"], on_case)


def seal_what(ctx: ServiceContext, task_id: str, what: str) -> str:
    """What a task says is sealed under the case key (docs/VAULT_FORMAT.md, section 7.1)."""
    return ctx.seal(KeyName.CASE, "tasks", task_id, "what", what)


def open_what(ctx: ServiceContext, row: Row) -> str:
    """What the task says; empty while this account has not received the case key (a save
    is refused then, so nothing is written back over it)."""
    return ctx.unseal(KeyName.CASE, "tasks", row["id"], "what", row["what"]) or ""


def may_work_on(db: Database, case_id: str, user_id: str) -> bool:
    """Whether the active account *user_id* may work on the tasks of *case_id*: the same
    decision the services make when that person acts (coordinators: every case;
    caseworkers: assigned; legal volunteers: shared)."""
    row = db.one(
        "SELECT u.roles, u.status, c.assigned_to, EXISTS (SELECT 1 FROM case_shares s"
        " WHERE s.case_id = c.id AND s.user_id = u.id) AS shared FROM users u, cases c"
        " WHERE u.id = :u AND c.id = :c", {"u": user_id, "c": case_id})
    if row is None or row["status"] != "active":
        return False
    scope = (Scope.ASSIGNED if row["assigned_to"] == user_id
             else Scope.SHARED if row["shared"] else Scope.OTHER)
    roles = {Role(r) for r in json.loads(row["roles"])}
    return decide(roles, Action.MANAGE_TASKS, scope)


def _clean(what: str, due_on: dt.date | str | None) -> dict[str, object]:
    due = v.date(due_on, "due_on")
    return {"what": v.text(what, "what", limit=MAX_WHAT, required=True), "due_on": v.iso(due)}


class TaskService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._access = CaseAccess(ctx)

    # -- who ----------------------------------------------------------------------------
    def assignees(self, case_id: str) -> builtins.list[tuple[str, str]]:
        """The active staff who may work on *case_id*: (id, name shown), sorted by name."""
        self._access.require(case_id, Action.MANAGE_TASKS)
        rows = self._ctx.db.all("SELECT id, username, display_name FROM users"
                                " WHERE status = 'active' ORDER BY username_key")
        found = [(str(r["id"]), str(r["display_name"] or r["username"])) for r in rows
                 if may_work_on(self._ctx.db, case_id, r["id"])]
        return sorted(found, key=lambda pair: pair[1].casefold())

    def person_id(self, username: str) -> str:
        """The account id of *username* (to list that person's tasks), or NotFound."""
        from shelter_app.domain.accounts import username_key

        self._require_some_scope()
        found = self._ctx.db.scalar("SELECT id FROM users WHERE username_key = :k",
                                    {"k": username_key(username)})
        if found is None:
            raise NotFound(_("There is no account with that user name."))
        return str(found)

    def _assignee(self, case_id: str, user_id: str | None) -> str | None:
        if not user_id:
            return None
        if not may_work_on(self._ctx.db, case_id, user_id):
            raise ValidationError(_("Choose someone who works on this case, or nobody yet."),
                                  "assigned_to")
        return user_id

    # -- writing ------------------------------------------------------------------------
    def create(self, case_id: str, what: str, *, assigned_to: str | None = None,
               due_on: dt.date | str | None = None) -> Task:
        scope = self._access.require(case_id, Action.MANAGE_TASKS)
        require_case_key(self._ctx)
        values = {**_clean(what, due_on), "assigned_to": self._assignee(case_id, assigned_to)}
        task_id, now, me = str(uuid.uuid4()), now_utc(), self._ctx.session.user_id
        filled = sorted(k for k, x in values.items() if x)
        values["what"] = seal_what(self._ctx, task_id, str(values["what"]))
        with self._ctx.write(Action.MANAGE_TASKS, Event.RECORD_CREATED, scope=scope,
                             target_type="task", target_id=task_id,
                             details={"fields": filled}) as db:
            db.execute(
                "INSERT INTO tasks (id, case_id, what, assigned_to, due_on, created_at,"
                " updated_at, created_by, updated_by) VALUES (:id, :case, :what, :assigned_to,"
                " :due_on, :now, :now, :me, :me)",
                {"id": task_id, "case": case_id, **values, "now": now, "me": me})
        return self.get(task_id)

    def update(self, task_id: str, *, row_version: int, what: str,
               assigned_to: str | None = None, due_on: dt.date | str | None = None) -> Task:
        """Change what the task says, who does it and by when (not whether it is done)."""
        before = self._row(task_id)
        scope = self._access.require(before["case_id"], Action.MANAGE_TASKS)
        require_case_key(self._ctx)
        values = {**_clean(what, due_on),
                  "assigned_to": self._assignee(before["case_id"], assigned_to)}
        was = {**dict(zip(before.keys(), before, strict=True)),
               "what": open_what(self._ctx, before)}
        changed = sorted(k for k, x in values.items() if was[k] != x)
        values["what"] = seal_what(self._ctx, task_id, str(values["what"]))
        with self._ctx.write(Action.MANAGE_TASKS, Event.RECORD_UPDATED, scope=scope,
                             target_type="task", target_id=task_id,
                             details={"fields": changed}) as db:
            self._versioned(db, task_id, values, row_version)
        return self.get(task_id)

    def set_done(self, task_id: str, done: bool, *, row_version: int) -> Task:
        """Tick the task (done now, by the signed-in person) or untick it."""
        before = self._row(task_id)
        scope = self._access.require(before["case_id"], Action.MANAGE_TASKS)
        if bool(before["done_at"]) == done:  # already so (someone else ticked it): no change
            return self.get(task_id)
        values: dict[str, object] = (
            {"done_at": now_utc(), "done_by": self._ctx.session.user_id} if done
            else {"done_at": None, "done_by": None})
        with self._ctx.write(Action.MANAGE_TASKS, Event.RECORD_UPDATED, scope=scope,
                             target_type="task", target_id=task_id,
                             details={"fields": ["done_at", "done_by"]}) as db:
            self._versioned(db, task_id, values, row_version)
        return self.get(task_id)

    def _versioned(self, db: Database, task_id: str, values: dict[str, object],
                   row_version: int) -> None:
        if not versioned_update(db, "tasks", task_id, {
                **values, "updated_at": now_utc(), "updated_by": self._ctx.session.user_id},
                row_version):
            from shelter_app.services.cases import concurrent_change

            raise concurrent_change()

    # -- reading ------------------------------------------------------------------------
    def _row(self, task_id: str) -> Row:
        row = self._ctx.db.one("SELECT * FROM tasks WHERE id = :id", {"id": task_id})
        if row is None:
            raise NotFound(_("No such task."))
        return row

    def get(self, task_id: str) -> Task:
        row = self._ctx.db.one(f"{SELECT} WHERE t.id = :id", {"id": task_id})
        if row is None:
            raise NotFound(_("No such task."))
        self._access.require(row["case_id"], Action.MANAGE_TASKS)
        return self._with_standing(row)

    def _with_standing(self, row: Row, known: dict[tuple[str, str], bool] | None = None
                       ) -> Task:
        """The task, saying whether its person still works on its case."""
        person = row["assigned_to"]
        what = open_what(self._ctx, row)
        if person is None:
            return _task(row, what)
        key = (row["case_id"], person)
        if known is None or key not in known:
            standing = may_work_on(self._ctx.db, row["case_id"], person)
            if known is None:
                return _task(row, what, standing)
            known[key] = standing
        return _task(row, what, known[key])

    def list_for_case(self, case_id: str) -> builtins.list[Task]:
        """Open tasks first (the earliest due first, undated last), then done ones, the
        most recently ticked first."""
        self._access.require(case_id, Action.MANAGE_TASKS)
        rows = self._ctx.db.all(
            f"{SELECT} WHERE t.case_id = :c ORDER BY t.done_at IS NOT NULL,"
            " CASE WHEN t.done_at IS NULL THEN t.due_on IS NULL END,"
            " CASE WHEN t.done_at IS NULL THEN t.due_on END,"
            " t.done_at DESC, t.created_at", {"c": case_id})
        return [self._with_standing(r) for r in rows]

    def open_for(self, user_id: str | None = None, *, everyone: bool = False,
                 limit: int = 10_000) -> builtins.list[Task]:
        """Open tasks in the cases the user may work on: those given to *user_id* (the
        signed-in person by default), or every open task when *everyone*; overdue first,
        then by due date, undated last."""
        self._require_some_scope()
        visible, params = self._access.visible_sql("c", Action.MANAGE_TASKS)
        mine = "" if everyone else " AND t.assigned_to = :who"
        rows = self._ctx.db.all(
            f"{SELECT} WHERE t.done_at IS NULL AND {visible}{mine}"
            " ORDER BY t.due_on IS NULL, t.due_on, c.code, t.created_at LIMIT :limit",
            {**params, "who": user_id or self._ctx.session.user_id, "limit": limit})
        known: dict[tuple[str, str], bool] = {}
        return [self._with_standing(r, known) for r in rows]

    def _require_some_scope(self) -> None:
        """Refuse (and audit) a user whose roles allow tasks on no case at all."""
        if not any(self._ctx.allowed(Action.MANAGE_TASKS, s)
                   for s in (Scope.ASSIGNED, Scope.SHARED, Scope.OTHER)):
            self._ctx.require(Action.MANAGE_TASKS, Scope.OTHER)
