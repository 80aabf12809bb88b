"""The one path every service call takes: who is acting, may they, and what is recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.roles import ROLE_LABELS, Action, Role, Scope
from shelter_app.errors import PermissionDenied, VaultDamaged
from shelter_app.i18n import _
from shelter_app.services.permissions import decide
from shelter_app.store.audit import AuditLog
from shelter_app.store.db import Database
from shelter_app.vault.vault import OpenVault


@dataclass(frozen=True)
class Session:
    user_id: str
    username: str
    display_name: str
    roles: frozenset[Role]
    must_change_passphrase: bool = False

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [_(ROLE_LABELS[r]) for r in sorted(self.roles)]


class ServiceContext:
    """Shared by the services of one session; holds no global state."""

    def __init__(self, opened: OpenVault) -> None:
        self.vault = opened
        self.db: Database = opened.db
        self.audit: AuditLog = opened.audit
        self.session = self._load_session(opened)

    def _load_session(self, opened: OpenVault) -> Session:
        row = self.db.one("SELECT username, display_name, roles, must_change_passphrase"
                          " FROM users WHERE id = :id", {"id": opened.user_id})
        if row is None:
            raise VaultDamaged(_("The signed-in account is missing from the database."))
        roles = frozenset(Role(r) for r in json.loads(row["roles"]))
        return Session(opened.user_id, row["username"], row["display_name"], roles,
                       bool(row["must_change_passphrase"]))

    def refresh_session(self) -> None:
        self.session = self._load_session(self.vault)

    # -- permission ----------------------------------------------------------------
    def allowed(self, action: Action, scope: Scope = Scope.NONE) -> bool:
        """The roles' decision, for an account that has chosen its own passphrase: one
        still on a temporary passphrase may do nothing but change it."""
        return not self.session.must_change_passphrase and decide(self.session.roles, action,
                                                                  scope)

    def require(self, action: Action, scope: Scope = Scope.NONE, *,
                target_type: str | None = None, target_id: str | None = None) -> None:
        """Raise PermissionDenied (and record the refusal) unless the session may act."""
        if self.allowed(action, scope):
            return
        self.audit.append(Event.PERMISSION_DENIED, actor_id=self.session.user_id,
                          target_type=target_type, target_id=target_id,
                          outcome=Outcome.DENIED, details={"action": str(action)})
        if self.session.must_change_passphrase:
            raise PermissionDenied(_("This account still has a temporary passphrase. Choose "
                                     "your own passphrase first."))
        raise PermissionDenied(
            _("Your account's roles do not allow this. Ask a coordinator or administrator "
              "if you need it.")
        )

    # -- the write path ------------------------------------------------------------
    @contextmanager
    def write(self, action: Action, event: Event, *, scope: Scope = Scope.NONE,
              target_type: str | None = None, target_id: str | None = None,
              details: dict[str, Any] | None = None) -> Iterator[Database]:
        """Check *action*, then run the caller's changes and *event* in one transaction."""
        self.require(action, scope, target_type=target_type, target_id=target_id)
        with self.db.transaction() as db:
            yield db
            self.audit.append(event, actor_id=self.session.user_id, target_type=target_type,
                              target_id=target_id, details=details)
        self.vault.anchor_if_due()

    def record(self, event: Event, *, target_type: str | None = None,
               target_id: str | None = None, details: dict[str, Any] | None = None,
               outcome: Outcome = Outcome.OK) -> None:
        """Record a read or session event (opened, searched, locked) in its own transaction."""
        self.audit.append(event, actor_id=self.session.user_id, target_type=target_type,
                          target_id=target_id, details=details, outcome=outcome)
        self.vault.anchor_if_due()
