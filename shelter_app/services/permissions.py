"""The one permission decision: role × action × scope → allowed or not.

Every service call asks ``decide`` (through ``ServiceContext.require``); nothing else in the
application decides access.  The table is deliberately explicit, so a reviewer can read
who may do what without following code.
"""

from __future__ import annotations

from collections.abc import Iterable

from shelter_app.domain.roles import Action, Role, Scope

A, S = Action, Scope
_ANY_CASE = frozenset({S.ASSIGNED, S.SHARED, S.OTHER})
_ORG = frozenset({S.NONE})
_ORG_AND_CASES = _ORG | _ANY_CASE

_ADMIN: dict[Action, frozenset[Scope]] = {
    A.MANAGE_USERS: _ORG,
    A.CHANGE_SETTINGS: _ORG,
    A.BACKUP: _ORG,
    A.VERIFY: _ORG,
    A.REKEY: _ORG,
    A.PRINT_RECOVERY_SHEET: _ORG,
    A.VIEW_AUDIT: _ORG,  # the audit log, which mostly records administrators' own work
}

_COORDINATOR: dict[Action, frozenset[Scope]] = {
    **{a: _ORG_AND_CASES for a in (
        A.READ_CASE, A.CREATE_CASE, A.EDIT_CASE, A.READ_HEALTH, A.EDIT_HEALTH, A.READ_LEGAL,
        A.EDIT_LEGAL, A.EDIT_TIMELINE, A.EDIT_FAMILY, A.MANAGE_CONSENT, A.RECORD_SERVICE,
        A.MANAGE_REFERRALS, A.MANAGE_APPOINTMENTS, A.MANAGE_DOCUMENTS, A.PRODUCE_PACKET,
        A.ASSIGN_CASE, A.SHARE_CASE, A.BREAK_GLASS, A.VIEW_AUDIT, A.MANAGE_TASKS,
    )},
    A.EXPORT_CASES: _ORG,
    A.IMPORT_CASES: _ORG,
    A.VIEW_STATISTICS: _ORG,
    A.PURGE_RECORDS: _ORG,
    A.MANAGE_PARTNERS: _ORG,
    A.READ_PARTNERS: _ORG,
    A.MANAGE_CATALOGUE: _ORG,
    A.VERIFY: _ORG,
    A.REKEY: _ORG,  # with the content keys, which only a coordinator's session gives
}

_ASSIGNED_ONLY = frozenset({S.ASSIGNED})
_CASEWORKER: dict[Action, frozenset[Scope]] = {
    **{a: _ASSIGNED_ONLY for a in (
        A.READ_CASE, A.EDIT_CASE, A.READ_HEALTH, A.EDIT_HEALTH, A.READ_LEGAL, A.MANAGE_CONSENT,
        A.EDIT_TIMELINE, A.EDIT_FAMILY, A.RECORD_SERVICE, A.MANAGE_REFERRALS,
        A.MANAGE_APPOINTMENTS,
        A.MANAGE_DOCUMENTS, A.PRODUCE_PACKET, A.MANAGE_TASKS,
    )},
    A.CREATE_CASE: _ORG,
    A.READ_PARTNERS: _ORG,
    A.EXPORT_CASES: _ORG,  # exports hold only the cases the caseworker may read
}

_SHARED_ONLY = frozenset({S.SHARED})
_LEGAL: dict[Action, frozenset[Scope]] = {
    # identity, legal matters, the timeline, appointments and documents of shared cases;
    # never health
    **{a: _SHARED_ONLY for a in (
        A.READ_CASE, A.READ_LEGAL, A.EDIT_LEGAL, A.EDIT_TIMELINE, A.EDIT_FAMILY,
        A.MANAGE_APPOINTMENTS,
        A.MANAGE_DOCUMENTS, A.PRODUCE_PACKET, A.MANAGE_TASKS,
    )},
    A.READ_PARTNERS: _ORG,
    A.EXPORT_CASES: _ORG,
}

MATRIX: dict[Role, dict[Action, frozenset[Scope]]] = {
    Role.ADMIN: _ADMIN,
    Role.COORDINATOR: _COORDINATOR,
    Role.CASEWORKER: _CASEWORKER,
    Role.LEGAL: _LEGAL,
}

# Actions that show survivor content: the admin role alone never gets these.
SURVIVOR_CONTENT = frozenset(
    a for a in Action if a.value.startswith("case.")
    or a in (A.EXPORT_CASES, A.IMPORT_CASES, A.VIEW_STATISTICS, A.PURGE_RECORDS)
)


def decide(roles: Iterable[Role], action: Action, scope: Scope = Scope.NONE) -> bool:
    """True when any of *roles* allows *action* on a record of *scope*."""
    return any(scope in MATRIX[role].get(action, frozenset()) for role in roles)
