"""One permission decision for every service call, refusals audited, and each write committed
together with its audit event or not at all."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from shelter_app.domain.audit import Event
from shelter_app.domain.roles import Action, Role, Scope
from shelter_app.errors import PermissionDenied
from shelter_app.services.permissions import MATRIX, SURVIVOR_CONTENT, decide
from shelter_app.services.registry import Services
from shelter_app.store.audit import AuditLog
from shelter_app.vault.vault import OpenVault, Vault
from tests.conftest import ADMIN_PASS, TEMP_PASS, add_user, signed_in

A, S = Action, Scope
ALL_SCOPES = frozenset(Scope)
CASE_SCOPES = frozenset({S.ASSIGNED, S.SHARED, S.OTHER})
CASE_ACTIONS = frozenset(a for a in Action if a.value.startswith("case."))

# The matrix as the design describes it, written out independently of the code: a change to
# who may do what has to be made in both places, on purpose.
EXPECTED: dict[Role, dict[Action, frozenset[Scope]]] = {
    Role.ADMIN: {a: frozenset({S.NONE}) for a in (
        A.MANAGE_USERS, A.CHANGE_SETTINGS, A.BACKUP, A.VERIFY, A.REKEY,
        A.PRINT_RECOVERY_SHEET, A.VIEW_AUDIT)},
    Role.COORDINATOR: {
        **{a: ALL_SCOPES for a in CASE_ACTIONS | {A.VIEW_AUDIT}},
        **{a: frozenset({S.NONE}) for a in (
            A.EXPORT_CASES, A.IMPORT_CASES, A.VIEW_STATISTICS, A.PURGE_RECORDS,
            A.MANAGE_PARTNERS, A.READ_PARTNERS, A.MANAGE_CATALOGUE, A.VERIFY, A.REKEY)},
    },
    Role.CASEWORKER: {
        **{a: frozenset({S.ASSIGNED}) for a in (
            A.READ_CASE, A.EDIT_CASE, A.READ_HEALTH, A.EDIT_HEALTH, A.READ_LEGAL,
            A.MANAGE_CONSENT, A.EDIT_TIMELINE, A.EDIT_FAMILY, A.RECORD_SERVICE,
            A.MANAGE_REFERRALS,
            A.MANAGE_APPOINTMENTS, A.MANAGE_DOCUMENTS, A.PRODUCE_PACKET, A.MANAGE_TASKS)},
        **{a: frozenset({S.NONE}) for a in (A.CREATE_CASE, A.READ_PARTNERS, A.EXPORT_CASES)},
    },
    Role.LEGAL: {
        **{a: frozenset({S.SHARED}) for a in (
            A.READ_CASE, A.READ_LEGAL, A.EDIT_LEGAL, A.EDIT_TIMELINE, A.EDIT_FAMILY,
            A.MANAGE_APPOINTMENTS,
            A.MANAGE_DOCUMENTS, A.PRODUCE_PACKET, A.MANAGE_TASKS)},
        **{a: frozenset({S.NONE}) for a in (A.READ_PARTNERS, A.EXPORT_CASES)},
    },
}


@pytest.mark.parametrize("role", list(Role))
def test_every_role_action_and_scope(role: Role) -> None:
    for action, scope in itertools.product(Action, Scope):
        expected = scope in EXPECTED[role].get(action, frozenset())
        assert decide({role}, action, scope) is expected, (role, action, scope)


def test_the_administrator_alone_sees_no_survivor_content() -> None:
    assert CASE_ACTIONS <= SURVIVOR_CONTENT
    assert {A.EXPORT_CASES, A.IMPORT_CASES} <= SURVIVOR_CONTENT
    for action, scope in itertools.product(SURVIVOR_CONTENT, Scope):
        assert not decide({Role.ADMIN}, action, scope), (action, scope)
    # ...but the same person given a second role sees what that role sees
    assert decide({Role.ADMIN, Role.CASEWORKER}, A.READ_CASE, S.ASSIGNED)


def test_legal_volunteers_never_read_health() -> None:
    for action, scope in itertools.product((A.READ_HEALTH, A.EDIT_HEALTH), Scope):
        assert not decide({Role.LEGAL}, action, scope)
    for action in CASE_ACTIONS:
        for scope in (S.ASSIGNED, S.OTHER):
            assert not decide({Role.LEGAL}, action, scope), (action, scope)


def test_caseworkers_only_touch_cases_assigned_to_them() -> None:
    for action in CASE_ACTIONS:
        for scope in (S.SHARED, S.OTHER):
            assert not decide({Role.CASEWORKER}, action, scope), (action, scope)
    assert decide({Role.CASEWORKER}, A.READ_HEALTH, S.ASSIGNED)
    for action in (A.ASSIGN_CASE, A.SHARE_CASE, A.BREAK_GLASS, A.MANAGE_USERS):
        assert not any(decide({Role.CASEWORKER}, action, s) for s in Scope)


def test_coordinators_may_do_everything_case_related() -> None:
    for action, scope in itertools.product(CASE_ACTIONS, CASE_SCOPES):
        assert decide({Role.COORDINATOR}, action, scope), (action, scope)
    for action in (A.MANAGE_USERS, A.CHANGE_SETTINGS, A.BACKUP, A.PRINT_RECOVERY_SHEET):
        assert not decide({Role.COORDINATOR}, action, S.NONE)


def test_no_role_no_access() -> None:
    assert not any(decide(set(), a, s) for a, s in itertools.product(Action, Scope))


def test_matrix_has_an_entry_for_every_role() -> None:
    assert set(MATRIX) == set(Role)


# -- refusals through the services ---------------------------------------------------
@pytest.fixture
def caseworker(created: tuple[Vault, OpenVault, str], admin: Services,
               vault_dir: Path) -> Any:
    add_user(admin, "casey", "caseworker", temporary=False)
    add_user(admin, "cora", "coordinator", temporary=False)
    admin.lock()
    created[0].close()
    with signed_in(vault_dir, "casey", TEMP_PASS) as s:
        yield s


def _denials(s: Services) -> list[Any]:
    return [e for e in s.ctx.audit.events() if e.action == Event.PERMISSION_DENIED]


def test_denied_call_raises_and_is_audited(caseworker: Services) -> None:
    with pytest.raises(PermissionDenied) as info:
        caseworker.accounts.list()
    assert "roles do not allow" in str(info.value)
    [event] = _denials(caseworker)
    assert event.actor_id == caseworker.session.user_id
    assert event.outcome == "denied"
    assert event.details == {"action": "users.manage"}


def test_denied_writes_change_nothing(caseworker: Services, vault_dir: Path) -> None:
    slots_before = (vault_dir / "keyslots.json").read_bytes()
    refused = [
        lambda: caseworker.accounts.add("mallory", ["admin"], TEMP_PASS),
        lambda: caseworker.accounts.disable("admin"),
        lambda: caseworker.accounts.reset("admin", "taken over by me"),
        lambda: caseworker.accounts.set_roles("casey", ["admin"]),
        lambda: caseworker.settings.set("organisation", "Someone Else"),
        lambda: caseworker.vault_admin.backup(),
        lambda: caseworker.vault_admin.verify(),
        lambda: caseworker.vault_admin.new_recovery_key(),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert len(_denials(caseworker)) == len(refused)
    assert (vault_dir / "keyslots.json").read_bytes() == slots_before
    assert caseworker.settings.get("organisation") == "Harbour House"
    assert caseworker.session.roles == frozenset({Role.CASEWORKER})
    assert not list((vault_dir / "backups").glob("cases-*.db"))
    assert caseworker.ctx.db.scalar("SELECT count(*) FROM users") == 3


def test_coordinator_may_verify_but_not_manage_accounts(
    created: tuple[Vault, OpenVault, str], admin: Services, vault_dir: Path,
) -> None:
    add_user(admin, "cora", "coordinator", temporary=False)
    admin.lock()
    created[0].close()
    with signed_in(vault_dir, "cora", TEMP_PASS) as cora:
        assert cora.vault_admin.verify().ok
        with pytest.raises(PermissionDenied):
            cora.vault_admin.backup()
        with pytest.raises(PermissionDenied):
            cora.accounts.list()


# -- each write and its event: together or not at all ---------------------------------
@pytest.fixture
def failing_audit(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Make appending the named events fail, as a full disk would at that moment."""
    failing: set[str] = set()
    real = AuditLog.append

    def append(self: AuditLog, action: Event, **kwargs: Any) -> int:
        if action in failing:
            raise OSError("simulated failure while writing the audit event")
        return real(self, action, **kwargs)

    monkeypatch.setattr(AuditLog, "append", append)
    return failing


