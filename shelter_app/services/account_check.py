"""The vault check's look at accounts: roles signed by an administrator, and the same in
the database; every account's key slot in step with its status (VAULT_FORMAT.md 3.7)."""

from __future__ import annotations

from shelter_app.domain.roles import ROLE_LABELS, Role, stored_roles
from shelter_app.errors import ShelterError
from shelter_app.i18n import _
from shelter_app.i18n.formatting import isolated
from shelter_app.store.db import Database
from shelter_app.vault.keyring import statement_roles
from shelter_app.vault.keyslots import RECOVERY_ID, KeyslotFile
from shelter_app.vault.vault import OpenVault


def _labels(roles: set[str]) -> str:
    return ", ".join(_(ROLE_LABELS[Role(r)]) for r in sorted(roles) if r in set(Role)) or "—"


def account_problems(opened: OpenVault, db: Database) -> tuple[int, list[str]]:
    """(accounts checked, one sentence per problem)."""
    try:
        slots = KeyslotFile.load(opened.vault.keyslots_path)
    except ShelterError as exc:
        return 0, [exc.message]
    problems: list[str] = []
    rows = db.all("SELECT id, username, roles, status FROM users ORDER BY username")
    known = {row["id"] for row in rows}
    for row in rows:
        user = isolated(row["username"])
        slot = slots.by_user_id(row["id"])
        active = slot is not None and slot.status == "active"
        if row["status"] != "active":
            if active:
                problems.append(_("Account {user}: disabled in the database, but its key slot "
                                  "still opens the vault.").format(user=user))
            continue
        if not active:
            problems.append(_("Account {user}: active in the database, but it has no key "
                              "slot.").format(user=user))
            continue
        assert slot is not None
        if slots.version < 2:
            continue
        signed = statement_roles(slots, slot, opened.keyring.verify_key)
        if signed is None:
            problems.append(_("Account {user}: its roles do not carry a valid administrator's "
                              "signature.").format(user=user))
            continue
        stored = set(stored_roles(row["roles"]))
        if stored != set(signed):
            problems.append(_(
                "Account {user}: the database gives the roles {stored}, but an administrator "
                "signed {signed}. The database was edited outside the application; the "
                "signed roles are the ones that count.").format(
                    user=user, stored=_labels(stored), signed=_labels(set(signed))))
    for slot in slots.slots:
        if slot.user_id != RECOVERY_ID and slot.user_id not in known:
            problems.append(_("The key file has a slot for an account the database does not "
                              "know."))
    return len(rows), problems
