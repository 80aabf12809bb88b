"""Which cases the signed-in user may see, derived from the one permission table.

A case outside the user's scope is reported exactly like a case that does not exist, so a
user never learns that it is there; the refusal is still audited.
"""

from __future__ import annotations

from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.roles import Action, Scope
from shelter_app.errors import NotFound
from shelter_app.i18n import _
from shelter_app.services.context import ServiceContext


def no_such_case() -> NotFound:
    return NotFound(_("No case with that reference is available to you."))


class CaseAccess:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def scope(self, case_id: str) -> Scope | None:
        """How the user stands to *case_id*; None if there is no such case."""
        row = self._ctx.db.one(
            "SELECT c.assigned_to, EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = c.id"
            " AND s.user_id = :me) AS shared FROM cases c WHERE c.id = :id",
            {"id": case_id, "me": self._ctx.session.user_id},
        )
        if row is None:
            return None
        if row["assigned_to"] == self._ctx.session.user_id:
            return Scope.ASSIGNED
        if row["shared"]:
            return Scope.SHARED
        return Scope.OTHER

    def require(self, case_id: str, action: Action) -> Scope:
        """The user's scope on *case_id* if *action* is allowed there; otherwise NotFound
        (and an audited refusal when the case exists).

        An action the user's roles allow on no case at all (an administrator reading a
        case, a legal volunteer recording a service) is refused with PermissionDenied
        whether or not the case exists, so the answer tells nothing about the case."""
        if not any(self._ctx.allowed(action, s) for s in (Scope.ASSIGNED, Scope.SHARED,
                                                            Scope.OTHER)):
            self._ctx.require(action, Scope.OTHER, target_type="case", target_id=case_id)
        scope = self.scope(case_id)
        if scope is None:
            raise no_such_case()
        if not self._ctx.allowed(action, scope):
            readable = self._ctx.allowed(Action.READ_CASE, scope)
            self._ctx.record(Event.PERMISSION_DENIED, target_type="case", target_id=case_id,
                             outcome=Outcome.DENIED, details={"action": str(action)})
            if readable:
                # The user can see the case, so saying it is missing would be a lie.
                from shelter_app.errors import PermissionDenied

                raise PermissionDenied(
                    _("Your account's roles do not allow this on this case."))
            raise no_such_case()
        return scope

    def visible_sql(self, alias: str = "c", action: Action = Action.READ_CASE
                    ) -> tuple[str, dict[str, str]]:
        """A WHERE fragment limiting *alias* (the cases table) to what *action* allows."""
        me = {"me_scope": self._ctx.session.user_id}
        if self._ctx.allowed(action, Scope.OTHER):
            return "1", {}
        parts = []
        if self._ctx.allowed(action, Scope.ASSIGNED):
            parts.append(f"{alias}.assigned_to = :me_scope")
        if self._ctx.allowed(action, Scope.SHARED):
            parts.append(f"EXISTS (SELECT 1 FROM case_shares s_ WHERE s_.case_id = {alias}.id"  # noqa: S608
                         " AND s_.user_id = :me_scope)")
        if not parts:
            return "0", {}
        return "(" + " OR ".join(parts) + ")", me