def test_add_without_its_audit_event_is_not_written(admin: Services, vault_dir: Path,
                                                    failing_audit: set[str]) -> None:
    slots_before = (vault_dir / "keyslots.json").read_bytes()
    failing_audit.add(Event.USER_ADDED)
    with pytest.raises(OSError, match="simulated"):
        add_user(admin, "casey", "caseworker")
    assert [a.username for a in admin.accounts.list()] == ["admin"]
    assert (vault_dir / "keyslots.json").read_bytes() == slots_before
    failing_audit.clear()
    add_user(admin, "casey", "caseworker")  # the in-memory keyslots were put back too
    assert admin.vault_admin.verify().ok


def test_disable_without_its_audit_event_keeps_the_keyslot(
    created: tuple[Vault, OpenVault, str], admin: Services, vault_dir: Path,
    failing_audit: set[str],
) -> None:
    add_user(admin, "casey", "caseworker")
    failing_audit.add(Event.USER_DISABLED)
    with pytest.raises(OSError):
        admin.accounts.disable("casey")
    assert [a.status for a in admin.accounts.list()] == ["active", "active"]
    admin.lock()
    created[0].close()
    with signed_in(vault_dir, "casey", TEMP_PASS) as s:
        assert s.session.username == "casey"


def test_passphrase_change_without_its_audit_event_keeps_the_old_passphrase(
    created: tuple[Vault, OpenVault, str], admin: Services, vault_dir: Path,
    failing_audit: set[str],
) -> None:
    failing_audit.add(Event.PASSPHRASE_CHANGED)
    with pytest.raises(OSError):
        admin.accounts.change_own_passphrase(ADMIN_PASS, "a brand new passphrase")
    admin.lock()
    created[0].close()
    with signed_in(vault_dir) as s:
        assert s.session.username == "admin"


