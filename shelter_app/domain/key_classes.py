"""Which keys an account's roles entitle it to (docs/VAULT_FORMAT.md, section 3.5).

Survivor content is kept under one key per class; the database key opens the file as a
whole; the administration key signs the statement of each account's roles.  An account
holds exactly the keys its roles may use: this table is the whole rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from shelter_app.domain.roles import Role


class KeyName(StrEnum):
    DATABASE = "database"  # SQLCipher's raw key: every account
    ADMINISTRATION = "administration"  # Ed25519 key that signs account statements
    CASE = "case"  # identity, contact, situation, services, referrals, appointments
    HEALTH = "health"  # health needs, psychosocial and medical notes
    LEGAL = "legal"  # legal matters, evidence, proceedings, claims
    # The vault's first database key, kept from its first re-key on: the audit chain and
    # its anchors stay under the key they began with.  Every account holds it.
    INTEGRITY = "integrity"


CONTENT_KEYS: tuple[KeyName, ...] = (KeyName.CASE, KeyName.HEALTH, KeyName.LEGAL)

ROLE_KEYS: dict[Role, frozenset[KeyName]] = {
    Role.ADMIN: frozenset({KeyName.DATABASE, KeyName.ADMINISTRATION}),
    Role.COORDINATOR: frozenset({KeyName.DATABASE, *CONTENT_KEYS}),
    Role.CASEWORKER: frozenset({KeyName.DATABASE, *CONTENT_KEYS}),
    Role.LEGAL: frozenset({KeyName.DATABASE, KeyName.CASE, KeyName.LEGAL}),
}

# Every key, for the recovery slot: the recovery key is the organisation's last resort.
ALL_KEYS: frozenset[KeyName] = frozenset(KeyName)

# Roles whose sessions hand content keys to accounts entitled to them (two-person rule:
# an administrator makes the account and signs its roles, a coordinator gives the keys).
GRANTING_ROLES = frozenset({Role.COORDINATOR})


def keys_for(roles: Iterable[Role | str]) -> frozenset[KeyName]:
    """The keys an account with *roles* holds; every account holds the database key and,
    once a re-key made it, the integrity key."""
    held: set[KeyName] = {KeyName.DATABASE, KeyName.INTEGRITY}
    for role in roles:
        held |= ROLE_KEYS[Role(role)]
    return frozenset(held)
