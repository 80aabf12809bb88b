"""Staff accounts: add, disable, re-enable, reset, roles, and changing one's own passphrase."""

from __future__ import annotations

import builtins
import json
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import replace

from shelter_app.domain.accounts import (
    Account,
    username_key,
    validate_passphrase,
    validate_roles,
    validate_username,
)
from shelter_app.domain.audit import Event
from shelter_app.domain.confusables import skeleton
from shelter_app.domain.roles import Action, Role
from shelter_app.errors import NotFound, ValidationError, WrongPassphrase
from shelter_app.i18n import _
from shelter_app.i18n.formatting import isolated
from shelter_app.services.context import ServiceContext
from shelter_app.store.audit import now_utc
from shelter_app.store.db import Row
from shelter_app.vault.keyslots import RECOVERY_ID


def _account(row: Row) -> Account:
    return Account(
        id=row["id"], username=row["username"], display_name=row["display_name"],
        roles=frozenset(Role(r) for r in json.loads(row["roles"])), status=row["status"],
        must_change_passphrase=bool(row["must_change_passphrase"]),
        last_sign_in_at=row["last_sign_in_at"],
    )


class AccountService:
    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- reading -------------------------------------------------------------------
    def list(self) -> list[Account]:
        self._ctx.require(Action.MANAGE_USERS)
        rows = self._ctx.db.all("SELECT * FROM users ORDER BY username_key")
        vault = self._ctx.vault
        vault.refresh_slots()
        return [replace(_account(r), keys=vault.key_state(r["id"])) for r in rows]

    def current(self) -> Account:
        row = self._ctx.db.one("SELECT * FROM users WHERE id = :id",
                               {"id": self._ctx.session.user_id})
        assert row is not None
        return replace(_account(row), keys=self._ctx.vault.key_state(row["id"]))

    def _by_name(self, username: str) -> Account:
        row = self._ctx.db.one("SELECT * FROM users WHERE username_key = :k",
                               {"k": username_key(username)})
        if row is None:
            raise NotFound(_("There is no account with that user name."))
        return _account(row)

    def _active_admins(self) -> int:
        rows = self._ctx.db.all("SELECT roles FROM users WHERE status = 'active'")
        return sum(1 for r in rows if Role.ADMIN.value in json.loads(r["roles"]))

    # -- changing ------------------------------------------------------------------
    def _refuse_look_alike(self, username: str) -> None:
        """A new name may not look like an existing account's (TR39 skeletons,
        domain/confusables.py): ``аdmin`` beside ``admin``, ``anal`` beside ``ana1``."""
        wanted = skeleton(username)
        for (existing,) in self._ctx.db.execute("SELECT username FROM users"):
            if skeleton(existing) == wanted:
                raise ValidationError(_(
                    "That user name looks like the existing account {user}: choose one that "
                    "cannot be taken for it.").format(user=isolated(existing)), "username")

    def add(self, username: str, roles: Iterable[str], temporary_passphrase: str, *,
            display_name: str = "", temporary: bool = True) -> Account:
        """A new account that must choose its own passphrase at first sign-in (unless
        *temporary* is False, as for the demo vault's accounts)."""
        self._ctx.require(Action.MANAGE_USERS)
        username = validate_username(username)
        role_set = validate_roles(set(roles))
        temporary_passphrase = validate_passphrase(temporary_passphrase, username=username)
        if self._ctx.db.scalar("SELECT 1 FROM users WHERE username_key = :k",
                               {"k": username_key(username)}):
            raise ValidationError(_("An account with that user name already exists."), "username")
        self._refuse_look_alike(username)
        user_id = str(uuid.uuid4())
        now = now_utc()
        actor = self._ctx.session.user_id
        with self._keyslot_rollback(), self._ctx.write(
            Action.MANAGE_USERS, Event.USER_ADDED, target_type="user", target_id=user_id,
            details={"roles": sorted(r.value for r in role_set)},
        ) as db:
            db.execute(
                "INSERT INTO users (id, username, username_key, display_name, roles, status,"
                " must_change_passphrase, created_at, updated_at, created_by, updated_by)"
                " VALUES (:id, :name, :key, :display, :roles, 'active', :temp, :now, :now,"
                " :actor, :actor)",
                {"id": user_id, "name": username, "key": username_key(username),
                 "display": display_name.strip(),
                 "roles": json.dumps(sorted(r.value for r in role_set)),
                 "now": now, "actor": actor, "temp": int(temporary)},
            )
            self._ctx.vault.set_account_slot(user_id, username, temporary_passphrase,
                                             sorted(r.value for r in role_set))
        return self._by_name(username)

    def disable(self, username: str) -> None:
        """Disable an account and destroy its keyslot: it can no longer unwrap the key."""
        self._ctx.require(Action.MANAGE_USERS)
        account = self._by_name(username)
        if account.id == self._ctx.session.user_id:
            raise ValidationError(_("You cannot disable your own account."), "username")
        if account.status == "disabled":
            raise ValidationError(_("That account is already disabled."), "username")
        if Role.ADMIN in account.roles and self._active_admins() <= 1:
            raise ValidationError(_("This is the last active administrator account."), "username")
        with self._keyslot_rollback(), self._ctx.write(
            Action.MANAGE_USERS, Event.USER_DISABLED, target_type="user", target_id=account.id,
        ) as db:
            db.execute("UPDATE users SET status = 'disabled', updated_at = :now,"
                       " updated_by = :actor, row_version = row_version + 1 WHERE id = :id",
                       {"now": now_utc(), "actor": self._ctx.session.user_id, "id": account.id})
            self._ctx.vault.disable_slot(account.id)

    def enable(self, username: str, temporary_passphrase: str) -> None:
        """Re-enable with a new temporary passphrase (the old keyslot was destroyed)."""
        self._set_temporary(username, temporary_passphrase, Event.USER_ENABLED, enable=True)

    def reset(self, username: str, temporary_passphrase: str) -> None:
        """Give a temporary passphrase that must be changed at the next sign-in."""
        self._set_temporary(username, temporary_passphrase, Event.USER_RESET, enable=False)

    def _set_temporary(self, username: str, passphrase: str, event: Event, *, enable: bool) -> None:
        self._ctx.require(Action.MANAGE_USERS)
        account = self._by_name(username)
        if enable and account.status == "active":
            raise ValidationError(_("That account is already active."), "username")
        if not enable and account.status != "active":
            raise ValidationError(
                _("That account is disabled. Re-enable it with a temporary passphrase."), "username"
            )
        if account.id == self._ctx.session.user_id:
            raise ValidationError(_("You cannot set a temporary passphrase for your own "
                                    "account. Change your own passphrase instead."), "username")
        passphrase = validate_passphrase(passphrase, username=account.username)
        with self._keyslot_rollback(), self._ctx.write(
            Action.MANAGE_USERS, event, target_type="user", target_id=account.id,
        ) as db:
            db.execute("UPDATE users SET status = 'active', must_change_passphrase = 1,"
                       " updated_at = :now, updated_by = :actor,"
                       " row_version = row_version + 1 WHERE id = :id",
                       {"now": now_utc(), "actor": self._ctx.session.user_id, "id": account.id})
            self._ctx.vault.set_account_slot(account.id, account.username, passphrase,
                                             self._signed_roles(account))

    def set_roles(self, username: str, roles: Iterable[str]) -> None:
        self._ctx.require(Action.MANAGE_USERS)
        account = self._by_name(username)
        role_set = validate_roles(set(roles))
        if (Role.ADMIN in account.roles and Role.ADMIN not in role_set
                and account.status == "active" and self._active_admins() <= 1):
            raise ValidationError(_("This is the last active administrator account."), "roles")
        with self._keyslot_rollback(), self._ctx.write(
                Action.MANAGE_USERS, Event.ROLES_CHANGED, target_type="user",
                target_id=account.id, details={"roles": sorted(r.value for r in role_set)}) as db:
            db.execute("UPDATE users SET roles = :roles, updated_at = :now, updated_by = :actor,"
                       " row_version = row_version + 1 WHERE id = :id",
                       {"roles": json.dumps(sorted(r.value for r in role_set)), "now": now_utc(),
                        "actor": self._ctx.session.user_id, "id": account.id})
            self._ctx.vault.sign_roles(account.id, sorted(r.value for r in role_set))
        if account.id == self._ctx.session.user_id:
            self._ctx.refresh_session()

    def change_own_passphrase(self, current: str, new: str) -> None:
        """Rewrites only this account's keyslot; the database key stays the same."""
        session = self._ctx.session
        new = validate_passphrase(new, username=session.username)
        try:
            self._ctx.vault.verify_passphrase(current)
        except WrongPassphrase as exc:
            raise WrongPassphrase(_("The current passphrase is not correct.")) from exc
        if unicodedata.normalize("NFC", current) == new:
            raise ValidationError(_("Choose a passphrase different from the current one."), "new")
        with self._keyslot_rollback(), self._ctx.db.transaction() as db:
            db.execute("UPDATE users SET must_change_passphrase = 0, updated_at = :now,"
                       " updated_by = :id, row_version = row_version + 1 WHERE id = :id",
                       {"now": now_utc(), "id": session.user_id})
            self._ctx.record(Event.PASSPHRASE_CHANGED, target_type="user",
                             target_id=session.user_id)
            self._ctx.vault.set_own_passphrase(new)
        self._ctx.refresh_session()

    def give_keys_with_recovery(self, recovery_key: str) -> int:
        """An administrator, with the recovery key: every active account receives the keys
        its signed roles allow and lacks (after the last coordinator holding the content
        keys left, say).  Returns how many accounts received keys; each is recorded."""
        self._ctx.require(Action.MANAGE_USERS)
        with self._keyslot_rollback(), self._ctx.db.transaction():
            given = self._ctx.vault.give_keys_with_recovery(recovery_key)
            for user_id, names in given.items():
                self._ctx.record(Event.KEYS_GRANTED,
                                 target_type="keyslot" if user_id == RECOVERY_ID else "user",
                                 target_id=user_id, details={"keys": names, "reason": "recovery"})
        self._ctx.vault.vault.attempts.clear(RECOVERY_ID)  # in the chain now
        return sum(1 for user_id in given if user_id != RECOVERY_ID)

    def _signed_roles(self, account: Account) -> builtins.list[str]:
        """The roles an administrator signed for *account*; the database's copy only when
        there is no statement (a disabled account being re-enabled)."""
        signed = self._ctx.vault.signed_roles_of(account.id)
        return sorted(signed) if signed is not None else sorted(r.value for r in account.roles)

    def _keyslot_rollback(self) -> _SlotGuard:
        return _SlotGuard(self._ctx)


class _SlotGuard:
    """If the database transaction fails after keyslots.json was rewritten, put it back."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._before: bytes | None = None

    def __enter__(self) -> None:
        path = self._ctx.vault.vault.keyslots_path
        self._before = path.read_bytes()

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None or self._before is None:
            return
        from shelter_app.vault.fileio import atomic_write

        path = self._ctx.vault.vault.keyslots_path
        if path.read_bytes() != self._before:
            atomic_write(path, self._before)
            self._ctx.vault.restore_slots()