def test_setting_without_its_audit_event_is_not_saved(admin: Services,
                                                      failing_audit: set[str]) -> None:
    failing_audit.add(Event.SETTING_CHANGED)
    with pytest.raises(OSError):
        admin.settings.set("auto_lock_minutes", 30)
    assert admin.settings.get("auto_lock_minutes") == 5


def test_a_failed_row_write_leaves_no_audit_event(admin: Services) -> None:
    """The other way round: the database refuses the row, so the event is not kept either."""
    admin.ctx.db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE UPDATE ON main.settings"
        " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
    )
    before = len(admin.ctx.audit.events())
    with pytest.raises(Exception, match="refused by the test"):
        admin.settings.set("organisation", "Renamed House")
    assert admin.settings.get("organisation") == "Harbour House"
    assert len(admin.ctx.audit.events()) == before
    assert admin.vault_admin.verify().ok


def test_temporary_passphrase_allows_nothing_but_changing_it(
        created: tuple[Vault, OpenVault, str], admin: Services, vault_dir: Path) -> None:
    add_user(admin, "newcomer", "coordinator")  # temporary passphrase, as an admin sets it
    admin.lock()
    created[0].close()
    with signed_in(vault_dir, "newcomer", TEMP_PASS) as s:
        with pytest.raises(PermissionDenied, match="temporary passphrase"):
            s.vault_admin.verify()
        assert not s.ctx.allowed(Action.READ_CASE, Scope.OTHER)
        assert _denials(s)[-1].details == {"action": "vault.verify"}
        s.accounts.change_own_passphrase(TEMP_PASS, "my own passphrase 2026")
        assert s.vault_admin.verify().ok
