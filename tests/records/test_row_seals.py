"""Survivor and case rows carry a seal under the case key (docs/VAULT_FORMAT.md, section
7.3): what the application writes keeps it, an edit made outside the application is found
by a coordinator's vault check and the case named, and an administrator's check says it
cannot look."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import VaultDamaged
from shelter_app.services import row_seals
from shelter_app.services.vault_admin import row_lines
from tests.bidi import plain
from tests.conftest import raw_connect, signed_in, unwrap_data_key
from tests.records.conftest import STAFF_PASS, Org, organisation
from tests.schema_undo import undo_schema_8


def _rows_line(lines: list[str]) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith("Survivor and case rows"))
    return [plain(line) for line in lines[start:]]


def test_what_the_application_writes_keeps_every_seal(org: Org) -> None:
    first = org.new_case("Ana Sealed", case=CaseInput(exploitation_types=["forced_labour"]))
    second = org.new_case("Bea Sealed")
    org.coordinator.cases.update(first.id, survivor=SurvivorInput(
        legal_name="Ana Sealed", preferred_name="Ani", gender="woman"),
        versions=first.row_versions)
    org.coordinator.cases.set_status(second.id, "assessment")
    org.coordinator.cases.assign(second.id, org.ids["other_caseworker"])
    org.coordinator.cases.set_status(first.id, "closed", closure_reason="other")
    report = org.coordinator.vault_admin.verify()
    assert report.ok, report.lines()
    assert _rows_line(report.lines()) == [
        "Survivor and case rows: 4 checked; each carries its seal."]
    admin = org.admin.vault_admin.verify()
    assert admin.ok and admin.rows is None
    assert "not checked, as this account holds no case key" in admin.lines()[-1]


def test_edits_outside_the_application_are_named(org: Org) -> None:
    risk = org.new_case("Cara Risk")
    moved_to = org.new_case("Dina Moved")
    moved_from = org.new_case("Eva Source")
    unsealed = org.new_case("Fay Unsealed")
    untouched = org.new_case("Gia Untouched")
    conn = raw_connect(org.folder, unwrap_data_key(org.folder))
    try:
        conn.execute("UPDATE cases SET risk_level = 'low' WHERE id = ?", (risk.id,))
        name = conn.execute("SELECT legal_name FROM survivors WHERE id = ?",
                            (moved_from.survivor_id,)).fetchone()[0]
        conn.execute("UPDATE survivors SET legal_name = ? WHERE id = ?",
                     (name, moved_to.survivor_id))
        conn.execute("UPDATE cases SET row_seal = NULL WHERE id = ?", (unsealed.id,))
    finally:
        conn.close()
    report = org.coordinator.vault_admin.verify()
    assert not report.ok
    assert _rows_line(report.lines()) == sorted([
        "Survivor and case rows: 10 checked; 3 changed outside the application.",
        f"  Case {risk.code}: the case's row does not match its seal.",
        f"  Case {moved_to.code}: the survivor's row does not match its seal.",
        f"  Case {unsealed.code}: the case's row has no seal.",
    ], key=lambda line: (not line.startswith("Survivor"), line))
    assert untouched.code not in "\n".join(report.lines())
    failure = org.audit("vault.integrity_failure")[-1]
    assert failure["details"]["count"] == 3
    # the administrator's check cannot see it: it holds no case key
    assert org.admin.vault_admin.verify().rows is None


def test_rows_written_before_seals_are_sealed_once(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        ids = [org.new_case(f"Old Row {i}").id for i in range(3)]
        folder = org.folder
    # the vault as schema version 6 left it: no seal column, no marker
    conn = raw_connect(folder, unwrap_data_key(folder))
    try:
        undo_schema_8(conn)
        for table in ("survivors", "cases"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN row_seal")
        conn.execute("DELETE FROM meta WHERE key = 'row_seals'")
        conn.execute("PRAGMA user_version = 6")
    finally:
        conn.close()
    with signed_in(folder) as admin:  # migrates; holds no case key, so seals nothing
        assert admin.vault_admin.verify().rows is None
        assert admin.ctx.db.scalar("SELECT count(*) FROM cases WHERE row_seal IS NULL") == 3
    with signed_in(folder, "legal", STAFF_PASS) as legal:  # the first with the case key
        events = legal.ctx.db.all("SELECT details FROM audit_events"
                                  " WHERE action = 'key.rows_sealed'")
        assert [json.loads(e["details"]) for e in events] == [{"count": 6}]
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        report = coordinator.vault_admin.verify()
        assert report.ok, report.lines()
        assert report.rows is not None and report.rows.checked == 6
        # a later sign-in seals nothing again
        assert coordinator.ctx.db.scalar(
            "SELECT count(*) FROM audit_events WHERE action = 'key.rows_sealed'") == 1
        assert coordinator.cases.get(ids[0]).code


def test_a_seal_covers_every_column_the_application_writes(org: Org) -> None:
    """A column added to the tables without being added to the seal would go unguarded."""
    db = org.coordinator.ctx.db
    for table, covered in row_seals.COLUMNS.items():
        columns = [r["name"] for r in db.all(f"PRAGMA table_info({table})")]
        assert [c for c in columns if c != "row_seal"] == list(covered), table


def test_no_pass_of_the_application_seals_an_edit_made_outside_it(tmp_path: Path) -> None:
    """The passes that write rows without a user's edit — sealing plain values, keying the
    name index, sealing the rows of before, a coordinator's re-key — seal again only rows
    whose seal held: removing their markers, or waiting for a re-key, does not launder an
    edit."""
    with organisation(tmp_path) as org:
        risk = org.new_case("Hana Risk")
        planted = org.new_case("Ines Planted")
        unsealed = org.new_case("Jo Unsealed")
        untouched = org.new_case("Kim Untouched")
        folder = org.folder
    conn = raw_connect(folder, unwrap_data_key(folder))
    try:
        conn.execute("UPDATE cases SET risk_level = 'low' WHERE id = ?", (risk.id,))
        # a plain value put into a sealed column, a seal removed, every pass's marker gone
        conn.execute("UPDATE cases SET safety_plan = 'plain plan' WHERE id = ?", (planted.id,))
        conn.execute("UPDATE survivors SET row_seal = NULL WHERE id = ?",
                     (unsealed.survivor_id,))
        conn.execute("DELETE FROM meta WHERE key IN ('row_seals', 'name_index', 'fields_sealed')")
    finally:
        conn.close()
    expected = sorted([
        "Survivor and case rows: 8 checked; 3 changed outside the application.",
        f"  Case {risk.code}: the case's row does not match its seal.",
        f"  Case {planted.code}: the case's row does not match its seal.",
        f"  Case {unsealed.code}: the survivor's row has no seal.",
    ], key=lambda line: (not line.startswith("Survivor"), line))
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        db = coordinator.ctx.db
        # every pass ran again: the plain value is sealed, each marker is back …
        assert db.scalar("SELECT count(*) FROM meta WHERE key IN"
                         " ('row_seals', 'name_index', 'fields_sealed')") == 3
        assert not str(db.scalar("SELECT safety_plan FROM cases WHERE id = :id",
                                 {"id": planted.id})).startswith("plain")
        # … and no row was sealed as it now stands
        assert db.scalar("SELECT count(*) FROM audit_events"
                         " WHERE action = 'key.rows_sealed'") == 0
        assert _rows_line(coordinator.vault_admin.verify().lines()) == expected
        coordinator.vault_admin.rekey()
        after = coordinator.vault_admin.verify()
        assert _rows_line(after.lines()) == expected
        assert untouched.code not in "\n".join(after.lines())
        # what the application writes afterwards is sealed as usual
        coordinator.cases.set_status(risk.id, "assessment")
        assert f"Case {risk.code}" not in "\n".join(coordinator.vault_admin.verify().lines())


def test_rows_the_database_refuses_to_give_are_not_called_checked(
        org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    org.new_case("Lia Unread")

    def refuse(*_args: object) -> None:
        raise VaultDamaged("database disk image is malformed")

    monkeypatch.setattr(row_seals, "check", refuse)
    rows = org.coordinator.vault_admin.verify().rows
    assert rows is not None and not rows.read
    assert row_lines(rows) == [
        "Survivor and case rows: not checked, as the database could not be read."]
