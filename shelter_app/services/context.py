"""The one path every service call takes: who is acting, may they, and what is recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, overload

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shelter_app.domain.audit import Event, Outcome
from shelter_app.domain.key_classes import KeyName
from shelter_app.domain.roles import ROLE_LABELS, Action, Role, Scope
from shelter_app.errors import KeysNotGiven, PermissionDenied, StorageFailure, VaultDamaged
from shelter_app.i18n import _
from shelter_app.services.permissions import decide
from shelter_app.store.audit import AuditLog
from shelter_app.store.db import Database
from shelter_app.vault import fields
from shelter_app.vault.blind_index import Tagger
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


def keys_not_given(*, reading: bool) -> KeysNotGiven:
    """The refusal for an account whose roles allow the records but whose key to them has
    not been given yet (docs/VAULT_FORMAT.md, section 3.5)."""
    if reading:
        return KeysNotGiven(_(
            "Your account has not received the key to these records yet. A coordinator's "
            "next sign-in gives it; until then they cannot be read from this account."))
    return KeysNotGiven(_(
        "Your account has not received the key to these records yet. A coordinator's "
        "next sign-in gives it; until then they cannot be written from this account."))


def require_case_key(ctx: ServiceContext) -> None:
    """Refuse a write of case-class text at once when the session lacks the case key, before
    anything else is checked or asked (an empty required text, a double booking): it could
    not be saved anyway, and that is what the person needs to hear."""
    if not ctx.vault.keyring.holds(KeyName.CASE):
        raise keys_not_given(reading=False)


# What a session on a read-only vault may do without its audit record: read, search, look
# at counts or a purge list, check the vault, copy it elsewhere, and end.  Anything else
# that would be recorded (an export, a printed list, a fingerprint) is refused before it
# starts (``ServiceContext.refuse_if_read_only``), because it could not be.
UNRECORDED_WHEN_READ_ONLY = frozenset({
    Event.RECORD_OPENED, Event.SECTION_OPENED, Event.SEARCH, Event.STATISTICS, Event.VERIFY,
    Event.RETENTION_REVIEWED, Event.BACKUP, Event.LOCK, Event.UNLOCK, Event.AUTO_LOCK,
    Event.SIGN_OUT, Event.QUICK_EXIT,
    Event.PERMISSION_DENIED,  # the refusal itself is still raised, as on any vault
})


def read_only_refusal() -> StorageFailure:
    return StorageFailure(_(
        "This vault is open read-only: its disk cannot be written to, so this could not be "
        "recorded and was not done. To work in it, copy the vault folder to a disk that can "
        "be written to."))


class ServiceContext:
    """Shared by the services of one session; holds no global state."""

    def __init__(self, opened: OpenVault) -> None:
        self.vault = opened
        self.db: Database = opened.db
        self.audit: AuditLog = opened.audit
        self.session = self._load_session(opened)
        # (case key, the name index's key derived from it: services/case_fields.py)
        self.index_key: tuple[bytes, Tagger] | None = None
        self.row_seal_key: tuple[bytes, bytes] | None = None  # (case key, row seals' key)
        self._ciphers: dict[str, tuple[bytes, AESGCM]] = {}  # content key's name → cipher

    def _load_session(self, opened: OpenVault) -> Session:
        row = self.db.one("SELECT username, display_name, roles, must_change_passphrase"
                          " FROM users WHERE id = :id", {"id": opened.user_id})
        if row is None:
            raise VaultDamaged(_("The signed-in account is missing from the database."))
        signed = opened.keyring.signed_roles
        # The administrator's signed statement decides; the database's copy is for queries
        # (a difference was recorded as an integrity failure at sign-in).
        roles = frozenset(Role(r) for r in (signed if signed is not None
                                             else json.loads(row["roles"])))
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
        if not self.vault.read_only:
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

    def forget_keys(self) -> None:
        """Drop what the session derived from its content keys (at lock)."""
        self.index_key = self.row_seal_key = None
        self._ciphers.clear()

    # -- sealed fields (vault/fields.py) -------------------------------------------
    @overload
    def seal(self, key_name: str, table: str, row_id: str, column: str, value: str) -> str: ...
    @overload
    def seal(self, key_name: str, table: str, row_id: str, column: str,
             value: bytes) -> bytes: ...
    def seal(self, key_name: str, table: str, row_id: str, column: str,
             value: str | bytes) -> str | bytes:
        """*value* (text, or a file's bytes) sealed under the session's *key_name* content
        key, for one column."""
        key = self.vault.keyring.key(key_name)
        if key is None:
            raise keys_not_given(reading=False)
        return fields.seal(self._cipher(key_name, key), table, row_id, column, value)

    def cipher(self, key_name: str) -> AESGCM | None:
        """The session's cipher for *key_name*, for a caller that opens many values of one
        kind at once (``vault.fields.open_sealed``); None without the key."""
        key = self.vault.keyring.key(key_name)
        return None if key is None else self._cipher(key_name, key)

    def _cipher(self, key_name: str, key: bytes) -> AESGCM:
        held = self._ciphers.get(key_name)
        if held is None or held[0] != key:  # the key schedule is made once a key
            held = self._ciphers[key_name] = (key, AESGCM(key))
        return held[1]

    @overload
    def unseal(self, key_name: str, table: str, row_id: str, column: str,
               value: str) -> str | None: ...
    @overload
    def unseal(self, key_name: str, table: str, row_id: str, column: str,
               value: bytes) -> bytes | None: ...
    def unseal(self, key_name: str, table: str, row_id: str, column: str,
               value: str | bytes) -> str | bytes | None:
        """The text (or bytes) of a stored *value*; None when this session does not hold
        the key."""
        if not fields.is_sealed(value):
            return bytes(value) if isinstance(value, bytes | memoryview) else value
        key = self.vault.keyring.key(key_name)
        if key is None:
            return None
        try:
            cipher = self._cipher(key_name, key)
            if isinstance(value, str):
                return fields.open_sealed(cipher, table, row_id, column, value)
            return fields.open_value(cipher, table, row_id, column, value)
        except fields.FieldDamaged as exc:
            raise VaultDamaged(_(
                "A sealed field of this record does not open: the database was edited "
                "outside the application. Ask your administrator to run the vault check and "
                "restore the newest backup.")) from exc

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
        if not self.db.in_transaction:  # joined an outer one: its changes are not kept yet
            self.vault.anchor_if_due()

    def refuse_if_read_only(self) -> None:
        """Before something that leaves the vault and must be recorded (an export, a
        printed list): refused at once on a read-only vault, before any file is written."""
        if self.vault.read_only:
            raise read_only_refusal()

    def record(self, event: Event, *, target_type: str | None = None,
               target_id: str | None = None, details: dict[str, Any] | None = None,
               outcome: Outcome = Outcome.OK) -> None:
        """Record a read or session event (opened, searched, locked) in its own transaction.

        A vault opened from a disk that cannot be written records nothing: the person was
        told so when she signed in (``OpenVault.read_only``)."""
        if self.vault.read_only:
            if event in UNRECORDED_WHEN_READ_ONLY:
                return
            raise read_only_refusal()
        self.audit.append(event, actor_id=self.session.user_id, target_type=target_type,
                          target_id=target_id, details=details, outcome=outcome)
        self.vault.anchor_if_due()
