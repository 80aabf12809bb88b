"""A coordinator's re-key changes the content keys too: every sealed field in cases.db and in
each backup is sealed again, the name index is keyed again, and each new key goes only to
the accounts whose signed roles entitle them to it.  Checked as a reader of the documented
format would: every cell scanned for the canaries of each class, with each account's keys.
"""

from __future__ import annotations

from pathlib import Path

from shelter_app.services.search import CaseFilter
from shelter_app.vault import fields
from shelter_app.vault.keyring import open_account
from shelter_app.vault.keyslots import KeyslotFile
from tests.conftest import ADMIN_PASS, FAST_KDF, signed_in
from tests.records.conftest import STAFF_PASS, organisation
from tests.records.test_sealed_identity import (
    CASE,
    HEALTH,
    LEGAL,
    _canary_case,
    _readable,
    cells_of,
)

PASSES = {"admin": ADMIN_PASS}


def _keys(key_file: Path, username: str) -> dict[str, bytes]:
    slots = KeyslotFile.load(key_file)
    opened = open_account(slots, slots.find_user(username), PASSES.get(username, STAFF_PASS),
                          FAST_KDF.minimum)
    keys = {name: bytes(k) for name, k in opened.keyring.keys.items()}
    opened.keyring.wipe()
    return keys


def _found(text: str) -> set[str]:
    return {c for c in (CASE, HEALTH, LEGAL) if c in text}


def test_a_coordinators_rekey_changes_every_content_key(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        ids = _canary_case(org)
        folder = org.folder
        org.admin.vault_admin.backup()
    key_file = folder / "keyslots.json"
    before = {u: _keys(key_file, u) for u in ("legal", "caseworker", "other_caseworker")}
    with signed_in(folder) as admin:
        admin.accounts.set_roles("other_caseworker", ["legal"])  # health taken back …
        admin.accounts.disable("caseworker")  # … and an account disabled
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        report = coordinator.vault_admin.rekey()
        assert report.content == ("case", "health", "legal") and report.left == 0
        # the session goes on under the new keys: names, search, the situation filter
        assert coordinator.cases.get(ids["case"]).survivor["legal_name"].startswith("Amara")
        assert [c.id for c in coordinator.search.search("amara")] == [ids["case"]]
        assert coordinator.search.list_ids(CaseFilter(
            exploitation_type="forced_labour")) == [ids["case"]]

    data_key = _keys(key_file, "coordinator")["database"]
    backups = sorted((folder / "backups").glob("cases-*.db"))
    assert backups
    for path in [folder / "cases.db", *backups]:
        cells = cells_of(path, data_key)
        assert _found(_readable(cells, {})) == set(), path.name
        # each account reads exactly its classes, with the keys it holds now
        assert _found(_readable(cells, _keys(key_file, "legal"))) == {CASE, LEGAL}
        assert _found(_readable(cells, _keys(key_file, "coordinator"))) == {CASE, HEALTH, LEGAL}
        assert _found(_readable(cells, _keys(key_file, "admin"))) == set()
        # the keys held before the re-key open nothing, even beside the current database key
        for name, old in before.items():
            assert _found(_readable(cells, old)) == set(), (name, path.name)
    # the account that became a legal volunteer holds the new case and legal keys, and no
    # health key, old or new
    assert set(_keys(key_file, "other_caseworker")) == {"database", "integrity", "case",
                                                         "legal"}
    body = KeyslotFile.load(key_file)
    assert {n: body.epoch_of(n) for n in ("database", "case", "health", "legal")} == {
        "database": 2, "case": 2, "health": 2, "legal": 2}

    with signed_in(folder, "legal", STAFF_PASS) as legal:
        assert [c.id for c in legal.search.search("amara")] == [ids["case"]]
        draft = legal.drafts.get("legal_form", case_id=ids["case"])
        assert draft is not None and LEGAL in str(draft.changes)


def test_an_administrators_rekey_leaves_the_content_keys(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        _canary_case(org)
        folder = org.folder
    before = _keys(folder / "keyslots.json", "coordinator")
    with signed_in(folder) as admin:
        report = admin.vault_admin.rekey()
    assert report.content == ()
    after = _keys(folder / "keyslots.json", "coordinator")
    assert {n: after[n] for n in ("case", "health", "legal")} == {
        n: before[n] for n in ("case", "health", "legal")}
    assert after["database"] != before["database"]


def test_a_damaged_field_is_left_as_it_was_and_counted(tmp_path: Path) -> None:
    with organisation(tmp_path) as org:
        ids = _canary_case(org)
        folder = org.folder
        with org.coordinator.ctx.db.transaction() as db:
            # a sealed value moved to another row: it opens under no key there
            moved = db.scalar("SELECT safety_plan FROM cases WHERE id = :id", {"id": ids["case"]})
            other = org.new_case("Bo Other")
            db.execute("UPDATE cases SET safety_plan = :v WHERE id = :id",
                       {"v": moved, "id": other.id})
    with signed_in(folder, "coordinator", STAFF_PASS) as coordinator:
        report = coordinator.vault_admin.rekey()
        assert report.left == 1
        stored = coordinator.ctx.db.scalar("SELECT safety_plan FROM cases WHERE id = :id",
                                           {"id": other.id})
    assert stored == moved and fields.is_sealed(stored)
